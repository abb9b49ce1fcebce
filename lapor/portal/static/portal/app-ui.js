/* Small page helpers shared by the citizen app's scripts (report-app.js, device-reports.js):
   one global, LaporUI. Elements are built with textContent only (never HTML from data). */
(function (root) {
  "use strict";

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (_, name) {
      return values[name] === undefined ? "" : values[name];
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; }
      else if (name === "className") { node.className = attrs[name]; }
      else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function language() {
    return (document.documentElement.lang || "id").indexOf("en") === 0 ? "en" : "id";
  }

  root.LaporUI = { json: json, fill: fill, el: el, language: language };
})(window);
