/* The tracking page and the phone's own "Laporan saya" (app-queue.js, store `mine`):
   - a code kept on this phone ("Ingat di HP ini") is handed over by the home page's link in
     sessionStorage (never in the address) and fills the access-code form once;
   - "Lupakan laporan ini di perangkat ini" also deletes the phone's record of the report
     (its number, title and any kept code) before the form goes to the server. */
(function () {
  "use strict";

  var PREFIX = "lapor.code.";

  function take(number) {
    try {
      var code = window.sessionStorage.getItem(PREFIX + number);
      window.sessionStorage.removeItem(PREFIX + number);
      return code || "";
    } catch (e) { return ""; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var codeForm = document.querySelector("form[data-code-for]");
    if (codeForm) {
      var code = take(codeForm.dataset.codeFor);
      var input = codeForm.querySelector("input[name=access_code]");
      if (code && input && !input.value) { input.value = code; }
    }
    var forget = document.querySelector("form[data-forget-device]");
    if (forget && window.LaporQueue && window.indexedDB) {
      forget.addEventListener("submit", function (event) {
        event.preventDefault();
        var send = function () { forget.submit(); };
        window.LaporQueue.mine.remove(forget.dataset.forgetDevice).then(send, send);
      });
    }
  });
})();
