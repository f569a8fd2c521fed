/* 「元件已啟動？」 on a certificate-component download page: the page already shows the signer's picture (or, when
   nothing answers, its own text) without script; this asks the signer again every few seconds and says the answer
   in words, so a user who starts the component sees it change without reloading. ES5, no build step. */
(function () {
  'use strict';
  var box = document.querySelector('.signer-check');
  var live = box && box.querySelector('.signer-check__live');
  if (!box || !live || !window.Image) return;
  var signerUrl = box.getAttribute('data-signer-url');
  var running = box.getAttribute('data-running-text') || '';
  var missing = box.getAttribute('data-missing-text') || '';
  var last = null;
  function say(isRunning) {
    if (last === isRunning) return;
    last = isRunning;
    live.hidden = false;
    live.setAttribute('data-state', isRunning ? 'running' : 'not-running');
    live.textContent = isRunning ? running : missing;
  }
  function probe() {
    var image = new Image();
    image.onload = function () {
      say(true);
    };
    image.onerror = function () {
      say(false);
    };
    image.src = signerUrl + '/ready.svg?probe=' + new Date().getTime();
  }
  probe();
  window.setInterval(probe, 3000);
})();
