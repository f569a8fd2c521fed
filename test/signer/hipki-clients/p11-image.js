/* The image path of the samples: /p11Image.bmp loaded with crossOrigin, drawn on a canvas, its pixels read back as
   the /pkcs11info JSON (red, green, blue of each pixel in turn, up to the first zero). */
onReady(function () {
  var img = new Image();
  img.crossOrigin = 'Anonymous';
  img.onload = function () {
    var canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    var ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    var data;
    try {
      data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    } catch (e) {
      show('{"error":"canvas tainted"}');
      return;
    }
    var output = '';
    for (var i = 0; i < data.length; i += 4) {
      if (data[i] === 0) break;
      output += String.fromCharCode(data[i]);
      if (data[i + 1] === 0) break;
      output += String.fromCharCode(data[i + 1]);
      if (data[i + 2] === 0) break;
      output += String.fromCharCode(data[i + 2]);
    }
    show(output);
  };
  img.onerror = function () {
    show('{"error":"尚未安裝元件"}');
  };
  img.src = SIGNER + '/p11Image.bmp?withcert=' + param('withcert', 'false');
});
