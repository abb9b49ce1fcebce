/* The report form's file input: size, type and count checked in the browser before anything
   is sent (and the region picker keeps a choice across a late look-up, below), with the limits the page states (data-* attributes written by the server from its
   settings). Progressive enhancement only: without this file the server checks the same
   (lapor.portal.views.submit.check_files), it just does so after the upload. No inline code
   (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  function megabytes(bytes) {
    var text = (bytes / (1024 * 1024)).toFixed(1);
    return document.documentElement.lang.indexOf("id") === 0 ? text.replace(".", ",") : text;
  }

  function problems(input) {
    var found = [];
    var maxBytes = parseInt(input.dataset.maxBytes, 10);
    var maxFiles = parseInt(input.dataset.maxFiles, 10);
    var kept = parseInt(input.dataset.kept || "0", 10);
    var types = (input.dataset.types || "").split(",");
    if (input.files.length + kept > maxFiles) { found.push(input.dataset.tooMany); }
    Array.prototype.forEach.call(input.files, function (file) {
      if (file.size > maxBytes) {
        found.push(file.name + ": " + input.dataset.tooLarge.replace("{size}", megabytes(file.size)));
      } else if (file.type && types.indexOf(file.type) === -1) {
        found.push(file.name + ": " + input.dataset.wrongType);
      }
    });
    return found;
  }

  function show(input, found) {
    var list = document.getElementById(input.id + "_error");
    list.textContent = "";
    found.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    list.hidden = found.length === 0;
    list.setAttribute("role", "alert");
    input.closest(".field").classList.toggle("field--error", found.length > 0);
    if (found.length) { input.setAttribute("aria-invalid", "true"); }
    else { input.removeAttribute("aria-invalid"); }
  }

  // The region look-up runs 400 ms after typing stops; the citizen may search and choose before
  // its answer comes back. An answer to a look-up sent before the choice keeps the choice when
  // the chosen region is still among the options (otherwise the form would lose it silently).
  var chosenRegion = "";
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "region-options") { return; }
    var checked = event.detail.target.querySelector("input[name=region_code]:checked");
    chosenRegion = checked ? checked.value : "";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var options = event.detail.target;
    if (options.id !== "region-options" || !chosenRegion) { return; }
    if (options.querySelector("input[name=region_code]:checked")) { return; }
    var again = options.querySelector("input[name=region_code][value=\"" + CSS.escape(chosenRegion) + "\"]");
    if (again) { again.checked = true; }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      input.addEventListener("change", function () { show(input, problems(input)); });
      input.form.addEventListener("submit", function (event) {
        var found = problems(input);
        show(input, found);
        if (found.length) {
          // Nothing is uploaded: the limit is shown next to the input instead.
          event.preventDefault();
          input.focus();
        }
      });
    });
  });
})();
