// Participant pages work without this file. It only adds: focus on the error summary, keeping what
// someone typed if the network drops (sessionStorage, cleared when they finish), and on the door
// tablet a warning before an untouched screen is cleared (WCAG 2.2.1), and a return to the start.
(function () {
  "use strict";
  var IDLE_MS = 3 * 60 * 1000, WARN_SECONDS = 30, RETURN_MS = 15000, PREFIX = "hub-draft:";

  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  function clearDrafts() {
    try {
      Object.keys(sessionStorage).forEach(function (k) { if (k.indexOf(PREFIX) === 0) { sessionStorage.removeItem(k); } });
    } catch (e) { /* storage may be off: drafts are a nicety */ }
  }

  var door = document.body.getAttribute("data-door");
  var autoReturn = document.querySelector("[data-auto-return]");
  if (autoReturn || document.querySelector(".big-choices")) { clearDrafts(); }
  if (autoReturn) { setTimeout(function () { window.location.href = autoReturn.href; }, RETURN_MS); }

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
  var idleTimer = null, tick = null, left = 0;
  function clearScreen() { clearDrafts(); reset.submit(); }
  function warn() {
    left = WARN_SECONDS;
    count.textContent = left;
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    dialog.querySelector("[data-still-here]").focus();
    tick = setInterval(function () {
      left -= 1;
      count.textContent = left;
      if (left <= 0) { clearInterval(tick); clearScreen(); }
    }, 1000);
  }
  function restart() {
    clearTimeout(idleTimer);
    if (!dialog.open) { idleTimer = setTimeout(warn, IDLE_MS); }
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
