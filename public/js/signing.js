/*
 * The thin signing script (ES5, no framework). It only adds: without it, the PIN form posts to the local signer and the
 * signer's page posts the signature back. With it, the page asks the signer over WebSocket, shows 「憑證載入完成。」 and
 * fills the hidden fields of the portal form, which then posts once. The PIN goes to the signer only.
 *
 * Markup: <form data-signer-form data-signer-url="http://127.0.0.1:61161" data-signed-form="signed-form"
 *           data-msg-unreachable="…" data-msg-loaded="…"> with inputs tbs, nonce, pin;
 *         <form id="signed-form" hidden> with inputs nonce, signature, certificate, signatureType, cardSerial.
 */
(function () {
  'use strict';
  if (!window.WebSocket || !window.JSON || !document.querySelector) return;

  function byName(form, name) {
    return form.elements ? form.elements[name] : null;
  }

  function setField(form, name, value) {
    var input = byName(form, name);
    if (input) input.value = value;
  }

  function showError(signerForm, text) {
    var box = document.getElementById('signing-error');
    if (!box) {
      box = document.createElement('div');
      box.id = 'signing-error';
      box.className = 'error-summary';
      box.setAttribute('role', 'alert');
      box.setAttribute('tabindex', '-1');
      signerForm.parentNode.insertBefore(box, signerForm);
    }
    box.textContent = text;
    box.focus();
  }

  function clearError() {
    var box = document.getElementById('signing-error');
    if (box) box.parentNode.removeChild(box);
  }

  function wsUrl(httpUrl) {
    return httpUrl.replace(/^http/, 'ws') + '/';
  }

  function attach(signerForm) {
    var signedForm = document.getElementById(signerForm.getAttribute('data-signed-form'));
    if (!signedForm) return;
    var busy = false;

    signerForm.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) return;
      var pinInput = byName(signerForm, 'pin');
      var pin = pinInput ? pinInput.value : '';
      var socket;
      try {
        socket = new WebSocket(wsUrl(signerForm.getAttribute('data-signer-url')));
      } catch (e) {
        showError(signerForm, signerForm.getAttribute('data-msg-unreachable'));
        return;
      }
      busy = true;
      clearError();
      var answered = false;
      socket.onopen = function () {
        socket.send(JSON.stringify({
          id: 1,
          type: 'sign',
          tbs: byName(signerForm, 'tbs').value,
          hashAlgorithm: 'SHA256',
          signatureType: 'PKCS7',
          lang: document.documentElement.getAttribute('lang') || 'zh-TW',
          pin: pin
        }));
        pin = '';
      };
      socket.onmessage = function (message) {
        answered = true;
        busy = false;
        var reply;
        try {
          reply = JSON.parse(message.data);
        } catch (e) {
          reply = { error: 'bad_json', message: signerForm.getAttribute('data-msg-unreachable') };
        }
        socket.close();
        if (pinInput) pinInput.value = '';
        if (reply.error) {
          showError(signerForm, reply.message || reply.error);
          if (pinInput) pinInput.focus();
          return;
        }
        setField(signedForm, 'nonce', byName(signerForm, 'nonce').value);
        setField(signedForm, 'signature', reply.signature);
        setField(signedForm, 'certificate', reply.certificate);
        setField(signedForm, 'signatureType', reply.signatureType || 'PKCS7');
        setField(signedForm, 'cardSerial', reply.cardSerial || '');
        signerForm.setAttribute('hidden', 'hidden');
        signedForm.removeAttribute('hidden');
        var loaded = document.getElementById('signed-message');
        if (loaded) loaded.focus();
      };
      socket.onerror = function () {
        busy = false;
        if (!answered) showError(signerForm, signerForm.getAttribute('data-msg-unreachable'));
      };
      socket.onclose = function () {
        busy = false;
      };
    }, false);
  }

  var forms = document.querySelectorAll('form[data-signer-form]');
  for (var i = 0; i < forms.length; i++) attach(forms[i]);
})();
