/*
 * What the public HiPKI client pages share, in their style (ES5, no library): open the component's popup, answer
 * its {"func":"getTbs"} with the request, and hand the answer (a JSON string) to the page; read the /pkcs11info
 * answer out of /p11Image.bmp. A popup that never says getTbs means the component is not installed (the samples
 * give it 3.5 seconds; tests wait longer). The signer's address comes from ?signer= because tests run it on a free
 * port (the samples name http://localhost:61161).
 */
var SIGNER = (function () {
  var match = /[?&]signer=([^&]+)/.exec(window.location.search);
  return match ? decodeURIComponent(match[1]) : 'http://localhost:61161';
})();

function param(name, fallback) {
  var match = new RegExp('[?&]' + name + '=([^&]*)').exec(window.location.search);
  return match ? decodeURIComponent(match[1].replace(/\+/g, ' ')) : fallback;
}

function show(text, id) {
  var out = document.getElementById(id || 'result');
  out.textContent = text;
  out.setAttribute('data-done', 'true');
}

/* The reasons of last_error, as the pages carry the component's table: they compare the signed numbers. */
function minorReason(code) {
  switch (code) {
    case 0xa0:
      return 'PIN碼錯誤';
    case 0xa4:
      return '已鎖卡';
    case -2147483647:
      return 'PIN碼錯誤，剩餘一次機會';
    case -2147483646:
      return 'PIN碼錯誤，剩餘兩次機會';
    default:
      return code.toString(16);
  }
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

/*
 * The image path of the checkVersion sample: /p11Image.bmp drawn on a 2000 by 1 canvas, each pixel's blue, green and
 * red read back as three characters until a pixel whose blue is zero. Nothing read is the samples' own timeout text.
 */
function readP11Image(query, done, fail) {
  var img = document.createElement('img');
  img.crossOrigin = 'Anonymous';
  img.src = SIGNER + '/p11Image.bmp' + (query || '');
  var canvas = document.createElement('canvas');
  canvas.width = 2000;
  canvas.height = 1;
  var ctx = canvas.getContext('2d');
  img.onload = function () {
    ctx.drawImage(img, 0, 0);
    var output = '';
    for (var i = 0; i < 2000; i++) {
      var data = ctx.getImageData(i, 0, 1, 1).data;
      if (data[2] === 0) break;
      output = output + String.fromCharCode(data[2], data[1], data[0]);
    }
    if (output === '') output = '{"ret_code": 1979711501,"message": "執行檔錯誤或逾時"}';
    done(output);
  };
  img.onerror = function () {
    fail('未安裝客戶端程式或未啟動服務');
  };
}

function onReady(run, id) {
  window.addEventListener(
    'load',
    function () {
      document.getElementById(id || 'go').addEventListener('click', run, false);
    },
    false
  );
}
