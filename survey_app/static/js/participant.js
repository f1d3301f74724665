// Participant pages work without this file. It only adds: focus on the error summary, keeping what
// someone typed if the network drops (sessionStorage, cleared when they finish), and on the door
// tablet a warning before an untouched screen is cleared (WCAG 2.2.1), and a return to the start; and on
// every participant page the Listen button (listen.js).
(function () {
  "use strict";
  // How long an untouched door screen waits before the warning: <body data-idle-seconds> (a template sets
  // idle_seconds; the registration pages wait longer), else three minutes. The warning's own count
  // (data-warn-seconds on the dialog) and the thank-you screen's return (data-auto-return) come from the
  // templates, which also say the numbers in words.
  var DEFAULT_IDLE_SECONDS = 180, DEFAULT_WARN_SECONDS = 30, DEFAULT_RETURN_SECONDS = 15, PREFIX = "hub-draft:";
  function seconds(value, fallback) {
    var n = parseInt(value, 10);
    return n > 0 ? n : fallback;
  }

  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  function clearDrafts() {
    try {
      Object.keys(sessionStorage).forEach(function (k) { if (k.indexOf(PREFIX) === 0) { sessionStorage.removeItem(k); } });
    } catch (e) { /* storage may be off: drafts are a nicety */ }
  }

  var door = document.body.getAttribute("data-door");
  var autoReturn = document.querySelector("[data-auto-return]");
  // (Not on the door's offline page, door-offline.js: shown when the network drops, a draft is still wanted.)
  if ((autoReturn || document.querySelector(".big-choices")) && !document.querySelector("[data-offline-page]")) {
    clearDrafts();
  }
  if (autoReturn) {
    var returnSeconds = seconds(autoReturn.getAttribute("data-auto-return"), DEFAULT_RETURN_SECONDS);
    setTimeout(function () { window.location.href = autoReturn.href; }, returnSeconds * 1000);
  }

  // Drafts: save every change, restore into empty fields when the page is shown again.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    // Kept per address and per door visit (data-draft), so a draft never fills in the next person's form.
    var key = PREFIX + window.location.pathname + "|" + (form.getAttribute("data-draft") || "");
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (saved && !document.querySelector(".error-summary")) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || !(el.name in saved)) { return; }
        if (el.type === "checkbox") { el.checked = saved[el.name].indexOf(el.value) !== -1; }
        else if (el.type === "radio") { el.checked = saved[el.name].indexOf(el.value) !== -1; }
        else if (!el.value) { el.value = saved[el.name][0] || ""; }
      });
    }
    function save() {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit") { return; }
        data[el.name] = data[el.name] || [];
        if ((el.type === "checkbox" || el.type === "radio")) { if (el.checked) { data[el.name].push(el.value); } }
        else { data[el.name].push(el.value); }
      });
      try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* full or off */ }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  });

  if (!door) { return; }
  var dialog = document.getElementById("idle-warning");
  var reset = document.getElementById("idle-reset");
  var count = dialog && dialog.querySelector(".idle__count");
  var status = dialog && dialog.querySelector("[data-idle-status]");
  var idleMs = seconds(document.body.getAttribute("data-idle-seconds"), DEFAULT_IDLE_SECONDS) * 1000;
  var warnSeconds = seconds(dialog.getAttribute("data-warn-seconds"), DEFAULT_WARN_SECONDS);
  var texts = [];
  try { texts = JSON.parse(count.getAttribute("data-texts") || "[]"); } catch (e) { texts = []; }
  var ANNOUNCE_AT = [20, 10];  // the only seconds a screen reader is told the time left
  var idleTimer = null, tick = null, left = 0;
  function clearScreen() { clearDrafts(); reset.submit(); }
  function say(n) { return texts[n] || String(n); }
  function warn() {
    left = warnSeconds;
    count.textContent = say(left);
    status.textContent = "";
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    dialog.querySelector("[data-still-here]").focus();
    tick = setInterval(function () {
      left -= 1;
      count.textContent = say(Math.max(left, 0));
      if (ANNOUNCE_AT.indexOf(left) !== -1) { status.textContent = say(left); }
      if (left <= 0) { clearInterval(tick); clearScreen(); }
    }, 1000);
  }
  function restart() {
    clearTimeout(idleTimer);
    if (!dialog.open) { idleTimer = setTimeout(warn, idleMs); }
  }
  // Closing the warning in any way (the button, or Escape) means someone is there: stop the count.
  function stillHere() { clearInterval(tick); restart(); }
  dialog.addEventListener("close", stillHere);
  dialog.querySelector("[data-still-here]").addEventListener("click", function () {
    if (dialog.close) { dialog.close(); } else { dialog.removeAttribute("open"); stillHere(); }
  });
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (type) {
    document.addEventListener(type, restart, { passive: true });
  });
  // The welcome screen shows nothing personal; it only needs clearing when someone changed its
  // language or display, so the next person does not inherit their choice.
  if (!document.querySelector(".big-choices") || document.body.hasAttribute("data-personalised")) { restart(); }
})();
