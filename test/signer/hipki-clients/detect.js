/* /waiting.gif, the picture the samples open in their small waiting window: any page may load it, whatever its
   origin, and a page can tell from it that the component runs. */
onReady(function () {
  var img = new Image();
  img.onload = function () {
    show('{"installed":true}');
  };
  img.onerror = function () {
    show('{"installed":false}');
  };
  img.src = SIGNER + '/waiting.gif?' + new Date().getTime();
});
