// The door tablet without a network (issue 19; door pages only): the service worker, the pack and the queue
// in IndexedDB "hub-door", sending in order, the staff line, wiping at the exit. The offline page's screens are
// door-offline-page.js (that page only), which uses window.hubDoor.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !window.indexedDB || !window.fetch) { return; }
  const DB = "hub-door", SEND_EVERY = 15000, BATCH = 50, CSRF_MARGIN = 3600e3;
  const q = (selector, root) => (root || document).querySelector(selector);
  const each = (selector, fn, root) => (root || document).querySelectorAll(selector).forEach(fn);
  const offline = q("[data-offline-page]"), exitForm = q("form[data-door-exit]");
  const csrfField = q('input[name="csrf_token"]'), line = q("[data-staff-line]");
  const lang = document.documentElement.lang || "en", urls = script.dataset;
  let wiping = false, sending = false, opened = null;

  // --- IndexedDB: "pack" (the pack, last position, language), "queue" (by position), "refused" ---
  function db() {
    if (wiping) { return Promise.reject(new Error("wiping")); }
    opened = opened || new Promise((resolve, reject) => {
      const open = indexedDB.open(DB, 1);
      open.onupgradeneeded = () => {
        const d = open.result;
        d.createObjectStore("pack");
        d.createObjectStore("queue", {keyPath: "position"});
        d.createObjectStore("refused", {keyPath: "token"});
      };
      open.onsuccess = () => {
        open.result.onversionchange = () => { open.result.close(); opened = null; };  // another tab wipes
        resolve(open.result);
      };
      open.onerror = () => { opened = null; reject(open.error); };
    });
    return opened;
  }
  // Resolves with out.value when the transaction completes.
  const tx = (stores, mode, work) => db().then((d) => new Promise((resolve, reject) => {
    const t = d.transaction(stores, mode), out = {};
    work(t, out);
    t.oncomplete = () => resolve(out.value);
    t.onerror = t.onabort = () => reject(t.error);
  }));
  const read = (store, how, arg) => tx(store, "readonly", (t, out) => {
    t.objectStore(store)[how](arg).onsuccess = (e) => { out.value = e.target.result; };
  });
  const put = (key, value) => tx("pack", "readwrite", (t) => t.objectStore("pack").put(value, key));

  // --- The staff line: a text per plural category, {num} the number ---
  function plural(attr, n) {
    const texts = JSON.parse(line.getAttribute(attr) || "{}");
    const rule = new Intl.PluralRules(line.dataset.locale || lang).select(n);
    return (texts[rule] || texts.other || "").replace("{num}", String(n));
  }
  async function showLine() {
    try {
      const waiting = await read("queue", "count"), refused = await read("refused", "count");
      const words = [waiting && plural("data-waiting", waiting), refused && plural("data-refused", refused)];
      const text = words.filter(Boolean).join(" ");
      if (line.textContent !== text) { line.textContent = text; }
    } catch (e) { /* no line, storage off, or wiped */ }
  }

  // --- The pack: fetched when missing, half its tokens used, or its CSRF token near expiry ---
  const stale = (p) => !p || p.tokens.length - p.next < p.tokens.length / 2 ||
    (p.csrfUntil && Date.now() > p.csrfUntil - CSRF_MARGIN);
  async function fetchPack() {
    if (!csrfField) { return null; }
    try {
      const response = await fetch(urls.pack, {method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": csrfField.value}});
      const pack = response.ok ? await response.json() : null;
      if (!pack || !pack.tokens) { return null; }
      pack.next = 0;
      pack.csrfUntil = pack.csrf_seconds ? Date.now() + pack.csrf_seconds * 1000 : 0;
      // Someone registered on this tablet whose registration is not sent yet stays on the name list.
      await tx(["pack", "queue"], "readwrite", (t) => {
        t.objectStore("queue").getAll().onsuccess = (e) => {
          const waiting = new Set(e.target.result.filter((i) => i.kind === "register").map((i) => i.token));
          t.objectStore("pack").get("pack").onsuccess = (e2) => {
            const kept = ((e2.target.result || {}).people || []).filter((p) => waiting.has(p.registered));
            pack.people = pack.people.concat(kept);
            t.objectStore("pack").put(pack, "pack");
          };
        };
      });
      return pack;
    } catch (e) { return null; }
  }

  // --- The queue ---
  // One transaction: two tabs never take the same token or the same position. Resolves with the item's token.
  async function enqueue(kind, person, data) {
    const queued = await tx(["pack", "queue"], "readwrite", (t, out) => {
      const packs = t.objectStore("pack");
      packs.get("pack").onsuccess = (e) => {
        const pack = e.target.result;
        if (!pack || pack.next >= pack.tokens.length) { return; }
        packs.get("position").onsuccess = (e2) => {
          const position = (e2.target.result || 0) + 1, token = pack.tokens[pack.next];
          pack.next += 1;
          packs.put(pack, "pack");
          packs.put(position, "position");
          t.objectStore("queue").add({token, kind, position, person, data});
          out.value = token;
        };
      };
    });
    await showLine();
    send();
    return queued;
  }

  // An item whose result came leaves the queue; a refused one is counted (no answers kept).
  const settle = (items, results) => tx(["queue", "refused"], "readwrite", (t, out) => {
    const byToken = new Map(items.map((item) => [item.token, item]));
    out.value = 0;
    results.forEach((result) => {
      const item = byToken.get(result.token);
      if (!item || !["saved", "refused"].includes(result.outcome)) { return; }
      t.objectStore("queue").delete(item.position);
      if (result.outcome === "refused") {
        t.objectStore("refused").put({token: item.token, kind: item.kind, reason: result.reason});
      }
      out.value += 1;
    });
  });

  async function sendAll() {
    for (;;) {
      const pack = await read("pack", "get", "pack");
      const items = await tx("queue", "readonly", (t, out) => {
        out.value = [];
        t.objectStore("queue").openCursor().onsuccess = (e) => {
          const cursor = e.target.result;
          if (cursor && out.value.length < BATCH) { out.value.push(cursor.value); cursor.continue(); }
        };
      });
      if (!pack || !items.length || (urls.meeting && (pack.meeting || {}).key !== urls.meeting)) { return; }
      const response = await fetch(urls.sync, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": pack.csrf}, body: JSON.stringify({items})});
      if (response.status === 400 && csrfField) { await fetchPack(); }  // CSRF token refused: a new pack
      if (!response.ok) { return; }
      const done = await settle(items, (await response.json()).results || []);
      if (done !== items.length) { return; }
    }
  }
  // One tab sends at a time (Web Locks); another then finds the queue sent.
  async function send() {
    if (sending || wiping || navigator.onLine === false) { return; }
    sending = true;
    const work = () => sendAll().catch(() => { /* the network went again: next time */ });
    try { await (navigator.locks ? navigator.locks.request("hub-door-send", work) : work()); } finally {
      sending = false;
    }
    await showLine();
  }

  // --- Ending door mode: nothing left on the tablet, nothing unsent lost ---
  async function wipe() {
    wiping = true;
    clearInterval(timer);
    if (opened) { (await opened.catch(() => null) || {close() {}}).close(); }
    opened = null;
    await Promise.all([
      new Promise((resolve) => { const del = indexedDB.deleteDatabase(DB); del.onsuccess = del.onerror = resolve; }),
      window.caches && caches.keys().then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("hub-door-")).map((k) => caches.delete(k)))),
      navigator.serviceWorker && navigator.serviceWorker.getRegistrations().then((regs) => Promise.all(
        regs.map((r) => r.unregister())))]);
  }
  exitForm && exitForm.addEventListener("submit", async (event) => {
    if (exitForm.hasAttribute("data-wiped")) { return; }
    event.preventDefault();
    if (await read("queue", "count").catch(() => 0)) {
      q("[data-exit-held]").hidden = false;
      send();
      return;
    }
    // Wiped before the password is checked: if refused, the next door page fetches a new pack (nothing lost).
    await wipe();
    exitForm.setAttribute("data-wiped", "");
    exitForm.submit();
  });

  // An online door page (not the exit): the worker, the language, the pack.
  async function getReady() {
    const worker = navigator.serviceWorker && navigator.serviceWorker.register(urls.sw, {scope: urls.scope})
      .then(() => navigator.serviceWorker.ready);
    let current = await read("pack", "get", "pack");
    if (current && (current.meeting || {}).key !== urls.meeting) {
      // Kept for another meeting (its door mode ran out, not ended by staff): it cannot be sent from this one.
      await tx(["pack", "queue", "refused"], "readwrite", (t) => {
        ["pack", "queue", "refused"].forEach((name) => t.objectStore(name).clear());
      });
      current = null;
    }
    await put("lang", lang);
    const ready = stale(current) ? await fetchPack() : current;
    await worker;
    if (ready) { document.body.setAttribute("data-offline-ready", ""); }  // (for tests)
  }

  // --- Every door page ---
  addEventListener("online", send);
  const timer = setInterval(send, SEND_EVERY);
  // For door-offline-page.js (loaded after this script, on the offline page only).
  window.hubDoor = {read, put, tx, enqueue, urls, lang, q, each};
  if (offline) { /* door-offline-page.js shows its screens */ } else if (!exitForm) {
    getReady().catch(() => { /* no worker or storage: online only */ });
  }
  showLine();
  send();
})();
