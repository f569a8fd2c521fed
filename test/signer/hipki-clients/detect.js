/* Whether the component runs, told by loading its image: a page may embed it whatever its origin. */
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
