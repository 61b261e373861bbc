// Review desk keyboard triage. Hand-written, no dependencies; served as a static file so the
// Content-Security-Policy can forbid inline scripts. Every action here is also a plain link or
// form, so the desk works (more slowly) without it.
(function () {
  "use strict";

  // CSS relaxes a few things (hover reveals) only when scripts cannot run.
  document.documentElement.classList.add("js");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var page = document.body.getAttribute("data-page");
  var help = document.getElementById("help");
  var helpButton = document.getElementById("help-button");
  var helpClose = document.getElementById("help-close");
  var lastFocus = null;
  var submitting = false;

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function showHelp(show) {
    if (!help) { return; }
    if (show) {
      lastFocus = document.activeElement;
      help.hidden = false;
      if (helpButton) { helpButton.setAttribute("aria-expanded", "true"); }
      if (helpClose) { helpClose.focus(); }
    } else {
      help.hidden = true;
      if (helpButton) { helpButton.setAttribute("aria-expanded", "false"); }
      if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
    }
  }
  if (helpButton) { helpButton.addEventListener("click", function () { showHelp(help.hidden); }); }
  if (helpClose) { helpClose.addEventListener("click", function () { showHelp(false); }); }

  function go(url) { if (url) { window.location.assign(url); } }

  function submitOnce(form) {
    if (!form || submitting) { return; }
    submitting = true;
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  // Guard every form against double submission (a second "d" must not decide twice).
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.getAttribute("data-sent") === "yes") { ev.preventDefault(); return; }
      form.setAttribute("data-sent", "yes");
      submitting = true;
    });
  });

  // --- queue page ----------------------------------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue-table tr.row"));
  var selected = -1;

  function select(i) {
    if (!rows.length) { return; }
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("selected", n === selected); });
    var link = rows[selected].querySelector("a.open");
    if (link) { link.focus(); }
    rows[selected].scrollIntoView({ block: "nearest" });
  }
  rows.forEach(function (row, n) {
    var link = row.querySelector("a.open");
    if (link) { link.addEventListener("focus", function () { selected = n; select(n); }); }
  });

  // --- item page -----------------------------------------------------------------------------
  var nav = document.querySelector(".item-nav");
  var decisionForm = document.getElementById("decision-form");

  function choose(outcome) {
    var radio = document.getElementById("outcome-" + outcome);
    if (!radio) { return; }
    radio.checked = true;
    var rationale = document.getElementById("rationale");
    if (rationale) { rationale.focus(); }
  }

  if (nav && nav.getAttribute("data-held") === "yes") {
    // Keep the claim alive while the officer reads; it lapses by itself if they walk away.
    var itemId = nav.getAttribute("data-item");
    window.setInterval(function () {
      fetch("/api/items/" + itemId + "/claim", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
      }).catch(function () { /* the next renewal or the decision itself will say */ });
    }, 120000);
  }

  var undoBanner = document.getElementById("undo-banner");
  if (undoBanner) {
    // Count down, then take the offer away so "u" cannot post an undo the server will refuse.
    var expires = parseInt(undoBanner.getAttribute("data-expires"), 10) * 1000;
    var left = document.getElementById("undo-left");
    var tick = function () {
      var seconds = Math.round((expires - Date.now()) / 1000);
      if (seconds <= 0) { undoBanner.parentNode.removeChild(undoBanner); return; }
      if (left) { left.textContent = seconds + " s left"; }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  // --- evidence export: confirm once the download has been produced -----------------------
  var exportDone = document.getElementById("export-done");
  var exportForm = document.getElementById("export-form");
  if (exportDone && exportForm) {
    exportForm.addEventListener("submit", function () {
      var tries = 0;
      var poll = window.setInterval(function () {
        var m = document.cookie.match(/(?:^|; )hm_exported=([0-9a-f]{64})/);
        if (m) {
          window.clearInterval(poll);
          document.getElementById("export-sha").textContent = m[1];
          exportDone.hidden = false;
          document.cookie = "hm_exported=; Max-Age=0; Path=/cases/" +
            exportDone.getAttribute("data-reference");
          // Another export (to another recipient) may follow.
          exportForm.removeAttribute("data-sent");
          submitting = false;
        } else if (++tries > 240) {
          window.clearInterval(poll);
        }
      }, 250);
    });
  }

  // --- wellness: reveal blurred text and screenshots only on purpose -----------------------
  var SENSITIVE = ".post-text, .sensitive";
  function blurred() { return document.body.classList.contains("wellness-blur"); }
  function setRevealed(el, on) {
    el.classList.toggle("revealed", on);
    if (el.hasAttribute("aria-pressed")) { el.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  function revealAll() {
    var all = Array.prototype.slice.call(document.querySelectorAll(SENSITIVE));
    var anyHidden = all.some(function (el) { return !el.classList.contains("revealed"); });
    all.forEach(function (el) { setRevealed(el, anyHidden); });
  }
  document.addEventListener("click", function (ev) {
    if (!ev.target.closest) { return; }
    // Screenshots also enlarge on click, with or without blur.
    if (!blurred() && !ev.target.matches("img.shot")) { return; }
    var el = ev.target.closest(SENSITIVE);
    // Inside a link (queue previews) a click opens the item; "r" reveals those.
    if (!el || el.closest("a")) { return; }
    setRevealed(el, !el.classList.contains("revealed"));
    ev.preventDefault();
  });

  var post = document.getElementById("post-text");
  if (post && page === "item" && !document.querySelector(".alert")) {
    // Start on the post, so reading and shortcuts need no mouse.
    post.focus({ preventScroll: true });
  }

  // --- shortcuts -----------------------------------------------------------------------------
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && help && !help.hidden) { showHelp(false); ev.preventDefault(); return; }
    if (ev.key === "Tab" && help && !help.hidden) {
      // The dialog is modal: keep focus on its only control until it closes.
      ev.preventDefault();
      if (helpClose) { helpClose.focus(); }
      return;
    }
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && decisionForm &&
        decisionForm.contains(document.activeElement)) {
      ev.preventDefault();
      submitOnce(decisionForm);
      return;
    }
    var escalateForm = document.getElementById("escalate-form");
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && escalateForm &&
        escalateForm.contains(document.activeElement)) {
      ev.preventDefault();
      submitOnce(escalateForm);
      return;
    }
    if (typing(ev.target) || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    if (help && !help.hidden && ev.key !== "?") { return; }
    var key = ev.key;
    var handled = true;
    if (key === "?") {
      showHelp(help && help.hidden);
    } else if (key === "r" && blurred()) {
      revealAll();
    } else if ((key === "Enter" || key === " ") && blurred() && ev.target.matches &&
               ev.target.matches(SENSITIVE) && !ev.target.closest("a")) {
      setRevealed(ev.target, !ev.target.classList.contains("revealed"));
    } else if (page === "queue") {
      if (key === "j") { select(selected + 1); }
      else if (key === "k") { select(selected - 1); }
      else if (key === "o" || (key === "Enter" && ev.target === document.body)) {
        if (selected >= 0) { go(rows[selected].getAttribute("data-href")); } else { handled = false; }
      }
      else if (key === "n") { var start = document.getElementById("start"); go(start && start.href); }
      else if (key === "u") { submitOnce(document.getElementById("undo-form")); }
      else { handled = false; }
    } else if (page === "item" && nav) {
      if (key === "j") { go(nav.getAttribute("data-next")); }
      else if (key === "k") { go(nav.getAttribute("data-prev")); }
      else if (key === "q") { go(nav.getAttribute("data-queue")); }
      else if (key === "d") { submitOnce(document.getElementById("dismiss-form")); }
      else if (key === "h") { choose("hate_intelligence"); }
      else if (key === "e") { choose("possible_crime"); }
      else if (key === "c") {
        var esc = document.getElementById("escalate-case");
        submitOnce(esc && esc.form);
      }
      else if (key === "u") { submitOnce(document.getElementById("undo-form")); }
      else { handled = false; }
    } else {
      handled = false;
    }
    if (handled) { ev.preventDefault(); }
  });
}());
