/* The readCertificate sample: GetUserCert through the popup; the answer's func is "pkcs11info". It takes the last
   listed slot and the certificate whose usage is digitalSignature, as the samples do. */
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
      if (ret.ret_code === 0 && ret.slots && ret.slots.length > 0) {
        var token = ret.slots[ret.slots.length - 1].token;
        for (var i = 0; token && i < token.certs.length; i++) {
          if (token.certs[i].usage === 'digitalSignature')
            document.getElementById('subjectCN').textContent = token.certs[i].subjectCN;
        }
      }
      show(text);
    }
  );
});
