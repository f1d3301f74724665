// "Listen": reads the page heading, the question and the choices aloud with the device's own speech
// (window.speechSynthesis: nothing is sent anywhere), in the page's language (<html lang>), a little slowly.
// Where the device has no voice for that language, the page says so in words instead. Pressing again stops.
// The button is rendered hidden (participant_base.html) and shown here, so without this script nothing is
// offered that cannot work.
(function () {
  "use strict";
  var button = document.querySelector("[data-listen]");
  if (!button) { return; }
  var label = button.querySelector("[data-listen-label]");
  var message = document.querySelector("[data-listen-message]");
  var listenText = label.textContent, stopText = button.getAttribute("data-stop");
  var synth = window.speechSynthesis;
  var RATE = 0.85, VOICE_WAIT_MS = 1000;
  // What is read, in page order: the progress line, the heading, the lead or question, each group's
  // question (legend) and the choices: big choice buttons and links, answer buttons, the labels of radio
  // buttons and checkboxes. Hidden inputs and anything not on screen are left out.
  var READ = ".progress, h1, .lead, legend, .big-choice, .answer, input[type=radio], input[type=checkbox]";
  var speaking = false;
  button.hidden = false;

  function textOf(el) {
    // Its words, without decorative pictures (aria-hidden, svg) or anything hidden.
    var out = "";
    Array.prototype.forEach.call(el.childNodes, function (node) {
      if (node.nodeType === 3) { out += node.nodeValue; return; }
      if (node.nodeType !== 1 || node.hidden || node.getAttribute("aria-hidden") === "true" ||
          /^(svg|script|style|template)$/i.test(node.tagName)) { return; }
      out += textOf(node);
    });
    return out.replace(/\s+/g, " ").trim();
  }

  function pieces() {
    var main = document.getElementById("main") || document.body;
    var found = [], taken = [];
    Array.prototype.forEach.call(main.querySelectorAll(READ), function (el) {
      if (el.closest(".page-tools") || el.closest("[hidden]")) { return; }
      // Once only: a heading inside a question's legend is read with the legend (page order puts it first).
      if (taken.some(function (outer) { return outer.contains(el); })) { return; }
      taken.push(el);
      var source = el;
      if (el.tagName === "INPUT") { source = el.labels && el.labels[0]; if (!source) { return; } }
      if (!source.getClientRects().length) { return; }  // not on screen
      var text = textOf(source);
      var marked = source.closest("[lang]");
      if (text) { found.push({ text: text, lang: marked ? marked.getAttribute("lang") : "" }); }
    });
    return found;
  }

  function primary(lang) { return (lang || "").toLowerCase().replace("_", "-").split("-")[0]; }

  function voiceFor(lang, voices) {
    var want = (lang || "").toLowerCase().replace("_", "-");
    var same = voices.filter(function (v) { return primary(v.lang) === primary(want); });
    var exact = same.filter(function (v) { return (v.lang || "").toLowerCase().replace("_", "-") === want; });
    var pick = exact.length ? exact : same;
    return pick.filter(function (v) { return v.localService; })[0] || pick[0] || null;
  }

  function withVoices(then) {
    var voices = synth.getVoices();
    if (voices.length) { then(voices); return; }
    // Some browsers load their voices a moment after the page.
    var done = false;
    function ready() { if (!done) { done = true; then(synth.getVoices()); } }
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", ready); }
    setTimeout(ready, VOICE_WAIT_MS);
  }

  function show(state) {
    speaking = state;
    label.textContent = state ? stopText : listenText;
  }

  function cannot() {
    show(false);
    message.textContent = button.getAttribute("data-cannot");
  }

  function stop() {
    if (synth) { synth.cancel(); }
    show(false);
  }

  function read(voices) {
    var pageLang = document.documentElement.getAttribute("lang") || "en";
    var pageVoice = voiceFor(pageLang, voices);
    if (!pageVoice) { cannot(); return; }
    var said = pieces();
    synth.cancel();
    message.textContent = "";
    show(true);
    said.forEach(function (piece, i) {
      // A part marked in another language (a meeting's title typed in English on a Polish page) is read
      // with that language's voice when the device has one.
      var own = piece.lang && primary(piece.lang) !== primary(pageLang) ? voiceFor(piece.lang, voices) : null;
      var utterance = new window.SpeechSynthesisUtterance(piece.text);
      utterance.lang = own ? piece.lang : pageLang;
      utterance.voice = own || pageVoice;
      utterance.rate = RATE;
      if (i === said.length - 1) { utterance.onend = function () { show(false); }; }
      utterance.onerror = function () { show(false); };
      synth.speak(utterance);
    });
    if (!said.length) { show(false); }
  }

  button.addEventListener("click", function () {
    if (speaking) { stop(); return; }
    if (!synth || !window.SpeechSynthesisUtterance) { cannot(); return; }
    withVoices(read);
  });
  window.addEventListener("pagehide", function () { if (speaking) { stop(); } });
})();
