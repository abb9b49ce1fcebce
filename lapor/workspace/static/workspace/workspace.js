/* Progressive enhancements of the staff pages. Every page works without this file; nothing
   here is inline (the Content-Security-Policy forbids it).

   Type-to-filter for long unit lists (select[data-filterable], lapor/workspace/targets.py): a
   search box before the list keeps only the units whose name (or group) contains every typed
   word, accents and case ignored. The list itself stays a plain <select> with its <optgroup>s,
   so the keyboard, screen readers and a form posted without JavaScript all work as before. */
(function () {
  "use strict";

  function fold(text) {
    return text.toLocaleLowerCase("id").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function enhance(select) {
    if (select.dataset.filterReady) { return; }
    select.dataset.filterReady = "1";
    var original = Array.prototype.map.call(select.children, function (node) {
      return node.cloneNode(true);
    });
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "ws-filter";
    input.autocomplete = "off";
    input.setAttribute("aria-label", select.dataset.filterLabel || "");
    input.setAttribute("placeholder", select.dataset.filterLabel || "");
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "help ws-filter-status";
    status.setAttribute("role", "status");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      var shown = [];
      function keep(option, group) {
        var text = fold(option.textContent + " " + group);
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      }
      select.textContent = "";
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) {
            if (keep(option, node.label)) {
              var copy = option.cloneNode(true);
              group.appendChild(copy);
              shown.push(copy);
            }
          });
          if (group.children.length) { select.appendChild(group); }
        } else if (node.value === "" || keep(node, "")) {
          var copy = node.cloneNode(true);
          select.appendChild(copy);
          if (node.value !== "") { shown.push(copy); }
        }
      });
      var still = shown.some(function (o) { return o.value === chosen; });
      if (still) {
        select.value = chosen;
      } else if (words.length && shown.length === 1) {
        select.value = shown[0].value;  // one match: chosen, ready to submit
      } else {
        select.value = "";
      }
      if (!words.length) {
        status.textContent = "";
      } else if (!shown.length) {
        status.textContent = select.dataset.filterNone || "";
      } else {
        status.textContent = (select.dataset.filterCount || "") + " " + shown.length;
      }
    }

    input.addEventListener("input", apply);
    // Enter in the box must not submit the form with a unit the person has not seen chosen.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  function init(root) {
    root.querySelectorAll("select[data-filterable]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) {
    if (event.target !== document.body) { init(event.target); }
  });
})();
