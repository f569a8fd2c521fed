/* The sign sample: MakeSignature through the popup (or ?popup=/ChtPopupForm), the package built as the sample's
   getTbsPackage does: tbs and PIN URI-encoded, '+' escaped after JSON.stringify. */
onReady(function () {
  usePopup(
    param('popup', '/popupForm'),
    function () {
      var tbsData = {};
      tbsData.tbs = param('tbs', 'TBS');
      tbsData.tbsEncoding = param('tbsEncoding', 'NONE');
      tbsData.hashAlgorithm = param('hashAlgorithm', 'SHA256');
      tbsData.withCardSN = 'true';
      tbsData.pin = encodeURIComponent(param('pin', ''));
      tbsData.nonce = '';
      tbsData.func = 'MakeSignature';
      tbsData.signatureType = param('signatureType', 'PKCS7');
      return JSON.stringify(tbsData).replace(/\+/g, '%2B');
    },
    function (ret, text) {
      show(text);
    }
  );
});
