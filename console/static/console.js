// Minyi staff console: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Confirm dangerous actions.
  document.addEventListener("submit", function (e) {
    var button = e.submitter || e.target.querySelector("[data-confirm]");
    var text = button && button.getAttribute && button.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { e.preventDefault(); }
  });
  // The new-round form: say what the chosen preset asks of this estate, computed by the server's rule engine.
  var example = document.getElementById("rule-example");
  if (example) {
    document.querySelectorAll("input[data-example]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var url = "/console/rule-example?preset=" + encodeURIComponent(radio.value) +
          "&households=" + encodeURIComponent(example.getAttribute("data-households"));
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (body) { if (body.example) { example.textContent = "按本小区 " + body.example; } });
      });
    });
  }
  // Print buttons on the paper pages.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // After logout, forget the room grids and rooms kept for offline work (records
  // still waiting to be uploaded stay, so nothing recorded is lost).
  if (/[?&]done=logged_out/.test(location.search)) {
    if (window.caches) { caches.delete("minyi-console-v1"); }
    if (window.indexedDB) {
      var open = indexedDB.open("minyi-console", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("rounds", { keyPath: "round_id" });
        open.result.createObjectStore("queue", { keyPath: "client_id" });
      };
      open.onsuccess = function () { open.result.transaction("rounds", "readwrite").objectStore("rounds").clear(); };
    }
  }
  // The staff assignment form: choose the role that matches the account.
  var assign = document.getElementById("assign-user");
  if (assign) {
    var sync = function () {
      var option = assign.options[assign.selectedIndex];
      var role = document.getElementById(assign.getAttribute("data-role-target"));
      if (option && role) { role.value = option.getAttribute("data-role"); }
    };
    assign.addEventListener("change", sync);
    sync();
  }
})();
