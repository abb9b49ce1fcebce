/* Small progressive enhancements shared by the portal and the workspace. Every page works
   without this file; nothing here is inline (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  function text(el) { return (el.value !== undefined ? el.value : el.textContent).trim(); }

  function init(root) {
    // Controls that only make sense with JavaScript are rendered hidden and revealed here.
    root.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });

    root.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.dataset.copy);
        if (!target || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(text(target)).then(function () {
          var done = button.dataset.copied;
          if (done) { var before = button.textContent; button.textContent = done;
            setTimeout(function () { button.textContent = before; }, 2000); }
        });
      });
    });

    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    root.querySelectorAll("[data-geolocate]").forEach(function (button) {
      button.addEventListener("click", function () {
        var status = document.getElementById(button.dataset.status);
        if (!navigator.geolocation) { return; }
        if (status) { status.textContent = button.dataset.waiting || ""; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          document.getElementById(button.dataset.lat).value = pos.coords.latitude.toFixed(6);
          document.getElementById(button.dataset.lng).value = pos.coords.longitude.toFixed(6);
          if (status) { status.textContent = button.dataset.done || ""; }
        }, function () { if (status) { status.textContent = button.dataset.failed || ""; } },
        { enableHighAccuracy: true, timeout: 15000 });
      });
    });

    // Warn before leaving a half-filled form; submitting it is not "leaving".
    root.querySelectorAll("form[data-guard]").forEach(function (form) {
      var dirty = false;
      form.addEventListener("input", function () { dirty = true; });
      form.addEventListener("submit", function () { dirty = false; });
      window.addEventListener("beforeunload", function (event) {
        if (dirty) { event.preventDefault(); event.returnValue = ""; }
      });
    });

    // A staff text whose readers follow a choice in the form (a follow-up "only for the
    // reporter"): the tag beside the field names the chosen readers.
    root.querySelectorAll("[data-visibility-of]").forEach(function (tag) {
      var form = tag.closest("form");
      if (!form) { return; }
      form.addEventListener("change", function (event) {
        var input = event.target;
        if (input.name !== tag.dataset.visibilityOf || !input.checked) { return; }
        var label = input.closest("label");
        if (label) { tag.textContent = text(label); }
        tag.dataset.visibility = input.value === "0" ? "reporter" : "public";
      });
    });

    root.querySelectorAll("[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) { init(event.target); }
  });
})();
