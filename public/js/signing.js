/*
 * The thin signing script (ES5, no framework). It only adds: without it, the PIN form posts to the local signer and the
 * signer's page posts the signature back. With it, the page asks the signer over WebSocket (or, when nothing answers
 * there, over the HiPKI LocalSignServer's HTTP API; in a browser without WebSocket, through the HiPKI popup), shows 「憑證載入完成。」 and fills the hidden fields of the portal
 * form, which then posts once. The PIN goes to the signer only.
 *
 * Markup: <form data-signer-form data-signer-url="http://127.0.0.1:61161" data-signed-form="signed-form"
 *           data-check-url="/signing/card-check" data-msg-unreachable="…" data-msg-failed="… {code} …"> with inputs
 *           tbs, nonce, pin;
 *         <form id="signed-form" hidden> with inputs _csrf, nonce, signature, certificate, signatureType, cardSerial.
 *
 * With data-check-url, the card is checked at once after 載入 (POST, same site): the holder and card number are
 * shown beside 「憑證載入完成。」, and a card that 送出 would refuse for reasons that are not the user's fault (revoked,
 * already registered, an account under review) gives an outcome box with the next steps instead of 送出.
 */
(function () {
  'use strict';
  // Without these the page keeps its no-JavaScript behaviour, which always works.
  if (!window.JSON || !document.querySelector || !document.addEventListener) return;

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

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.appendChild(document.createTextNode(text));
    return node;
  }

  function removeById(id) {
    var node = document.getElementById(id);
    if (node) node.parentNode.removeChild(node);
  }

  /** A form field's value; for a group of radio buttons, the checked one's (old browsers have no RadioNodeList.value). */
  function fieldValue(form, name) {
    var field = byName(form, name);
    if (!field) return '';
    if (typeof field.value === 'string' && field.nodeType === 1) return field.value;
    for (var i = 0; i < field.length; i++) if (field[i].checked) return field[i].value;
    return '';
  }

  /** Asks the portal about the card just loaded; done(null) when it cannot answer (then 送出 checks as before). */
  function checkCard(url, signedForm, done) {
    var xhr = new XMLHttpRequest();
    var names = ['_csrf', 'nonce', 'signature', 'certificate', 'signatureType', 'category', 'name', 'idNumber'];
    var body = [];
    for (var i = 0; i < names.length; i++) {
      body.push(names[i] + '=' + encodeURIComponent(fieldValue(signedForm, names[i])));
    }
    xhr.open('POST', url, true);
    xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      var answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = null;
      }
      done(answer && answer.status ? answer : null);
    };
    xhr.send(body.join('&'));
  }

  /** Holder, card number and validity as a list, from an answer of the card check. */
  function cardFacts(answer) {
    var labels = answer.labels || {};
    var list = element('dl');
    var facts = [
      [labels.holder, answer.holder],
      [labels.cardSerial, answer.cardSerial],
      [labels.validUntil, answer.validUntil]
    ];
    for (var i = 0; i < facts.length; i++) {
      if (!facts[i][0] || !facts[i][1]) continue;
      list.appendChild(element('dt', '', facts[i][0]));
      list.appendChild(element('dd', '', facts[i][1]));
    }
    return list;
  }

  /** Beside 「憑證載入完成。」: whose card it is, and a word when 送出 will ask for more (a renewed card) or fail. */
  function showCard(answer) {
    var loaded = document.getElementById('signed-message');
    if (!loaded) return;
    var box = element('div', 'card-check');
    box.id = 'card-check';
    box.appendChild(element('p', '', answer.message));
    box.appendChild(cardFacts(answer));
    if (answer.note) box.appendChild(element('p', 'notice', answer.note));
    loaded.parentNode.insertBefore(box, loaded.nextSibling);
  }

  /** The outcome of a refusal that is not the user's fault: what happened, the next steps, and another card. */
  function showOutcome(signerForm, answer, restart) {
    var box = element('section', 'outcome-box');
    box.id = 'card-outcome';
    box.setAttribute('tabindex', '-1');
    box.setAttribute('aria-labelledby', 'card-outcome-title');
    var title = element('h2', '', answer.title);
    title.id = 'card-outcome-title';
    box.appendChild(title);
    box.appendChild(element('p', 'outcome__text', answer.text));
    if (answer.hint) box.appendChild(element('p', 'outcome__hint', answer.hint));
    if (answer.holder) box.appendChild(cardFacts(answer));
    if (answer.nextHeading) box.appendChild(element('h3', '', answer.nextHeading));
    var steps = element('ul', 'next-steps');
    for (var i = 0; i < (answer.steps || []).length; i++) {
      var step = answer.steps[i];
      var item = element('li', 'next-steps__item');
      item.setAttribute('data-step', step.step);
      if (step.href) {
        var link = element('a', '', step.label);
        link.setAttribute('href', step.href);
        item.appendChild(link);
      } else {
        item.appendChild(element('strong', '', step.label));
      }
      if (step.text) item.appendChild(element('p', 'hint', step.text));
      steps.appendChild(item);
    }
    box.appendChild(steps);
    var again = element('button', 'button--secondary', (answer.labels || {}).otherCard || '');
    again.setAttribute('type', 'button');
    again.id = 'other-card';
    again.onclick = function () {
      removeById('card-outcome');
      restart();
    };
    box.appendChild(again);
    signerForm.parentNode.insertBefore(box, signerForm);
    box.focus();
  }

  function wsUrl(httpUrl) {
    return httpUrl.replace(/^http/, 'ws') + '/';
  }

  /** The HiPKI LocalSignServer's HTTP API (POST /sign with tbsPackage), which this project's signer also serves. */
  function signOverHttp(signerUrl, request, done) {
    if (!window.XMLHttpRequest) {
      done(null);
      return;
    }
    var xhr = new XMLHttpRequest();
    var body = 'tbsPackage=' + encodeURIComponent(signPackage(request));
    xhr.open('POST', signerUrl + '/sign', true);
    xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      var reply;
      try {
        reply = JSON.parse(xhr.responseText);
      } catch (e) {
        done(null);
        return;
      }
      done(fromHipki(reply));
    };
    xhr.send(body);
  }

  /** A HiPKI sign answer in the shape finish() takes. */
  function fromHipki(reply) {
    if (reply.ret_code !== 0) return { error: 'hipki', message: reply.message, code: reply.ret_code };
    return {
      signature: reply.signature,
      certificate: reply.certb64,
      cardSerial: reply.cardSN,
      signatureType: reply.signatureType
    };
  }

  function signPackage(request) {
    return JSON.stringify({
      func: 'MakeSignature',
      tbs: encodeURIComponent(request.tbs),
      tbsEncoding: 'NONE',
      hashAlgorithm: 'SHA256',
      signatureType: 'PKCS7',
      withCardSN: 'true',
      lang: request.lang,
      pin: encodeURIComponent(request.pin)
    });
  }

  /**
   * The HiPKI popup (/popupForm): the signer's own page asks this one for the package ({"func":"getTbs"}), signs, and
   * posts the answer back. It works where a cross-site answer cannot be read (the real component sends no CORS
   * headers). Must be called while the submit event runs, or the browser blocks the window.
   */
  function signOverPopup(signerUrl, request, done) {
    var popup = null;
    var ended = false;
    var timer = null;
    function end(reply) {
      if (ended) return;
      ended = true;
      window.clearTimeout(timer);
      window.removeEventListener('message', onMessage, false);
      done(reply);
    }
    function giveUp() {
      try {
        if (popup) popup.close();
      } catch (e) {
        // already closed
      }
      end(null);
    }
    function onMessage(event) {
      if (event.origin !== signerUrl || event.source !== popup) return;
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data && data.func === 'getTbs') {
        // The signer answered: now only the card's time counts.
        window.clearTimeout(timer);
        timer = window.setTimeout(giveUp, 60000);
        // To the signer's origin only, never '*': the package holds the PIN.
        popup.postMessage(signPackage(request), signerUrl);
        return;
      }
      end(data ? fromHipki(data) : null);
    }
    window.addEventListener('message', onMessage, false);
    popup = window.open(
      signerUrl + '/popupForm?lang=' + encodeURIComponent(request.lang),
      'sw-signer',
      'width=360,height=240'
    );
    if (!popup) {
      end(null);
      return;
    }
    // No getTbs within this time: nothing signs on that address.
    timer = window.setTimeout(giveUp, 10000);
  }

  /** This project's signer over WebSocket; done(null) when no signer answers there. */
  function signOverWebSocket(signerUrl, request, done) {
    var socket;
    var answered = false;
    var opened = false;
    if (!window.WebSocket) {
      done(null);
      return;
    }
    try {
      socket = new WebSocket(wsUrl(signerUrl));
    } catch (e) {
      done(null);
      return;
    }
    socket.onopen = function () {
      opened = true;
      socket.send(
        JSON.stringify({
          id: 1,
          type: 'sign',
          tbs: request.tbs,
          hashAlgorithm: 'SHA256',
          signatureType: 'PKCS7',
          lang: request.lang,
          pin: request.pin
        })
      );
    };
    socket.onmessage = function (message) {
      answered = true;
      socket.close();
      try {
        done(JSON.parse(message.data));
      } catch (e) {
        done({ error: 'bad_json' });
      }
    };
    socket.onerror = function () {
      // Not there at all (the real HiPKI component has no WebSocket on this port): the HTTP API may be.
      if (!answered && !opened) {
        answered = true;
        done(null);
      }
    };
    socket.onclose = function () {
      if (!answered) {
        answered = true;
        done(opened ? { error: 'closed' } : null);
      }
    };
  }

  function attach(signerForm) {
    var signedForm = document.getElementById(signerForm.getAttribute('data-signed-form'));
    if (!signedForm) return;
    var checkUrl = signerForm.getAttribute('data-check-url');
    var busy = false;

    /** The readiness box (before the PIN): folded away while a loaded card is shown; back, fresh, for another card. */
    function showReadiness(shown) {
      var box = document.getElementById('readiness');
      if (!box) return;
      if (shown) box.removeAttribute('hidden');
      else box.setAttribute('hidden', 'hidden');
    }

    function forgetSignature() {
      setField(signedForm, 'signature', '');
      setField(signedForm, 'certificate', '');
      setField(signedForm, 'cardSerial', '');
    }

    /** After the card check (answer null: none was made or it failed): 送出, an outcome box, or the PIN again. */
    function settle(answer, pinInput) {
      if (answer && answer.status === 'outcome') {
        forgetSignature();
        signerForm.setAttribute('hidden', 'hidden');
        showReadiness(false);
        showOutcome(signerForm, answer, function () {
          showReadiness(true);
          signerForm.removeAttribute('hidden');
          if (pinInput) pinInput.focus();
        });
        return;
      }
      if (answer && answer.status === 'refused') {
        forgetSignature();
        showError(signerForm, answer.message);
        if (pinInput) pinInput.focus();
        return;
      }
      showReadiness(false);
      signerForm.setAttribute('hidden', 'hidden');
      signedForm.removeAttribute('hidden');
      if (answer && (answer.status === 'ok' || answer.status === 'mismatch')) showCard(answer);
      if (answer && answer.status === 'mismatch') showError(signerForm, answer.message);
      var loaded = document.getElementById('signed-message');
      if (loaded && !(answer && answer.status === 'mismatch')) loaded.focus();
    }

    signerForm.addEventListener(
      'submit',
      function (event) {
        event.preventDefault();
        if (busy) return;
        busy = true;
        clearError();
        removeById('card-check');
        removeById('card-outcome');
        var pinInput = byName(signerForm, 'pin');
        var signerUrl = String(signerForm.getAttribute('data-signer-url')).replace(/\/+$/, '');
        var request = {
          tbs: byName(signerForm, 'tbs').value,
          pin: pinInput ? pinInput.value : '',
          lang: document.documentElement.getAttribute('lang') || 'zh-TW'
        };

        function finish(reply) {
          busy = false;
          request.pin = '';
          if (pinInput) pinInput.value = '';
          if (!reply) {
            showError(signerForm, signerForm.getAttribute('data-msg-unreachable'));
            return;
          }
          if (reply.error) {
            showError(
              signerForm,
              reply.message ||
                signerForm.getAttribute('data-msg-failed').replace('{code}', String(reply.code || reply.error))
            );
            if (pinInput) pinInput.focus();
            return;
          }
          setField(signedForm, 'nonce', byName(signerForm, 'nonce').value);
          setField(signedForm, 'signature', reply.signature);
          setField(signedForm, 'certificate', reply.certificate);
          setField(signedForm, 'signatureType', reply.signatureType || 'PKCS7');
          setField(signedForm, 'cardSerial', reply.cardSerial || '');
          if (!checkUrl || !window.XMLHttpRequest) {
            settle(null, pinInput);
            return;
          }
          busy = true;
          checkCard(checkUrl, signedForm, function (answer) {
            busy = false;
            settle(answer, pinInput);
          });
        }

        // Without WebSocket the popup, opened now while the submit event still counts as the user's action.
        if (!window.WebSocket) {
          signOverPopup(signerUrl, request, finish);
          return;
        }
        signOverWebSocket(signerUrl, request, function (reply) {
          if (reply) finish(reply);
          else signOverHttp(signerUrl, request, finish);
        });
      },
      false
    );
  }

  var forms = document.querySelectorAll('form[data-signer-form]');
  for (var i = 0; i < forms.length; i++) attach(forms[i]);

  // Steps worded for the no-JavaScript round trip (the component's own page and its 確定) are worded as this script
  // runs them once it has taken the form over: the page itself shows 「憑證載入完成。」, and 送出 follows.
  if (forms.length) {
    var steps = document.querySelectorAll('[data-js-text]');
    for (var j = 0; j < steps.length; j++) steps[j].textContent = steps[j].getAttribute('data-js-text');
  }
})();
