/* VetriSys behaviour. The CSP forbids inline scripts and handlers: everything lives here. */
(function () {
  "use strict";

  document.documentElement.classList.add("vs-js");

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry the CSRF token like a normal form post does.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // <select data-autosubmit> submits its form when the choice changes (switchers).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      if (typeof target.form.requestSubmit === "function") {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  // <form data-confirm="question"> asks before submitting (deactivations and the like).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }
  }, true);

  // Alpine components are registered here (the CSP build evaluates no inline expressions).
  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;
    Alpine.data("disclosure", function () {
      return {
        open: false,
        toggle: function () { this.open = !this.open; },
      };
    });
  });
})();
