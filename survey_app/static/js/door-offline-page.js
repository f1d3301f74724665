// The door's offline page (issue 19; that page only, cached by the door's worker): its screens, one at a time,
// each answer queued through door-offline.js (window.hubDoor). One person's turn ("visit") runs from welcome to
// welcome: who they are ({ref} from the pack, or {registered: the token of the registration queued for them}),
// a random key for their votes, and the ideas they voted for.
(() => {
  "use strict";
  const hub = window.hubDoor, root = document.querySelector("[data-offline-page]");
  if (!hub || !root) { return; }
  const {read, tx, enqueue, lang, q, each} = hub;
  const MAX_MATCHES = 6, REGISTER = ["name", "role", "contact", "detail", "format", "consent"];
  let pack = null, chosen = null, back = null, idle = null, step = 0, steps = [], screen = "welcome";
  let visit = null, regAt = "name", changing = false;
  const regForm = q("[data-register]"), detailFor = JSON.parse(regForm.dataset.detailFor);

  function newVisit() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    const key = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    visit = {person: null, key, voted: new Set()};
  }
  // A field's key in the queued answers: its name without the page's prefix ("reg-name-first_name").
  const key = (el) => el.name.slice(el.name.lastIndexOf("-") + 1);

  function setTitle(text) {
    q("#screen-title").textContent = document.title = text;
    q("#screen-title").focus();
  }
  // Back to welcome when nobody touches the screen (as online: data-idle-seconds, longer when registering).
  function touch() {
    clearTimeout(idle);
    if (screen === "welcome") { return; }
    const s = q(`[data-screen="${screen}"]`).dataset.idleSeconds || root.dataset.idleSeconds;
    idle = setTimeout(() => show("welcome"), s * 1000);
  }
  function show(name) {
    clearTimeout(back);
    if (name === "welcome" && navigator.onLine) { location.href = hub.urls.scope; }  // the online door
    screen = name;
    each("[data-screen]", (s) => { s.hidden = s.dataset.screen !== name; });
    setTitle(q(`[data-screen="${name}"]`).dataset.title);
    each("[data-problem]", (p) => { p.hidden = true; });
    if (name === "welcome") { newVisit(); regForm.reset(); each("form", (f) => f.reset(), root); }
    if (name === "sign-in") { q("[data-search]").reset(); q("[data-results]").hidden = true; }
    if (name === "suggest") { q("[data-suggest]").reset(); q("[data-suggest-error]").hidden = true; }
    if (name === "checklist") { q("[data-checklist]").reset(); showStep(0); }
    if (name === "support" || name === "thanks-choice") { q("form", q(`[data-screen="${name}"]`)).reset(); }
    if (name === "register") { changing = false; showPage("name"); }
    if (name === "vote") { showIdeas(); }
    if (name === "thanks") {
      back = setTimeout(() => show("welcome"), q("[data-return-seconds]").dataset.returnSeconds * 1000);
    }
    touch();
    scrollTo(0, 0);
  }

  // --- Required fields, as the online forms check them, with their words (data-need, data-bad) ---
  function clearErrors(box) {
    each("[data-error]", (p) => p.remove(), box);
    each("[aria-invalid]", (el) => el.removeAttribute("aria-invalid"), box);
  }
  function check(box) {
    clearErrors(box);
    const problems = [];
    each("[data-need]", (need) => {
      const inputs = Array.from(need.querySelectorAll("input, textarea")), first = inputs[0];
      if (!first || (need.dataset.needIf && !q(`#${need.dataset.needIf}`).checked)) { return; }
      const typed = first.type === "radio" || first.type === "checkbox" ? inputs.some((i) => i.checked) :
        first.value.trim();
      const bad = typed && need.dataset.pattern && !new RegExp(need.dataset.pattern).test(first.value.trim());
      const message = !typed ? need.dataset.need : bad ? need.dataset.bad : "";
      if (!message) { return; }
      const p = document.createElement("p");
      p.className = "error-message";
      p.id = `${first.id}-error`;
      p.setAttribute("data-error", "");
      p.append(Object.assign(document.createElement("span"), {className: "visually-hidden",
        textContent: root.dataset.errorPrefix}), ` ${message}`);
      const legend = need.querySelector("legend");
      if (legend) { legend.after(p); } else { need.prepend(p); }
      inputs.forEach((i) => i.setAttribute("aria-invalid", "true"));
      problems.push([first.id, message]);
    }, box);
    const summary = q("[data-problem]", q(`[data-screen="${screen}"]`));
    summary.hidden = !problems.length;
    const list = q("[data-problem-list]", summary);
    list.textContent = "";
    problems.forEach(([id, message]) => {
      list.appendChild(document.createElement("li")).appendChild(
        Object.assign(document.createElement("a"), {href: `#${id}`, textContent: message}));
    });
    if (problems.length) { summary.focus(); }
    return !problems.length;
  }
  // The answers of a form (or part of one): text trimmed, a ticked box true, the chosen radio's value.
  function answers(box, out = {}) {
    each("input, textarea", (el) => {
      if (el.type === "checkbox") { if (el.checked) { out[key(el)] = true; } }
      else if (el.type !== "radio" || el.checked) { if (el.value.trim()) { out[key(el)] = el.value.trim(); } }
    }, box);
    return out;
  }

  // --- I'm new here: one question at a time, then "Check your answers" ---
  const page = (name) => q(`[data-page="${name}"]`);
  function order() {
    const method = answers(page("contact")).contact_method;
    return REGISTER.filter((s) => s !== "detail" || !method || detailFor[method])
      .map((s) => (s === "detail" ? detailFor[method] || "email" : s));
  }
  function showPage(name) {
    const pages = order();
    if (screen !== "register") { show("register"); }
    regAt = name;
    each("[data-page]", (p) => { p.hidden = p.dataset.page !== name; });
    clearErrors(regForm);
    q("[data-problem]", q('[data-screen="register"]')).hidden = true;
    const progress = q("[data-progress]");
    progress.textContent = progress.dataset.progress.replace("98", pages.indexOf(name) + 1).replace("99", pages.length);
    setTitle(page(name).dataset.title);
    scrollTo(0, 0);
  }
  function nextPage(event) {
    event.preventDefault();
    if (!check(page(regAt))) { return; }
    const pages = order(), at = pages.indexOf(regAt);
    if (changing && regAt !== "contact") { showCheck(); return; }
    if (at + 1 < pages.length) { showPage(pages[at + 1]); } else { showCheck(); }
  }
  function previousPage() {
    const pages = order(), at = pages.indexOf(regAt);
    if (changing) { showCheck(); } else if (at > 0) { showPage(pages[at - 1]); } else { show("welcome"); }
  }
  const choiceLabel = (name) => {
    const picked = q("input:checked", page(name));
    return picked ? q(`label[for="${picked.id}"]`).textContent.trim() : "";
  };
  function showCheck() {
    const pages = order(), given = answers(regForm);
    show("check");
    changing = true;
    each("[data-row]", (row) => {
      const name = row.dataset.row, answer = q("[data-answer]", row);
      row.hidden = !pages.includes(name);
      if (name === "name") { answer.textContent = `${given.first_name || ""} ${given.last_name || ""}`; }
      else if (["role", "contact", "format"].includes(name)) { answer.textContent = choiceLabel(name); }
      else if (name !== "consent") { answer.textContent = answers(page(name)).address || answers(page(name))[name] || ""; }
    });
  }
  async function save() {
    const data = {lang};
    order().forEach((name) => answers(page(name), data));
    const token = await enqueue("register", null, data).catch(() => null);
    if (!token) { show("welcome"); return; }
    // The tablet's name list knows them now, so they can sign in again before the network is back.
    const name = `${data.first_name} ${data.last_name.slice(0, 1)}.`;
    visit.person = {registered: token};
    await tx("pack", "readwrite", (t) => {
      const packs = t.objectStore("pack");
      packs.get("pack").onsuccess = (e) => {
        const kept = e.target.result;
        if (kept) { kept.people.push({name, registered: token}); packs.put(kept, "pack"); pack = kept; }
      };
    }).catch(() => {});
    show("thanks-choice");
  }

  // --- Sign in ---
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

  // Queued, then the next screen (welcome if the tablet has no pack or no token left); a double tap queues once.
  let busy = false;
  function queueThen(kind, person, data, next) {
    if (busy) { return; }
    busy = true;
    enqueue(kind, person, data).then((queued) => show(queued ? next : "welcome"), () => show("welcome"))
      .finally(() => { busy = false; });
  }

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
    queueThen("suggest", null, data, "thanks");
  }

  // --- Vote: the pack's ideas, once each per person's turn ---
  function showIdeas() {
    const list = q("[data-ideas]"), ideas = (pack && pack.suggestions) || [];
    list.textContent = "";
    q("[data-no-ideas]").hidden = ideas.length > 0;
    list.hidden = !ideas.length;
    ideas.forEach((idea, i) => {
      const card = q("[data-idea]").content.firstElementChild.cloneNode(true), button = q("[data-vote]", card);
      q("[data-idea-what]", card).textContent = idea.what;
      q("[data-idea-what]", card).id = `idea-${i}`;
      button.setAttribute("aria-describedby", `idea-${i}`);
      const voted = () => { button.parentNode.hidden = true; q("[data-voted]", card).hidden = false; };
      if (visit.voted.has(idea.ref)) { voted(); }
      button.onclick = async () => {
        if (visit.voted.has(idea.ref)) { return; }
        visit.voted.add(idea.ref);
        if (await enqueue("vote", visit.person, {suggestion: idea.ref, visit: visit.key}).catch(() => null)) {
          voted();
          q("[data-voted]", card).focus();
        } else { visit.voted.delete(idea.ref); }
      };
      list.appendChild(card);
    });
  }

  // --- The checklist ---
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
    queueThen("checklist", null, data, "thanks");
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

  async function start() {
    newVisit();
    steps = Array.from(document.querySelectorAll("[data-step]"));
    q("[data-search]").addEventListener("submit", search);
    q("[data-suggest]").addEventListener("submit", suggest);
    regForm.addEventListener("submit", nextPage);
    q("[data-thanks-choice]").addEventListener("submit", (event) => {
      event.preventDefault();
      if (check(event.target)) { queueThen("thanks_choice", visit.person, answers(event.target), "support"); }
    });
    q("[data-support]").addEventListener("submit", (event) => {
      event.preventDefault();
      if (check(event.target)) { queueThen("support", visit.person, answers(event.target), "thanks"); }
    });
    document.addEventListener("click", (event) => {
      const el = event.target.closest("[data-go], [data-next], [data-skip], [data-back], [data-display], " +
        "[data-confirm], [data-reg-back], [data-change], [data-save]");
      const d = el ? el.dataset : {};
      if (d.go) { show(d.go); } else if ("next" in d || "skip" in d) { nextStep("skip" in d); }
      else if ("back" in d) { showStep(step - 1); }
      else if (d.display) { el.setAttribute("aria-pressed", String(document.documentElement.classList.toggle(d.display))); }
      else if ("confirm" in d && chosen) {
        visit.person = chosen.ref ? {ref: chosen.ref} : {registered: chosen.registered};
        queueThen("sign_in", visit.person, {}, "support");
      } else if ("regBack" in d) { previousPage(); }
      else if (d.change) {
        showPage(["email", "phone", "address", "letters_address"].includes(d.change) ? order()[3] : d.change);
        changing = true;
      }
      else if ("save" in d && !busy) { busy = true; save().finally(() => { busy = false; }); }
    });
    ["pointerdown", "keydown", "input"].forEach((type) => addEventListener(type, touch, {passive: true}));
    pack = await read("pack", "get", "pack").catch(() => null);
    showMeeting();
  }
  start();
})();
