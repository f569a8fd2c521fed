/*
 * 新版自然人憑證註冊 as the seed's one page (ES5, no framework). Without it the page is a multi-step form: details,
 * then a certificate page whose PIN form posts to the local signer. With it:
 *  - the certificate part (PIN碼 + 載入自然人憑證) shows on this page; signing.js asks the signer and fills the
 *    hidden signature fields of #register-form, and 送出 posts everything once;
 *  - 檢核是否存在 answers inline (POST /register/citizen/check) instead of reloading the page;
 *  - 重填 also forgets a loaded card and shows the PIN form again.
 * The PIN field is in the signer's form only: it never becomes part of a request to the portal.
 */
(function () {
  'use strict';
  if (!document.getElementById || !document.addEventListener) return;
  var form = document.getElementById('register-form');
  if (!form) return;
  var section = document.getElementById('register-certificate');
  var nojsButtons = document.getElementById('nojs-buttons');
  var signerForm = document.getElementById('signer-form');
  var loadedMessage = document.getElementById('signed-message');
  var checkButton = document.getElementById('check-id');
  var answer = document.getElementById('idNumber-check');
  var SIGNED_FIELDS = ['signature', 'certificate', 'signatureType', 'cardSerial'];

  function field(name) {
    return form.elements ? form.elements[name] : null;
  }

  function isSigned() {
    var signature = field('signature');
    return !!(signature && signature.value);
  }

  // The one-page form needs what signing.js needs; otherwise the steps stay, and they always work.
  if (section && (window.WebSocket || window.XMLHttpRequest) && window.JSON && document.addEventListener) {
    section.removeAttribute('hidden');
    if (nojsButtons) nojsButtons.setAttribute('hidden', 'hidden');
    // One page now, not the first of four steps.
    var progress = document.getElementById('step-progress');
    if (progress) progress.setAttribute('hidden', 'hidden');
  }

  // signing.js hides the PIN form once the card has signed: then say 「憑證載入完成。」.
  if (signerForm && loadedMessage && window.MutationObserver) {
    new window.MutationObserver(function () {
      if (signerForm.hasAttribute('hidden') && isSigned()) {
        loadedMessage.removeAttribute('hidden');
        loadedMessage.focus();
      }
    }).observe(signerForm, { attributes: true, attributeFilter: ['hidden'] });
  }

  // Hidden inputs keep what a script wrote even through a reset, so 重填 clears them itself.
  form.addEventListener(
    'reset',
    function () {
      for (var i = 0; i < SIGNED_FIELDS.length; i++) {
        var input = field(SIGNED_FIELDS[i]);
        if (input) input.value = '';
      }
      if (signerForm) {
        signerForm.reset();
        signerForm.removeAttribute('hidden');
      }
      // What signing.js showed about the card goes with it; the readiness box comes back for the next card.
      var shown = ['card-check', 'card-outcome', 'signing-error'];
      for (var j = 0; j < shown.length; j++) {
        var node = document.getElementById(shown[j]);
        if (node) node.parentNode.removeChild(node);
      }
      var readiness = document.getElementById('readiness');
      if (readiness) readiness.removeAttribute('hidden');
      if (loadedMessage) loadedMessage.setAttribute('hidden', 'hidden');
      if (answer) {
        answer.textContent = '';
        answer.className = 'check-answer';
      }
    },
    false
  );

  if (checkButton && answer && window.XMLHttpRequest && window.JSON && window.encodeURIComponent) {
    checkButton.addEventListener(
      'click',
      function (event) {
        event.preventDefault();
        var idNumber = field('idNumber');
        var csrf = field('_csrf');
        var request = new XMLHttpRequest();
        request.open('POST', form.getAttribute('data-check-url'), true);
        request.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
        request.setRequestHeader('Accept', 'application/json');
        answer.className = 'check-answer';
        answer.textContent = form.getAttribute('data-msg-checking');
        request.onreadystatechange = function () {
          if (request.readyState !== 4) return;
          var reply = null;
          try {
            reply = JSON.parse(request.responseText);
          } catch (e) {
            reply = null;
          }
          answer.textContent = reply && reply.message ? reply.message : form.getAttribute('data-msg-check-failed');
          answer.className = 'check-answer' + (reply && reply.status ? ' check-answer--' + reply.status : '');
        };
        request.send(
          '_csrf=' +
            encodeURIComponent(csrf ? csrf.value : '') +
            '&idNumber=' +
            encodeURIComponent(idNumber ? idNumber.value : '')
        );
      },
      false
    );
  }
})();
