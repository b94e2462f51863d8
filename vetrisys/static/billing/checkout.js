/* Checkout and billing screens. Money is never computed here: the server renders the totals
   and the change (htmx partials); this file only moves rows and asks for a fresh rendering. */
(function () {
  "use strict";

  function linesChanged(element) {
    var form = element.closest("form[data-checkout]") || document.querySelector("form[data-checkout]");
    if (form && window.htmx) {
      window.htmx.trigger(form, "lines-changed");
    }
  }

  // A barcode scanner types the code and presses Enter: add the line instead of submitting.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !(input instanceof HTMLInputElement) || !input.hasAttribute("data-scan-input")) {
      return;
    }
    event.preventDefault();
    if (input.value.trim() !== "" && window.htmx) {
      window.htmx.trigger(input, "scan");
    }
  });

  // The "Add" buttons next to the search and the free-text line do the same as Enter.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-remove-line]") : null;
    if (button) {
      event.preventDefault();
      var row = button.closest("tr");
      var form = button.closest("form");
      if (row) {
        row.remove();
      }
      if (form) {
        linesChanged(form);
      }
    }
  });

  // After a line row arrives: empty the inputs that asked for it and refresh the totals.
  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail && event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    if (source instanceof Element && source.hasAttribute("data-adds-line")) {
      var box = source.closest("[data-line-source]") || source;
      box.querySelectorAll("input[data-clear-after-add]").forEach(function (input) {
        input.value = "";
      });
      var focus = box.querySelector("[data-scan-input]");
      if (focus) {
        focus.focus();
      }
      linesChanged(source);
    }
  });

  // Payment method: cash asks for the amount tendered, the others for a reference.
  function showMethodFields(select) {
    var box = select.closest("[data-payment]");
    if (!box) {
      return;
    }
    var isCash = select.value === "cash";
    box.querySelectorAll("[data-cash-only]").forEach(function (el) { el.hidden = !isCash; });
    box.querySelectorAll("[data-reference-only]").forEach(function (el) { el.hidden = isCash || select.value === "credit"; });
    box.querySelectorAll("[data-wallet-only]").forEach(function (el) { el.hidden = select.value !== "mobile_wallet"; });
  }

  document.addEventListener("change", function (event) {
    if (event.target instanceof HTMLSelectElement && event.target.hasAttribute("data-payment-method")) {
      showMethodFields(event.target);
    }
  });

  function init(root) {
    root.querySelectorAll("select[data-payment-method]").forEach(showMethodFields);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) {
      init(event.target);
    }
  });

  // The receipt's print view prints itself once when asked to (?print=1).
  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-autoprint")) {
      window.print();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();
