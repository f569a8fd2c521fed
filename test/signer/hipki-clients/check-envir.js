/* The environment check: CheckEnvir through the popup, answered like /pkcs11info without certificates. */
onReady(function () {
  usePopup(
    '/popupForm',
    function () {
      return JSON.stringify({ func: 'CheckEnvir' });
    },
    function (ret, text) {
      show(text);
    }
  );
});
