// The ops dashboard's refresh: re-reads /ops/panels (same origin, the session cookie) and swaps
// the figures in place. No framework, no inline script (CSP script-src 'self').
"use strict";
(function () {
  var INTERVAL_MS = 30000;
  function status(text) {
    var el = document.getElementById("refresh-status");
    if (el) { el.textContent = text; }
  }
  function refresh() {
    var panels = document.getElementById("panels");
    if (!panels) { return; }
    status("refreshing...");
    fetch("/ops/panels", { credentials: "same-origin", headers: { Accept: "text/html" },
                           redirect: "manual", cache: "no-store" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) {
          window.location.assign("/ops/login");
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (text) {
        if (text === null) { return; }
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("panels");
        if (fresh) { panels.replaceWith(document.adoptNode(fresh)); }
        status("");
      })
      .catch(function (err) { status("refresh failed: " + err.message); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("refresh");
    var auto = document.getElementById("auto-refresh");
    if (button) { button.addEventListener("click", refresh); }
    if (auto) {
      window.setInterval(function () { if (auto.checked) { refresh(); } }, INTERVAL_MS);
    }
  });
})();
