// The SOAP note saves itself a few seconds after the vet stops typing; a version travels with
// each save so that two people typing in the same note never overwrite each other silently.
(function () {
  "use strict";
  var DELAY_MS = 2000;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setup(form) {
    var status = document.querySelector("[data-autosave-status]");
    var version = form.querySelector("[data-soap-version]");
    var timer = null;
    var saving = false;
    var pending = false;
    var stopped = false;

    function show(text, css) {
      if (!status) return;
      status.textContent = text;
      status.className = "small " + (css || "text-body-secondary");
    }

    function save() {
      if (stopped) return;
      if (saving) { pending = true; return; }
      saving = true;
      show(form.dataset.savingText);
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (result) {
        if (result.status === 200) {
          version.value = result.body.version;
          show(form.dataset.savedText, "text-success");
        } else if (result.body.code === "stale") {
          stopped = true;
          show(form.dataset.staleText, "text-danger fw-bold");
        } else if (result.body.code === "visit_signed") {
          stopped = true;
          show(form.dataset.signedText, "text-danger fw-bold");
        } else {
          show(result.body.message || form.dataset.errorText, "text-danger");
        }
      }).catch(function () {
        show(form.dataset.errorText, "text-danger");
      }).finally(function () {
        saving = false;
        if (pending) { pending = false; save(); }
      });
    }

    form.addEventListener("input", function () {
      if (stopped) return;
      show(form.dataset.savingText);
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      save();
    });

    var picker = document.querySelector("[data-soap-template]");
    var data = document.getElementById("soap-templates");
    if (picker && data) {
      var templates = JSON.parse(data.textContent);
      picker.addEventListener("change", function () {
        var chosen = templates[picker.value];
        if (!chosen) return;
        ["subjective", "objective", "assessment", "plan"].forEach(function (name) {
          var field = form.querySelector("[name=" + name + "]");
          if (field && chosen[name]) {
            field.value = field.value.trim() ? field.value + "\n" + chosen[name] : chosen[name];
          }
        });
        picker.value = "";
        window.clearTimeout(timer);
        save();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(setup);
  });
})();
