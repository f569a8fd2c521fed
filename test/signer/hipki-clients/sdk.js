/*
 * The Chunghwa Telecom SDK's way (ChtICToken.js), one popup of /ChtPopupForm per step, each step a click:
 * 1. CheckEnvir: note every reader (slotDescription) and its card (token.serialNumber, none when token is null);
 *    with one card that reader is the active one; serverVersion must not be older than the SDK's minimum.
 * 2. GetUserCert: in the active reader, whose card must still be the same, the certificate whose usage matches
 *    /digitalSignature/i (the last one that does), or the one whose id matches a key id given in base64; its dates
 *    from notBeforeT/notAfterT (seconds).
 * 3. MakeSignature: the package names the active reader (slotDescription); the answer's cardSN must be that card.
 */
var MIN_SERVER_VERSION = '1.3.4.103319';
var readers = [];
var cards = [];
var active = -1;

function request(func, extra) {
  var data = { func: func };
  for (var key in extra) data[key] = extra[key];
  return JSON.stringify(data).replace(/\+/g, '%2B');
}

function checkEnvir() {
  usePopup(
    '/ChtPopupForm',
    function () {
      return request('CheckEnvir', {});
    },
    function (ret) {
      if (ret.ret_code !== 0) return show(JSON.stringify({ RCode: ret.ret_code, RMsg: ret.message }), 'envir-result');
      if (MIN_SERVER_VERSION.localeCompare(ret.serverVersion) > 0) {
        return show(JSON.stringify({ RCode: 3102, RMsg: '請安裝新版本元件' }), 'envir-result');
      }
      var found = 0;
      for (var i = 0; i < ret.slots.length; i++) {
        readers[i] = ret.slots[i].slotDescription;
        if (ret.slots[i].token != null) {
          cards[i] = ret.slots[i].token.serialNumber;
          active = i;
          found++;
        } else {
          cards[i] = '';
        }
      }
      if (found !== 1) active = -1;
      show(
        JSON.stringify({ RCode: found === 0 ? 3103 : 0, readers: readers, cards: cards, active: active }),
        'envir-result'
      );
    }
  );
}

function escapeRegExp(text) {
  return text.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
}

function getUserCert() {
  var byId = param('keyidb64', '');
  var match = byId ? new RegExp(escapeRegExp(byId), 'i') : /digitalSignature/i;
  usePopup(
    '/ChtPopupForm',
    function () {
      return request('GetUserCert', {});
    },
    function (ret) {
      if (ret.ret_code !== 0) return show(JSON.stringify({ RCode: ret.ret_code, RMsg: ret.message }), 'cert-result');
      var found = null;
      for (var i = 0; i < ret.slots.length; i++) {
        if (ret.slots[i].slotDescription !== readers[active]) continue;
        if (ret.slots[i].token.serialNumber !== cards[active]) {
          return show(JSON.stringify({ RCode: 3203, RMsg: '找不到指定的讀卡機' }), 'cert-result');
        }
        var certs = ret.slots[i].token.certs;
        for (var j = 0; j < certs.length; j++) {
          if (match.test(byId ? certs[j].id : certs[j].usage)) found = certs[j];
        }
      }
      if (!found) return show(JSON.stringify({ RCode: 3204, RMsg: '取得憑證失敗' }), 'cert-result');
      var notAfter = new Date(found.notAfterT * 1000);
      var notBefore = new Date(found.notBeforeT * 1000);
      show(
        JSON.stringify({
          RCode: 0,
          Certificate: found.certb64,
          Subject: found.subjectDN,
          CertSN: found.sn,
          KeyUsage: found.usage,
          SubjectID: found.subjectID,
          Email: found.email,
          NotBefore: notBefore.toISOString(),
          NotAfter: notAfter.toISOString()
        }),
        'cert-result'
      );
    }
  );
}

function makeSignature() {
  usePopup(
    '/ChtPopupForm',
    function () {
      return request('MakeSignature', {
        tbs: param('tbs', ''),
        tbsEncoding: 'base64',
        hashAlgorithm: 'SHA256',
        pin: param('pin', ''),
        signatureType: 'PKCS1',
        slotDescription: readers[active],
        readername: readers[active]
      });
    },
    function (ret) {
      if (ret.ret_code !== 0) return show(JSON.stringify({ RCode: ret.ret_code, RMsg: ret.message }), 'sign-result');
      if (ret.cardSN !== cards[active]) return show(JSON.stringify({ RCode: 3501, RMsg: '卡片不正確' }), 'sign-result');
      show(JSON.stringify({ RCode: 0, B64Signature: ret.signature }), 'sign-result');
    }
  );
}

onReady(checkEnvir, 'envir');
onReady(getUserCert, 'cert');
onReady(makeSignature, 'sign');
