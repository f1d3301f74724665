// The door tablet without a network (issue 19; door pages only): the service worker, the pack and the queue
// in IndexedDB "hub-door", sending in order, the staff line, the offline page's screens, wiping at the exit.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !window.indexedDB || !window.fetch) { return; }
  const DB = "hub-door", SEND_EVERY = 15000, BATCH = 50, CSRF_MARGIN = 3600e3, MAX_MATCHES = 6;
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
      await put("pack", pack);
      return pack;
    } catch (e) { return null; }
  }

  // --- The queue ---
  // One transaction: two tabs never take the same token or the same position.
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
          out.value = true;
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
      if (!pack || !items.length) { return; }
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

  // --- The offline page: one screen at a time, its title in the h1 ---
  let pack = null, chosen = null, back = null, step = 0, steps = [];
  function setTitle(text) {
    q("#screen-title").textContent = document.title = text;
    q("#screen-title").focus();
  }
  function show(name) {
    clearTimeout(back);
    if (name === "welcome" && navigator.onLine) { location.href = urls.scope; }  // the online door
    each("[data-screen]", (s) => { s.hidden = s.dataset.screen !== name; });
    setTitle(q(`[data-screen="${name}"]`).dataset.title);
    if (name === "sign-in") { q("[data-search]").reset(); q("[data-results]").hidden = true; }
    if (name === "suggest") { q("[data-suggest]").reset(); q("[data-suggest-error]").hidden = true; }
    if (name === "checklist") { q("[data-checklist]").reset(); showStep(0); }
    if (name === "thanks") {
      back = setTimeout(() => show("welcome"), q("[data-return-seconds]").dataset.returnSeconds * 1000);
    }
    scrollTo(0, 0);
  }

  function showMeeting() {
    const ready = !!(pack && pack.next < pack.tokens.length), m = ready && pack.meeting;
    q("[data-not-ready]").hidden = ready;
    q("[data-meeting]").hidden = q("[data-choices]").hidden = !ready;
    // Open once the meeting has started (the server checks again).
    each("[data-when-checklist]", (el) => { el.hidden = !(m && (m.checklist_open || Date.now() >= Date.parse(m.starts_at))); });
    if (!ready) { return; }
    const f = new Intl.DateTimeFormat(lang, {hour: "numeric", minute: "2-digit", timeZone: "Europe/London"});
    const time = `${f.format(new Date(m.starts_at))} – ${f.format(new Date(m.ends_at))}`;
    q("[data-meeting-title]").textContent = m.title;
    q("[data-meeting-time]").textContent = time;
    q("[data-meeting-venue]").textContent = m.venue_name || "";
    q("[data-meeting-venue-line]").hidden = !m.venue_name;
  }

  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase().trim();
  // As online: the first name's start; a second word, only the last name's initial.
  function find(typed) {
    const words = fold(typed).split(/\s+/);
    return pack.people.filter((person) => {
      const parts = fold(person.name).split(/\s+/);
      return parts[0].startsWith(words[0]) &&
        (!words[1] || (parts.length > 1 && parts[parts.length - 1][0] === words[1][0]));
    });
  }
  function search(event) {
    event.preventDefault();
    const input = q("[data-search] input"), ok = input.value.replace(/\s/g, "").length >= 2;
    q("[data-search-error]").hidden = ok;
    input.setAttribute("aria-invalid", String(!ok));
    q("[data-results]").hidden = !ok;
    if (!ok) { input.focus(); return; }
    const found = pack ? find(input.value) : [], list = q("[data-matches]"), many = found.length > MAX_MATCHES;
    list.textContent = "";
    q("[data-too-many]").hidden = !many;
    q("[data-no-match]").hidden = found.length > 0;
    list.hidden = many || !found.length;
    if (many) { return; }
    found.forEach((person) => {
      const li = list.appendChild(document.createElement("li")), b = li.appendChild(document.createElement("button"));
      b.type = "button";
      b.className = "button button--choice";
      b.textContent = person.name;
      b.onclick = () => { chosen = person; q("[data-confirm-name]").textContent = person.name; show("confirm"); };
    });
  }

  const queueThen = (kind, person, data) => enqueue(kind, person, data)
    .then((queued) => show(queued ? "thanks" : "welcome"), () => show("welcome"));

  function suggest(event) {
    event.preventDefault();
    const form = event.target, what = form.elements[0];
    if (!what.value.trim()) {
      q("[data-suggest-error]").hidden = false;
      what.setAttribute("aria-invalid", "true");
      q("[data-suggest-error]").focus();
      return;
    }
    const data = {};
    each("input, textarea", (el) => { data[el.name.replace(/^suggest-/, "")] = el.value.trim(); }, form);
    queueThen("suggest", null, data);
  }

  function showStep(n) {
    step = n;
    steps.forEach((s, i) => { s.hidden = i !== n; });
    setTitle(steps[n].dataset.title);
  }
  function nextStep(skip) {
    if (skip) {
      each("input", (el) => { el.checked = false; }, steps[step]);
      each("textarea", (el) => { el.value = ""; }, steps[step]);
    }
    if (step + 1 < steps.length) { showStep(step + 1); return; }
    const data = {};
    each("input:checked, textarea", (el) => { if (el.value.trim()) { data[el.name] = el.value.trim(); } },
      q("[data-checklist]"));
    queueThen("checklist", null, data);
  }

  async function startOfflinePage() {
    steps = Array.from(document.querySelectorAll("[data-step]"));
    q("[data-search]").addEventListener("submit", search);
    q("[data-suggest]").addEventListener("submit", suggest);
    document.addEventListener("click", (event) => {
      const el = event.target.closest("[data-go], [data-next], [data-skip], [data-back], [data-display], [data-confirm]");
      const d = el ? el.dataset : {};
      if (d.go) { show(d.go); } else if ("next" in d || "skip" in d) { nextStep("skip" in d); }
      else if ("back" in d) { showStep(step - 1); }
      else if (d.display) { el.setAttribute("aria-pressed", String(document.documentElement.classList.toggle(d.display))); }
      else if ("confirm" in d && chosen) { queueThen("sign_in", {ref: chosen.ref}, {}); }
    });
    pack = await read("pack", "get", "pack").catch(() => null);
    showMeeting();
  }

  // An online door page (not the exit): the worker, the language, the pack.
  async function getReady() {
    const worker = navigator.serviceWorker && navigator.serviceWorker.register(urls.sw, {scope: urls.scope})
      .then(() => navigator.serviceWorker.ready);
    await put("lang", lang);
    const current = await read("pack", "get", "pack");
    const ready = stale(current) ? await fetchPack() : current;
    await worker;
    if (ready) { document.body.setAttribute("data-offline-ready", ""); }  // (for tests)
  }

  // --- Every door page ---
  addEventListener("online", send);
  const timer = setInterval(send, SEND_EVERY);
  if (offline) { startOfflinePage(); } else if (!exitForm) {
    getReady().catch(() => { /* no worker or storage: online only */ });
  }
  showLine();
  send();
})();
