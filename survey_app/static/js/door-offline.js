// The door tablet without a network (issue 19), loaded on door pages only. Online it registers the door's
// service worker and keeps the pack (POST, with the page's CSRF token) in IndexedDB "hub-door". On the offline
// page it shows one screen at a time and queues what people do, each item with its own one-time token; the
// queue is sent in order, 50 at a time, when the network is back and every 15 s. The staff line says what
// waits. Ending door mode wipes the database, the caches and the worker. Words come from the page.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.indexedDB || !window.Promise) { return; }
  var DB = "hub-door", SEND_EVERY = 15000, BATCH = 50, CSRF_MARGIN = 3600 * 1000, MAX_MATCHES = 6;
  var offline = document.querySelector("[data-offline-page]");
  var exitForm = document.querySelector("form[data-door-exit]");
  var csrfField = document.querySelector('input[name="csrf_token"]');
  var line = document.querySelector("[data-staff-line]");
  var lang = document.documentElement.lang || "en";
  var wiping = false, sending = false, opened = null, timer = null;

  // --- IndexedDB: "pack" (the pack, the next position, the language), "queue" (by position), "refused" ---
  function db() {
    if (wiping) { return Promise.reject(new Error("wiping")); }
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB, 1);
        open.onupgradeneeded = function () {
          var d = open.result;
          d.createObjectStore("pack");
          d.createObjectStore("queue", {keyPath: "position"});
          d.createObjectStore("refused", {keyPath: "token"});
        };
        open.onsuccess = function () {
          var d = open.result;
          d.onversionchange = function () { d.close(); opened = null; };  // another tab is wiping
          resolve(d);
        };
        open.onerror = function () { opened = null; reject(open.error); };
      });
    }
    return opened;
  }
  function tx(stores, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(stores, mode), out = {};
        work(t, out);
        t.oncomplete = function () { resolve(out.value); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function read(store, how, arg) {
    return tx(store, "readonly", function (t, out) {
      t.objectStore(store)[how](arg).onsuccess = function (e) { out.value = e.target.result; };
    });
  }
  function put(store, key, value) {
    return tx(store, "readwrite", function (t) { t.objectStore(store).put(value, key); });
  }

  // --- The staff line ---
  function plural(attr, n) {
    var texts = JSON.parse(line.getAttribute(attr) || "{}"), rule = "other";
    try { rule = new Intl.PluralRules(line.getAttribute("data-locale") || lang).select(n); } catch (e) { /* old */ }
    return (texts[rule] || texts.other || "").replace("{num}", String(n));
  }
  function showLine() {
    if (!line) { return Promise.resolve(); }
    return Promise.all([read("queue", "count"), read("refused", "count")]).then(function (n) {
      var words = [];
      if (n[0]) { words.push(plural("data-waiting", n[0])); }
      if (n[1]) { words.push(plural("data-refused", n[1])); }
      if (line.textContent !== words.join(" ")) { line.textContent = words.join(" "); }
    }).catch(function () { /* storage off or wiped */ });
  }

  // --- The pack: fetched on an online door page when missing, half used, or its CSRF token near expiry ---
  function stale(pack) {
    return !pack || pack.tokens.length - pack.next < pack.tokens.length / 2 ||
      (pack.csrfUntil && Date.now() > pack.csrfUntil - CSRF_MARGIN);
  }
  function fetchPack() {
    if (!csrfField) { return Promise.resolve(null); }
    return fetch(script.getAttribute("data-pack"), {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrfField.value}}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body || !body.tokens) { return null; }
      body.next = 0;
      body.csrfUntil = body.csrf_seconds ? Date.now() + body.csrf_seconds * 1000 : 0;
      return put("pack", "pack", body).then(function () { return body; });
    }).catch(function () { return null; });
  }

  // --- The queue ---
  function enqueue(kind, person, data) {
    // One transaction: two tabs never take the same token or the same position.
    return tx(["pack", "queue"], "readwrite", function (t, out) {
      var packs = t.objectStore("pack");
      packs.get("pack").onsuccess = function (e) {
        var pack = e.target.result;
        if (!pack || pack.next >= pack.tokens.length) { out.value = false; return; }
        packs.get("position").onsuccess = function (e2) {
          var position = (e2.target.result || 0) + 1, token = pack.tokens[pack.next];
          pack.next += 1;
          packs.put(pack, "pack");
          packs.put(position, "position");
          t.objectStore("queue").add({token: token, kind: kind, position: position, person: person, data: data});
          out.value = true;
        };
      };
    }).then(function (queued) { showLine(); send(); return queued; });
  }

  function settle(items, results) {
    var byToken = {};
    items.forEach(function (item) { byToken[item.token] = item; });
    return tx(["queue", "refused"], "readwrite", function (t, out) {
      out.value = 0;
      results.forEach(function (result) {
        var item = byToken[result.token];
        if (!item || (result.outcome !== "saved" && result.outcome !== "refused")) { return; }
        t.objectStore("queue").delete(item.position);
        if (result.outcome === "refused") {
          t.objectStore("refused").put({token: item.token, kind: item.kind, reason: result.reason});
        }
        out.value += 1;
      });
    });
  }

  function sendBatch() {
    return Promise.all([read("pack", "get", "pack"), tx("queue", "readonly", function (t, out) {
      out.value = [];
      t.objectStore("queue").openCursor().onsuccess = function (e) {
        var cursor = e.target.result;
        if (cursor && out.value.length < BATCH) { out.value.push(cursor.value); cursor.continue(); }
      };
    })]).then(function (got) {
      var pack = got[0], items = got[1];
      if (!pack || !items.length) { return null; }
      return fetch(script.getAttribute("data-sync"), {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": pack.csrf},
        body: JSON.stringify({items: items})}).then(function (response) {
        if (response.status === 400 && csrfField) { return fetchPack().then(function () { return null; }); }
        if (!response.ok) { return null; }
        return response.json().then(function (body) {
          return settle(items, body.results || []);
        }).then(function (done) { return done === items.length ? sendBatch() : null; });
      });
    });
  }

  function send() {
    if (sending || wiping || navigator.onLine === false) { return Promise.resolve(); }
    sending = true;
    var work = function () { return sendBatch().catch(function () { /* the network went again */ }); };
    var run = navigator.locks ? navigator.locks.request("hub-door-send", work) : work();
    return run.then(function () { sending = false; return showLine(); }, function () { sending = false; });
  }

  // --- Ending door mode: nothing may be left behind, and nothing unsent may be lost ---
  function wipe() {
    wiping = true;
    clearInterval(timer);
    var closed = opened ? opened.then(function (d) { d.close(); }).catch(function () {}) : Promise.resolve();
    opened = null;
    return Promise.all([
      closed.then(function () {
        return new Promise(function (resolve) {
          var del = indexedDB.deleteDatabase(DB);
          del.onsuccess = del.onerror = function () { resolve(); };
        });
      }),
      window.caches ? caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("hub-door-") === 0; })
          .map(function (k) { return caches.delete(k); }));
      }) : null,
      navigator.serviceWorker ? navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }) : null
    ]);
  }
  if (exitForm) {
    exitForm.addEventListener("submit", function (event) {
      if (exitForm.hasAttribute("data-wiped")) { return; }
      event.preventDefault();
      read("queue", "count").catch(function () { return 0; }).then(function (waiting) {
        var held = document.querySelector("[data-exit-held]");
        if (waiting) {
          held.hidden = false;
          send();
          return;
        }
        // Wiped before the server has checked the password: if it refuses, the next door page fetches the
        // pack again (the queue was empty, so nothing is lost).
        return wipe().then(function () { exitForm.setAttribute("data-wiped", ""); exitForm.submit(); });
      });
    });
  }

  // --- The offline page: one screen at a time ---
  function q(selector, root) { return (root || document).querySelector(selector); }
  function each(selector, fn, root) { Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn); }
  var pack = null, chosen = null, back = null, step = 0;

  function setTitle(text) {
    q("#screen-title").textContent = text;
    document.title = text;
  }
  function show(name) {
    clearTimeout(back);
    if (name === "welcome" && navigator.onLine) {
      window.location.href = script.getAttribute("data-scope");  // the network is back: the ordinary door
    }
    each("[data-screen]", function (s) { s.hidden = s.getAttribute("data-screen") !== name; });
    var screen = q('[data-screen="' + name + '"]');
    setTitle(screen.getAttribute("data-title"));
    if (name === "welcome") { chosen = null; }
    if (name === "sign-in") { q("[data-search]").reset(); q("[data-results]").hidden = true; }
    if (name === "suggest") { q("[data-suggest]").reset(); q("[data-suggest-error]").hidden = true; }
    if (name === "checklist") { q("[data-checklist]").reset(); showStep(0); }
    if (name === "thanks") {
      var wait = q("[data-return-seconds]");
      back = setTimeout(function () { show("welcome"); }, parseInt(wait.getAttribute("data-return-seconds"), 10) * 1000);
    }
    q("#screen-title").focus();
    window.scrollTo(0, 0);
  }

  function checklistOpen() {
    return pack && (pack.meeting.checklist_open || Date.now() >= Date.parse(pack.meeting.starts_at));
  }
  function showMeeting() {
    var ready = !!(pack && pack.tokens && pack.next < pack.tokens.length);
    q("[data-not-ready]").hidden = ready;
    q("[data-meeting]").hidden = q("[data-choices]").hidden = !ready;
    each("[data-when-checklist]", function (el) { el.hidden = !checklistOpen(); });
    if (!ready) { return; }
    var m = pack.meeting, time = "";
    try {
      var f = new Intl.DateTimeFormat(lang, {hour: "numeric", minute: "2-digit", timeZone: "Europe/London"});
      time = f.format(new Date(m.starts_at)) + " – " + f.format(new Date(m.ends_at));
    } catch (e) { time = ""; }
    q("[data-meeting-title]").textContent = m.title;
    q("[data-meeting-time]").textContent = time;
    q("[data-meeting-venue]").textContent = m.venue_name || "";
    q("[data-meeting-venue-line]").hidden = !m.venue_name;
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase().trim();
  }
  // As the online door: the start of the first name, and with a second word only the last name's initial.
  function find(typed) {
    var words = fold(typed).split(/\s+/);
    return pack.people.filter(function (person) {
      var parts = fold(person.name).split(/\s+/);
      if (parts[0].indexOf(words[0]) !== 0) { return false; }
      return !words[1] || (parts.length > 1 && parts[parts.length - 1].charAt(0) === words[1].charAt(0));
    });
  }
  function search(event) {
    event.preventDefault();
    var input = q("[data-search] input"), error = q("[data-search-error]");
    var ok = input.value.replace(/\s/g, "").length >= 2;
    error.hidden = ok;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    if (!ok) { input.focus(); q("[data-results]").hidden = true; return; }
    var found = pack ? find(input.value) : [], list = q("[data-matches]");
    list.textContent = "";
    q("[data-too-many]").hidden = found.length <= MAX_MATCHES;
    q("[data-no-match]").hidden = found.length > 0;
    if (found.length <= MAX_MATCHES) {
      found.forEach(function (person) {
        var li = document.createElement("li"), button = document.createElement("button");
        button.type = "button";
        button.className = "button button--choice";
        button.textContent = person.name;
        button.addEventListener("click", function () {
          chosen = person;
          q("[data-confirm-name]").textContent = person.name;
          show("confirm");
        });
        li.appendChild(button);
        list.appendChild(li);
      });
    }
    list.hidden = !found.length || found.length > MAX_MATCHES;
    q("[data-results]").hidden = false;
  }

  function queueThen(kind, person, data) {
    enqueue(kind, person, data).then(function (queued) { show(queued ? "thanks" : "welcome"); },
      function () { show("welcome"); });
  }

  function suggest(event) {
    event.preventDefault();
    var form = event.target, what = form.elements[0];
    if (!what.value.trim()) {
      var summary = q("[data-suggest-error]");
      summary.hidden = false;
      what.setAttribute("aria-invalid", "true");
      summary.focus();
      return;
    }
    var data = {};
    each("input, textarea", function (el) {
      data[el.name.replace(/^suggest-/, "")] = el.value.trim();
    }, form);
    queueThen("suggest", null, data);
  }

  var steps = [];
  function showStep(n) {
    step = n;
    steps.forEach(function (s, i) { s.hidden = i !== n; });
    setTitle(steps[n].getAttribute("data-title"));
    q("#screen-title").focus();
  }
  function answers() {
    var data = {};
    each("input:checked, textarea", function (el) {
      if (el.value.trim()) { data[el.name] = el.value.trim(); }
    }, q("[data-checklist]"));
    return data;
  }
  function nextStep(skip) {
    if (skip) {
      each("input", function (el) { el.checked = false; }, steps[step]);
      each("textarea", function (el) { el.value = ""; }, steps[step]);
    }
    if (step + 1 < steps.length) { showStep(step + 1); } else { queueThen("checklist", null, answers()); }
  }

  function startOfflinePage() {
    steps = Array.prototype.slice.call(document.querySelectorAll("[data-step]"));
    each("[data-go]", function (el) {
      el.addEventListener("click", function () { show(el.getAttribute("data-go")); });
    });
    each("[data-display]", function (el) {
      el.addEventListener("click", function () {
        var on = document.documentElement.classList.toggle(el.getAttribute("data-display"));
        el.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
    q("[data-search]").addEventListener("submit", search);
    q("[data-suggest]").addEventListener("submit", suggest);
    q("[data-confirm]").addEventListener("click", function () {
      if (chosen) { queueThen("sign_in", {ref: chosen.ref}, {}); }
    });
    each("[data-next]", function (el) { el.addEventListener("click", function () { nextStep(false); }); });
    each("[data-skip]", function (el) { el.addEventListener("click", function () { nextStep(true); }); });
    each("[data-back]", function (el) { el.addEventListener("click", function () { showStep(step - 1); }); });
    read("pack", "get", "pack").catch(function () { return null; }).then(function (found) {
      pack = found;
      showMeeting();
    });
  }

  // --- Every door page ---
  window.addEventListener("online", function () { send(); });
  timer = setInterval(function () { send(); }, SEND_EVERY);
  if (offline) {
    startOfflinePage();
  } else if (!exitForm) {
    var worker = navigator.serviceWorker ? navigator.serviceWorker.register(script.getAttribute("data-sw"),
      {scope: script.getAttribute("data-scope")}).then(function () { return navigator.serviceWorker.ready; })
      : Promise.resolve();
    var packed = put("pack", "lang", lang).then(function () { return read("pack", "get", "pack"); })
      .then(function (pack) { return stale(pack) ? fetchPack() : pack; });
    Promise.all([worker, packed]).then(function (got) {
      if (got[1]) { document.body.setAttribute("data-offline-ready", ""); }
    }).catch(function () { /* no worker or no storage: the door works online only */ });
  }
  showLine();
  send();
}());
