/* sw-portal: small enhancements for every page. ES5 only (old browsers, kiosk terminals); every page works without it. */
(function () {
  'use strict';

  // After a form comes back with errors, move the focus to the error summary so screen readers announce it
  // and keyboard users can follow its links to each field (GOV.UK pattern).
  function focusErrorSummary() {
    var summary = document.getElementById('error-summary');
    if (summary && typeof summary.focus === 'function') {
      summary.focus();
    }
  }

  // A print button on pages meant to be printed (the registration manual); without JavaScript the page says Ctrl+P.
  function addPrintButtons() {
    if (typeof window.print !== 'function') return;
    var holders = document.querySelectorAll ? document.querySelectorAll('[data-print-label]') : [];
    for (var i = 0; i < holders.length; i++) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button--secondary no-print';
      button.appendChild(document.createTextNode(holders[i].getAttribute('data-print-label')));
      button.onclick = function () {
        window.print();
      };
      holders[i].appendChild(button);
    }
  }

  // A 列印 link (data-print) opens a printable page without JavaScript; with it, this page is printed as it is.
  function printFromLinks() {
    if (typeof window.print !== 'function') return;
    var links = document.querySelectorAll ? document.querySelectorAll('a[data-print]') : [];
    for (var i = 0; i < links.length; i++) {
      links[i].onclick = function () {
        window.print();
        return false;
      };
    }
  }

  // The left menu's <details> is folded behind 選單 for phones. Browsers whose stylesheet cannot show it open on a
  // wide screen (no ::details-content) still show the 選單 toggle: there, open it once the width allows.
  function openMenuOnWideScreens() {
    var fold = document.querySelector ? document.querySelector('.side-menu__fold') : null;
    var toggle = fold && fold.querySelector ? fold.querySelector('.side-menu__toggle') : null;
    if (!fold || !toggle || !window.getComputedStyle || !window.matchMedia) return;
    if (window.getComputedStyle(toggle, null).display === 'none') return;
    if (window.matchMedia('(min-width: 40.0625rem)').matches) fold.setAttribute('open', 'open');
  }

  function ready() {
    openMenuOnWideScreens();
    focusErrorSummary();
    addPrintButtons();
    printFromLinks();
  }

  if (document.readyState === 'loading') {
    if (document.addEventListener) document.addEventListener('DOMContentLoaded', ready, false);
    else window.onload = ready;
  } else {
    ready();
  }
})();
