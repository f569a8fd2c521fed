// The signer's static files, kept as strings so the single-file download carries them.
// Served as separate files: the pages have no inline script or style (CSP `default-src 'none'`).

export const SIGNER_CSS = `
html { font-family: "Noto Sans TC", "Microsoft JhengHei", "PingFang TC", sans-serif; font-size: 100%; line-height: 1.6; color: #1b1b1b; background: #f3f5f7; }
body { margin: 0; }
main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff; border: 1px solid #c9d1d9; border-radius: 6px; }
header { background: #0b4f8a; color: #fff; padding: 0.5rem 1rem; }
header p { margin: 0; font-weight: bold; }
h1 { font-size: 1.5rem; margin-top: 0; }
.success h1 { color: #0a6b2d; }
.error h1 { color: #b00020; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
button { font: inherit; font-size: 1.1rem; padding: 0.5rem 1.5rem; border: 2px solid #0b4f8a; border-radius: 4px; background: #0b4f8a; color: #fff; cursor: pointer; }
button:focus, a:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
a { color: #0b4f8a; }
.actions { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; border-bottom: 1px solid #c9d1d9; padding: 0.25rem 0.5rem; vertical-align: top; }
.hint { color: #444; }
`;

/** The HiPKI popup exchange (ES5): ask the opener for the package, run it here (same origin), post the answer back. */
export const POPUP_JS = `(function () {
  'use strict';
  var status = document.getElementById('status');
  function say(text) { if (status) { status.textContent = text; } }
  if (!window.opener) {
    var alone = document.getElementById('no-opener');
    if (alone) { alone.hidden = false; }
    say('');
    return;
  }
  function finish(target, origin, text) {
    try { target.postMessage(text, origin); } catch (e) { /* the opener went away */ }
    window.close();
  }
  function request(method, url, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    if (body !== null) { xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded'); }
    xhr.onreadystatechange = function () {
      if (xhr.readyState === 4) { done(xhr.responseText || '{"ret_code":' + 0x76000999 + ',"last_error":0}'); }
    };
    xhr.send(body);
  }
  function onMessage(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (!data || typeof data !== 'object') { return; }
    window.removeEventListener('message', onMessage, false);
    var origin = event.origin;
    var target = event.source;
    // HiPKI clients ask for the card's details with GetUserCert (with the certificates) or CheckEnvir (without);
    // both are answered with the /pkcs11info answer, whose func is "pkcs11info".
    var withCert = null;
    if (data.func === 'GetUserCert') { withCert = true; }
    else if (data.func === 'CheckEnvir') { withCert = false; }
    else if (data.func === 'pkcs11info') { withCert = data.withcert === true || data.withcert === 'true'; }
    if (withCert !== null) {
      request('GET', '/pkcs11info?withcert=' + (withCert ? 'true' : 'false') + '&origin=' + encodeURIComponent(origin), null,
        function (text) { finish(target, origin, text); });
    } else {
      request('POST', '/sign', 'tbsPackage=' + encodeURIComponent(event.data) + '&origin=' + encodeURIComponent(origin),
        function (text) { finish(target, origin, text); });
    }
  }
  window.addEventListener('message', onMessage, false);
  window.opener.postMessage(JSON.stringify({ func: 'getTbs' }), '*');
})();
`;

/**
 * /addDomain's outcome to the page that opened the window, as the component posts it: {"ret_code":0} once the site
 * is trusted (the sample pages then reload), 0x76000999 when the user cancelled. The text says only the outcome.
 */
export const ADD_DOMAIN_JS = `(function () {
  'use strict';
  var result = document.getElementById('result');
  if (!result || !window.opener) { return; }
  var answer = {
    func: 'addDomain',
    ret_code: Number(result.getAttribute('data-ret-code')),
    last_error: 0,
    message: result.textContent
  };
  try { window.opener.postMessage(JSON.stringify(answer), result.getAttribute('data-opener') || '*'); } catch (e) { /* gone */ }
})();
`;
