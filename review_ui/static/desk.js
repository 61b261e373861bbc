// Review desk keyboard triage. Hand-written, no dependencies; served as a static file so the
// Content-Security-Policy can forbid inline scripts. Every action here is also a plain link or
// form, so the desk works (more slowly) without it.
(function () {
  "use strict";

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
    if (typing(ev.target) || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    if (help && !help.hidden && ev.key !== "?") { return; }
    var key = ev.key;
    var handled = true;
    if (key === "?") {
      showHelp(help && help.hidden);
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
      else if (key === "u") { submitOnce(document.getElementById("undo-form")); }
      else { handled = false; }
    } else {
      handled = false;
    }
    if (handled) { ev.preventDefault(); }
  });
}());
