/* Waiting room board: minutes waiting, counted up every 20 seconds (htmx refreshes the
   board itself). Labels come translated from the server in data-minutes-label="… {n} …". */
(function () {
  "use strict";

  var LONG_WAIT_MINUTES = 20;

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (element) {
      var since = Date.parse(element.getAttribute("data-since"));
      if (isNaN(since)) { return; }
      var minutes = Math.max(0, Math.floor((now - since) / 60000));
      var label = element.getAttribute("data-minutes-label") || "{n} min";
      element.textContent = label.replace("{n}", String(minutes));
      if (element.hasAttribute("data-warn-long")) {
        element.classList.toggle("vs-board-waiting-long", minutes >= LONG_WAIT_MINUTES);
      }
    });
  }

  document.addEventListener("htmx:afterSettle", tick);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tick);
  } else {
    tick();
  }
  window.setInterval(tick, 20000);
})();
