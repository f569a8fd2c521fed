/* The checkVersion sample's first step: the card and component details from /p11Image.bmp, shown as JSON. */
onReady(function () {
  readP11Image(
    '',
    function (output) {
      JSON.parse(output); // the page parses what it read; a broken text would throw here
      show(output);
    },
    function (message) {
      show(JSON.stringify({ error: message }));
    }
  );
});
