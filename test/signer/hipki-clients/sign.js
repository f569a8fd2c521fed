/*
 * The sign sample: MakeSignature through the popup (or ?popup=/ChtPopupForm), the package built as the sample's
 * getTbsPackage does: tbs and PIN URI-encoded, '+' escaped after JSON.stringify. ?mode=hashBase64 builds it as a
 * public login library does for a hash it computed itself: tbsEncoding base64, signatureType RAW and no
 * hashAlgorithm. A failed login (0x76100006) shows the reason of last_error, as the SDK does.
 */
onReady(function () {
  usePopup(
    param('popup', '/popupForm'),
    function () {
      var tbsData = {};
      if (param('mode', '') === 'hashBase64') {
        tbsData.tbs = param('tbs', '');
        tbsData.tbsEncoding = 'base64';
        tbsData.signatureType = 'RAW';
      } else {
        tbsData.tbs = encodeURIComponent(param('tbs', 'TBS'));
        tbsData.tbsEncoding = param('tbsEncoding', 'NONE');
        tbsData.hashAlgorithm = param('hashAlgorithm', 'SHA256');
        tbsData.withCardSN = 'true';
        tbsData.nonce = '';
        tbsData.signatureType = param('signatureType', 'PKCS7');
      }
      if (param('slotDescription', '') !== '') tbsData.slotDescription = param('slotDescription', '');
      tbsData.pin = encodeURIComponent(param('pin', ''));
      tbsData.func = param('func', 'MakeSignature');
      return JSON.stringify(tbsData).replace(/\+/g, '%2B');
    },
    function (ret, text) {
      if (ret.ret_code === 0x76100006 && ret.last_error) {
        document.getElementById('reason').textContent = minorReason(ret.last_error);
      }
      show(text);
    }
  );
});
