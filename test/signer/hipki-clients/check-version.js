/*
 * The checkVersion sample: on load, read the details from /p11Image.bmp; a site the component does not trust
 * (0x76000031) gets its 加入 button, which opens /addDomain?domain=<this page's host name> in a window named
 * AddDomain; that window posts {"ret_code":0} back once the site is added, and the page reloads itself. The readers
 * holding a card are offered in a list, each with its card number.
 */
function addDomain() {
  window.open(
    SIGNER + '/addDomain?domain=' + window.location.hostname,
    'AddDomain',
    'height=400, width=400,left=100, top=20'
  );
}

function setOutput(output) {
  var ret = JSON.parse(output);
  if (ret.ret_code === 0x76000031) {
    document.getElementById('status').textContent = window.location.hostname + '非信任網站，請先加入信任網站';
    document.getElementById('addDomain').disabled = false;
  }
  var select = document.getElementById('slotDescription');
  select.innerHTML = '';
  var slots = ret.slots || [];
  for (var i = 0; i < slots.length; i++) {
    if (slots[i].token instanceof Object) {
      var option = document.createElement('option');
      option.value = slots[i].slotDescription;
      option.textContent = slots[i].slotDescription + ' 卡號:[' + slots[i].token.serialNumber + ']';
      select.appendChild(option);
    }
  }
  show(output);
}

window.addEventListener(
  'message',
  function (event) {
    if (event.origin !== SIGNER) return;
    var ret;
    try {
      ret = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (ret.ret_code === 0) window.location.reload();
    else show('Add domain failed, code=' + ret.ret_code, 'status');
  },
  false
);

window.addEventListener(
  'load',
  function () {
    document.getElementById('addDomain').addEventListener('click', addDomain, false);
    readP11Image('', setOutput, function (message) {
      show(JSON.stringify({ error: message }));
    });
  },
  false
);
