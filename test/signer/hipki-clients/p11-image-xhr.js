/*
 * The other way the public pages read /p11Image.bmp (for browsers whose canvas they did not trust): fetch the image
 * as text and take its characters after the 54-byte BMP header up to the first zero.
 */
onReady(function () {
  var xhr = new XMLHttpRequest();
  xhr.open('GET', SIGNER + '/p11Image.bmp?' + new Date().getTime(), true);
  xhr.onreadystatechange = function () {
    if (xhr.readyState !== 4) return;
    if (xhr.status !== 200) {
      show(JSON.stringify({ error: '未安裝客戶端程式或未啟動服務', status: xhr.status }));
      return;
    }
    var data = xhr.responseText;
    var output = '';
    for (var i = 54; i < data.length; i++) {
      if (data.charCodeAt(i) === 0) break;
      output = output + data.charAt(i);
    }
    show(output);
  };
  xhr.send();
});
