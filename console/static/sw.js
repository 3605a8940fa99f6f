// Minyi staff console service worker: keeps the console's files and the
// room grids a worker has opened, so that the grid opens with no network.
// Records made offline are kept in IndexedDB by offline.js, not here.
"use strict";
var CACHE = "minyi-console-v1";
var FILES = ["/console/static/console.css", "/console/static/console.js", "/console/static/offline.js", "/console/favicon.ico"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// cacheable: the console's static files and the room grids of rounds.
function cacheable(url) {
  return url.origin === self.location.origin &&
    (url.pathname.indexOf("/console/static/") === 0 || /^\/console\/rounds\/[^/]+\/rooms$/.test(url.pathname));
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !cacheable(new URL(request.url))) {
    return;
  }
  // Network first, so that workers see the current state; the last copy when offline.
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  }));
});
