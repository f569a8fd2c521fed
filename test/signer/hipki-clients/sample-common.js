/*
 * What the public HiPKI sample pages share, in their style (ES5, no library): open the component's popup,
 * answer its {"func":"getTbs"} with the request, and hand the answer (a JSON string) to the page. A popup that
 * never says getTbs means the component is not installed (the samples give it 3.5 seconds; tests wait longer).
 * The signer's address comes from ?signer= because tests run it on a free port.
 */
var SIGNER = (function () {
  var match = /[?&]signer=([^&]+)/.exec(window.location.search);
  return match ? decodeURIComponent(match[1]) : 'http://localhost:61161';
})();

function param(name, fallback) {
  var match = new RegExp('[?&]' + name + '=([^&]*)').exec(window.location.search);
  return match ? decodeURIComponent(match[1].replace(/\+/g, ' ')) : fallback;
}

function show(text) {
  var out = document.getElementById('result');
  out.textContent = text;
  out.setAttribute('data-done', 'true');
}

function usePopup(path, makeRequest, onAnswer) {
  var postTarget;
  var timeoutId;
  function receiveMessage(event) {
    // 安全起見，這邊應填入網站位址檢查 (the samples' own advice: only the component's origin)
    if (event.origin !== SIGNER) return;
    var ret;
    try {
      ret = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (ret.func === 'getTbs') {
      clearTimeout(timeoutId);
      postTarget.postMessage(makeRequest(), '*');
    } else {
      window.removeEventListener('message', receiveMessage, false);
      onAnswer(ret, event.data);
    }
  }
  window.addEventListener('message', receiveMessage, false);
  postTarget = window.open(SIGNER + path, '簽章中', 'height=200, width=200, left=100, top=20');
  timeoutId = setTimeout(function () {
    if (postTarget) postTarget.close();
    show('{"error":"尚未安裝元件"}');
  }, 10000);
}

function onReady(run) {
  window.addEventListener(
    'load',
    function () {
      document.getElementById('go').addEventListener('click', run, false);
    },
    false
  );
}
