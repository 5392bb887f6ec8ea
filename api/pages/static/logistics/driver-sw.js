// The driver page's service worker: the page shell (page, script, style, icon) is kept so the
// route opens on a weak signal; the route and every event always go to the network.
"use strict";
var SHELL = "topllantas-driver-v1";
var FILES = ["/driver", "/static/logistics/driver.js", "/static/logistics/logistics.css",
             "/static/logistics/icon.svg", "/driver/manifest.webmanifest"];
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== SHELL; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || FILES.indexOf(url.pathname) < 0) return;
  // Network first (a fresh page when online), the kept copy when offline.
  event.respondWith(fetch(event.request).then(function (response) {
    var copy = response.clone();
    caches.open(SHELL).then(function (c) { c.put(event.request, copy); });
    return response;
  }).catch(function () { return caches.match(event.request); }));
});
