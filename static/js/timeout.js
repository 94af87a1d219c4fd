// The timeout warning (GOV.UK's pattern) for signed-in people: 2 minutes before the session
// ends, a dialog says so and offers "Stay signed in". Without this file nothing changes: the
// session still ends on the server (portal/security.py) and the dialog stays hidden.
(function () {
  "use strict";
  var dialog = document.getElementById("timeout-warning");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var warnMs = Number(dialog.dataset.warnSeconds) * 1000;
  var visible = dialog.querySelector("[data-countdown]");
  var spoken = dialog.querySelector("[data-countdown-spoken]");
  var stay = dialog.querySelector("[data-stay]");
  var deadline = 0, lastSpoken = -1, returnFocus = null, going = false;
  // The absolute limit (SESSION_MAX_HOURS) cannot be moved by staying active: within its
  // last 2 minutes the dialog says so once, offers no "Stay signed in", and stays closed
  // once closed.
  var finalDeadline = Date.now() + Number(dialog.dataset.finalSecondsLeft) * 1000;
  var final = false, closedFinal = false;

  function goFinal() {
    final = true;
    stay.classList.add("govuk-!-display-none");  // the button's own display beats [hidden]
    dialog.querySelector("[data-reason-idle]").hidden = true;
    dialog.querySelector("[data-reason-final]").hidden = false;
  }

  function setLeft(seconds) {
    if (isNaN(seconds)) return;
    deadline = Date.now() + seconds * 1000;
    try { localStorage.setItem("portal-session-ends", String(deadline)); } catch (e) { /* private mode */ }
  }

  function words(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60, parts = [];
    if (m) parts.push(m + (m === 1 ? " minute" : " minutes"));
    if (s || !m) parts.push(s + (s === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }

  // Time is up: reload the page by GET. The server has ended the session, so it shows the
  // sign-in page with its message and comes back here after signing in.
  function timedOut() {
    if (going) return;
    going = true;
    window.location.assign(window.location.pathname + window.location.search);
  }

  function tick() {
    var left = deadline - Date.now();
    if (left <= -1000) return timedOut();
    if (left > warnMs) {
      if (dialog.open) close();
      return;
    }
    var seconds = Math.max(Math.ceil(left / 1000), 0);
    if (!final && finalDeadline - Date.now() <= warnMs) goFinal();
    if (!dialog.open) {
      if (closedFinal) return;
      open();
    }
    visible.textContent = words(seconds);
    // Screen readers hear the time when the dialog opens and every 20 seconds, not each second.
    var slot = Math.ceil(seconds / 20);
    if (slot !== lastSpoken) {
      lastSpoken = slot;
      spoken.textContent = "You will be signed out in " + words(slot * 20 > seconds ? seconds : slot * 20) + "." + (final ? " You cannot stay signed in any longer." : "");
    }
  }

  function open() {
    returnFocus = document.activeElement;
    lastSpoken = -1;
    dialog.showModal();
    dialog.setAttribute("tabindex", "-1");
    dialog.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
    spoken.textContent = "";
    if (returnFocus && returnFocus.focus) returnFocus.focus();
    returnFocus = null;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  function keepAlive() {
    fetch(dialog.dataset.keepAliveUrl, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: {"X-CSRFToken": csrfToken()}
    }).then(function (response) {
      if (response.status !== 204) return timedOut();
      setLeft(Number(response.headers.get("X-Session-Seconds-Left")));
      close();
    }, function () { close(); });
  }

  stay.addEventListener("click", keepAlive);
  // Escape closes the dialog: the GOV.UK pattern treats that as "Stay signed in".
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (final) {
      closedFinal = true;
      close();
      return;
    }
    keepAlive();
  });
  // Every htmx request (a form's draft, a search) refreshes the session too.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    if (xhr.status === 401) return timedOut();
    var left = xhr.getResponseHeader("X-Session-Seconds-Left");
    if (left !== null) setLeft(Number(left));
  });
  // Another tab kept the same session alive.
  window.addEventListener("storage", function (event) {
    if (event.key === "portal-session-ends" && Number(event.newValue) > deadline) {
      deadline = Number(event.newValue);
    }
  });

  setLeft(Number(dialog.dataset.secondsLeft));
  window.setInterval(tick, 1000);
})();
