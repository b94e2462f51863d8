/* Calendars: type colours, the current-time line, the date picker and drag-and-drop
   rescheduling. No inline scripts or styles in the markup (CSP): everything is read from
   data-* attributes the server renders. */
(function () {
  "use strict";

  var HEX_COLOR = /^#[0-9a-fA-F]{3,8}$/;
  var dragged = null;

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.getAttribute("content") : "";
  }

  // A type's own colour (outside the fixed palette) comes as data-color="#rrggbb".
  function paint(root) {
    root.querySelectorAll("[data-color]").forEach(function (element) {
      var color = element.getAttribute("data-color");
      if (color && HEX_COLOR.test(color)) {
        element.style.setProperty("--vs-type-color", color);
      }
    });
  }

  // The red line at the current time, in every column body whose day contains "now".
  function drawNowLines(root) {
    var now = Date.now();
    root.querySelectorAll(".vs-cal-body[data-starts-at][data-ends-at]").forEach(function (body) {
      var startsAt = Date.parse(body.getAttribute("data-starts-at"));
      var endsAt = Date.parse(body.getAttribute("data-ends-at"));
      var line = body.querySelector(":scope > .vs-cal-now");
      if (isNaN(startsAt) || isNaN(endsAt) || now < startsAt || now > endsAt) {
        if (line) { line.remove(); }
        return;
      }
      if (!line) {
        line = document.createElement("div");
        line.className = "vs-cal-now";
        line.setAttribute("aria-hidden", "true");
        body.appendChild(line);
      }
      var fraction = (now - startsAt) / (endsAt - startsAt);
      line.style.top = (fraction * body.scrollHeight).toFixed(1) + "px";
    });
  }

  function showMessage(text, level) {
    var box = document.getElementById("calendar-message");
    if (!box) {
      window.alert(text);
      return;
    }
    box.textContent = text;
    box.className = "alert alert-" + (level || "danger") + " py-2";
    box.hidden = false;
  }

  function rowClass(element) {
    var found = null;
    element.classList.forEach(function (name) {
      if (/^vs-r-\d+$/.test(name)) { found = name; }
    });
    return found;
  }

  // ---------------------------------------------------------------- drag and drop

  document.addEventListener("dragstart", function (event) {
    var card = event.target instanceof Element ? event.target.closest(".vs-cal-appt[draggable=true]") : null;
    if (!card) { return; }
    dragged = card;
    card.classList.add("vs-dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-appointment") || "");
    }
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("vs-dragging"); }
    document.querySelectorAll(".vs-cal-drop").forEach(function (el) { el.classList.remove("vs-cal-drop"); });
    dragged = null;
  });

  function dropTarget(event) {
    if (!dragged || !(event.target instanceof Element)) { return null; }
    var slot = event.target.closest(".vs-cal-slot[data-starts-at]");
    if (!slot) { return null; }
    var body = slot.closest(".vs-cal-body");
    // In the by-service view a drop may change the time, not the service.
    if (body && body.getAttribute("data-column-kind") === "type" &&
        body !== dragged.closest(".vs-cal-body")) {
      return null;
    }
    return slot;
  }

  document.addEventListener("dragover", function (event) {
    var slot = dropTarget(event);
    if (!slot) { return; }
    event.preventDefault();
    if (event.dataTransfer) { event.dataTransfer.dropEffect = "move"; }
    document.querySelectorAll(".vs-cal-drop").forEach(function (el) {
      if (el !== slot) { el.classList.remove("vs-cal-drop"); }
    });
    slot.classList.add("vs-cal-drop");
  });

  document.addEventListener("drop", function (event) {
    var slot = dropTarget(event);
    if (!slot) { return; }
    event.preventDefault();
    var card = dragged;
    slot.classList.remove("vs-cal-drop");
    reschedule(card, slot);
  });

  function reschedule(card, slot) {
    var body = slot.closest(".vs-cal-body");
    var url = card.getAttribute("data-reschedule-url");
    if (!body || !url) { return; }
    var home = { parent: card.parentElement, next: card.nextSibling, row: rowClass(card) };
    var newRow = "vs-r-" + slot.getAttribute("data-row");

    // Move it at once; put it back if the server says no.
    if (home.row) { card.classList.remove(home.row); }
    card.classList.add(newRow);
    body.appendChild(card);
    card.classList.add("vs-cal-saving");

    var data = new FormData();
    data.append("starts_at", slot.getAttribute("data-starts-at"));
    var kind = body.getAttribute("data-column-kind");
    var column = body.getAttribute("data-column-id") || "";
    if (kind === "vet" || kind === "room") { data.append(kind, column); }

    function putBack(message) {
      card.classList.remove(newRow, "vs-cal-saving");
      if (home.row) { card.classList.add(home.row); }
      home.parent.insertBefore(card, home.next);
      showMessage(message, "danger");
    }

    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (payload) {
        if (!response.ok) {
          putBack(payload.message || response.statusText);
          return;
        }
        card.classList.remove("vs-cal-saving");
        showMessage(payload.message || "", "success");
        refresh();
      });
    }).catch(function () {
      putBack(card.getAttribute("data-error-text") || "Network error");
    });
  }

  // Reload the calendar from the server (the whole truth: times, overlaps, badges).
  function refresh() {
    var calendar = document.getElementById("calendar");
    if (calendar && window.htmx) {
      window.htmx.ajax("GET", window.location.href, { target: "#calendar", select: "#calendar", swap: "outerHTML" });
    }
  }

  // ---------------------------------------------------------------- date picker

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-autosubmit-date") && input.form && input.value) {
      input.form.submit();
    }
  });

  function init(root) {
    paint(root);
    drawNowLines(root);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    init(event.target instanceof Element ? event.target : document);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  window.setInterval(function () { drawNowLines(document); }, 60000);
})();
