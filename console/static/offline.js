// Minyi staff console, offline work on the room grid and household pages:
// the rooms of the round are kept in IndexedDB; with no network, decisions
// and visits are queued there with the device's time and a client id; when
// the network returns they go through the service's sync and each result is
// shown in Chinese. Nothing is lost when the page is closed while offline.
(function () {
  "use strict";
  var root = document.querySelector("[data-offline-round]");
  if (!root || !window.indexedDB) { return; }
  var roundID = root.getAttribute("data-offline-round");
  var csrf = root.getAttribute("data-csrf");
  var queueNote = document.getElementById("queue");
  var resultList = document.getElementById("sync-results");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/console/sw.js", { scope: "/console/" }).catch(function () {});
  }

  function openDB() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("minyi-console", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("rounds", { keyPath: "round_id" });
        db.createObjectStore("queue", { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // inStore runs fn on a store and resolves with the result of the request it returns, once committed.
  function inStore(name, mode, fn) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = fn(tx.objectStore(name));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function queued() {
    return inStore("queue", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (r) { return r.round_id === roundID; });
    });
  }

  function newClientID() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var labels = { agree: "同意", disagree: "不同意", abstain: "弃权" };
  var marks = { agree: "✔", disagree: "✘", abstain: "○" };

  function showQueue() {
    return queued().then(function (records) {
      if (!queueNote) { return; }
      queueNote.hidden = records.length === 0;
      queueNote.textContent = "待上传 " + records.length + " 条" + (navigator.onLine ? "，正在上传…" : "（当前无网络，联网后自动上传）");
      records.forEach(function (r) {
        var cell = document.querySelector('a.cell[data-household="' + r.household_id + '"]');
        if (cell && r.type === "signoff") {
          cell.classList.add("queued");
          var mark = cell.querySelector(".mark");
          if (mark) { mark.textContent = marks[r.decision] + "↑"; }
          cell.setAttribute("aria-label", cell.getAttribute("data-label") + "，" + labels[r.decision] + "（待上传）");
        }
      });
    });
  }

  function queue(record) {
    record.client_id = newClientID();
    record.round_id = roundID;
    record.recorded_at = new Date().toISOString();
    return inStore("queue", "readwrite", function (s) { return s.put(record); }).then(showQueue);
  }

  function addResult(text) {
    if (!resultList) { return; }
    resultList.hidden = false;
    var li = document.createElement("li");
    li.textContent = text;
    resultList.appendChild(li);
  }

  var syncing = false;
  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return queued().then(function (records) {
      if (records.length === 0) { return; }
      var body = records.map(function (r) {
        var copy = {};
        Object.keys(r).forEach(function (k) { if (k !== "round_id" && k !== "label") { copy[k] = r[k]; } });
        return copy;
      });
      var byID = {};
      records.forEach(function (r) { byID[r.client_id] = r; });
      return fetch("/console/rounds/" + encodeURIComponent(roundID) + "/sync", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ records: body })
      }).then(function (response) {
        if (response.status === 401 || response.status === 403) {
          addResult("登录已过期，请重新登录后再上传（记录仍保存在本机）。");
          return;
        }
        if (!response.ok) { return; }
        return response.json().then(function (report) {
          return Promise.all(report.results.map(function (result) {
            var record = byID[result.client_id] || {};
            addResult((record.label || "") + "：" + result.message);
            return inStore("queue", "readwrite", function (s) { return s.delete(result.client_id); });
          })).then(function () {
            addResult("本次上传：成功 " + report.applied + " 条，重复 " + report.duplicates + " 条，未通过 " + report.rejected + " 条。");
          });
        });
      }).catch(function () { /* still offline: the records stay queued */ });
    }).then(function () { syncing = false; return showQueue(); }, function () { syncing = false; });
  }

  // Keep the rooms of the round on the device while online.
  function keepRooms() {
    if (!navigator.onLine) { return; }
    fetch("/console/rounds/" + encodeURIComponent(roundID) + "/offline-data", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { return inStore("rounds", "readwrite", function (s) { return s.put(data); }); } })
      .catch(function () {});
  }

  // The offline panel of the room grid: tap a room, tap a decision, save.
  var panel = document.getElementById("offline-panel");
  var current = null;
  document.addEventListener("click", function (event) {
    var cell = event.target.closest && event.target.closest("a.cell[data-household]");
    if (!cell || navigator.onLine || !panel) { return; }
    event.preventDefault();
    current = { household_id: cell.getAttribute("data-household"), label: cell.getAttribute("data-label") };
    panel.querySelector("[data-room]").textContent = current.label;
    panel.querySelector("#offline-signer").value = cell.getAttribute("data-owner") || "";
    panel.querySelectorAll("input[name=offline-decision]").forEach(function (r) { r.checked = false; });
    panel.hidden = false;
    panel.scrollIntoView();
  });
  if (panel) {
    panel.addEventListener("submit", function (event) {
      event.preventDefault();
      var decision = panel.querySelector("input[name=offline-decision]:checked");
      var signer = panel.querySelector("#offline-signer").value.trim();
      if (!current || !decision || !signer) { panel.querySelector("[data-problem]").textContent = "请选择表态并填写签字人。"; return; }
      panel.querySelector("[data-problem]").textContent = "";
      queue({ type: "signoff", household_id: current.household_id, label: current.label, decision: decision.value, channel: "paper", signer_name: signer })
        .then(function () { panel.hidden = true; current = null; });
    });
    panel.querySelector("[data-cancel]").addEventListener("click", function () { panel.hidden = true; current = null; });
  }

  // The household page's forms: with no network, queue instead of posting.
  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      var data = new FormData(form);
      var record = { household_id: form.getAttribute("data-household"), label: form.getAttribute("data-label") };
      if (form.getAttribute("data-offline") === "decision") {
        record.type = "signoff"; record.decision = data.get("decision"); record.channel = data.get("channel");
        record.signer_name = data.get("signer_name"); record.comment = data.get("comment") || "";
      } else {
        record.type = "visit"; record.outcome = data.get("outcome"); record.note = data.get("note") || "";
      }
      queue(record).then(function () { addResult(record.label + "：已保存在本机，联网后自动上传"); });
    });
  });

  window.addEventListener("online", function () { sync().then(keepRooms); });
  window.addEventListener("offline", showQueue);
  showQueue().then(sync).then(keepRooms);
})();
