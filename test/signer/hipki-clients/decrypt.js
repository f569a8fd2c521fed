/* The decryptData sample: DecryptData through the popup, answered with func "decrypt"; a failure shows the
   component's code. This signer does not decrypt, so the page sees 0x7600000E (不支援的方法). */
onReady(function () {
  usePopup(
    '/popupForm',
    function () {
      return JSON.stringify({
        cipher: encodeURIComponent('MIAGCSqGSIb3DQEHA6CAMIACAQAx'),
        cipherType: 'PKCS7',
        plainEncoding: 'NONE',
        pin: encodeURIComponent(param('pin', '')),
        func: 'DecryptData'
      });
    },
    function (ret, text) {
      if (ret.func !== 'decrypt') return;
      show(text);
    }
  );
});
