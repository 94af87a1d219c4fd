// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  function focusProblem(root) {
    var target = (root || document).querySelector(
      ".govuk-error-summary, [data-focus-after-swap], .portal-problem");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
      return true;
    }
    return false;
  }

  // On a page load only a form's error summary takes the focus (the GOV.UK pattern); other
  // pages start at the top, where their heading already says what happened.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("#main-content .govuk-error-summary");
    if (summary) summary.focus();
  });

  // After an htmx swap, move focus to the new content so keyboard and screen reader users
  // know something changed: an error summary first, else an element that asks for focus.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!focusProblem(target)) {
      var live = target.querySelector("[data-announce]");
      if (live) live.focus();
    }
  });

  // The portal could not answer (the database restarting: 503): htmx swaps no error page in,
  // so show the page's own "try again in a moment" message in place of the main content,
  // and move the focus to it, rather than leave a button that silently did nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status !== 503 || !xhr.responseText) return;
    var answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var message = answer.getElementById("main-content");
    var main = document.getElementById("main-content");
    if (!message || !main) return;
    main.replaceChildren.apply(main, Array.prototype.slice.call(message.childNodes));
    document.title = answer.title;
    var heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });

  // Personal pages must not be kept in htmx's history cache (also set in htmx-config).
  document.addEventListener("htmx:beforeHistorySave", function (event) {
    event.detail.historyElt.querySelectorAll("[data-private]").forEach(function (el) {
      el.innerHTML = "";
    });
  });
})();
