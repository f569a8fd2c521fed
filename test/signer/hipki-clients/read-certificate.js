/* The readCertificate sample: GetUserCert through the popup; the answer's func is "pkcs11info". It skips slots with
   no token and takes the first certificate whose usage is digitalSignature, as the sample does. */
onReady(function () {
  usePopup(
    '/popupForm',
    function () {
      return JSON.stringify({ func: 'GetUserCert' });
    },
    function (ret, text) {
      if (ret.func !== 'pkcs11info') {
        show(text);
        return;
      }
      var slots = ret.slots || [];
      search: for (var i = 0; ret.ret_code === 0 && i < slots.length; i++) {
        if (slots[i].token == null || slots[i].token === 'unknown token') continue;
        var certs = slots[i].token.certs;
        for (var j = 0; j < certs.length; j++) {
          if (certs[j].usage === 'digitalSignature') {
            document.getElementById('subjectCN').textContent = certs[j].subjectCN;
            document.getElementById('cardSN').textContent = slots[i].token.serialNumber;
            break search;
          }
        }
      }
      show(text);
    }
  );
});
