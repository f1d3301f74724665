// The door tablet's service worker (issue 19), served at /door/sw.js so it looks after the door's pages only.
// It keeps the offline door page in each language and the files that page loads, nothing else: never the pack
// or the sync (JSON), never a page with anything about a person. A door page the network cannot bring gets
// the offline page instead. The server fills in PAGES, STATIC and the version (door/offline_client.py).
"use strict";
var VERSION = "__VERSION__";
var CACHE = "hub-door-" + VERSION;
var PAGES = "__PAGES__";
var STATIC = "__STATIC__";
var SCOPE = new URL("./", self.location).pathname;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(PAGES.concat(STATIC));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("hub-door-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

// The language the tablet last showed a door page in (door-offline.js keeps it in IndexedDB), else English.
function language() {
  return new Promise(function (resolve) {
    var open;
    try { open = indexedDB.open("hub-door"); } catch (e) { resolve("en"); return; }
    open.onupgradeneeded = function () { open.transaction.abort(); };
    open.onerror = function () { resolve("en"); };
    open.onsuccess = function () {
      var db = open.result;
      try {
        var get = db.transaction("pack").objectStore("pack").get("lang");
        get.onsuccess = function () { db.close(); resolve(get.result || "en"); };
        get.onerror = function () { db.close(); resolve("en"); };
      } catch (e) { db.close(); resolve("en"); }
    };
  });
}

// Everything this worker and door-offline.js keep: the IndexedDB database, the caches, the worker itself.
function forget() {
  return Promise.all([
    new Promise(function (resolve) {
      var del = indexedDB.deleteDatabase("hub-door");
      del.onsuccess = del.onerror = del.onblocked = resolve;
    }),
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key.indexOf("hub-door-") === 0; })
        .map(function (key) { return caches.delete(key); }));
    })
  ]).then(function () { return self.registration.unregister(); });
}

function offlinePage(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, {ignoreVary: true}).then(function (exact) {
      if (exact) { return exact; }
      return language().then(function (lang) {
        var page = PAGES.filter(function (url) { return url.indexOf("lang=" + lang) !== -1; })[0] || PAGES[0];
        return cache.match(page, {ignoreVary: true});
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    // Network first: online, the tablet is the ordinary door; only a failed fetch gets the offline page.
    event.respondWith(fetch(request).then(function (response) {
      // 403 at a door address: this browser is no longer in door mode (its session ran out, or was cleared),
      // so staff never ended it here. Nothing the tablet kept may outlive door mode: forget it all now.
      if (response.status === 403) { event.waitUntil(forget()); }
      return response;
    }, function () {
      return offlinePage(request).then(function (page) { return page || Response.error(); });
    }));
  } else if (request.method === "GET" && STATIC.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(url.pathname, {ignoreVary: true}).then(function (file) { return file || Response.error(); });
    }));
  }
});
