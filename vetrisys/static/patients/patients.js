/* Patient screens: the weight chart and "add another pet". No inline scripts (CSP). */
(function () {
  "use strict";

  function drawWeightChart() {
    var canvas = document.getElementById("weight-chart");
    var source = document.getElementById("weights-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var points = JSON.parse(source.textContent || "[]");
    var lang = document.documentElement.lang || undefined;
    var format = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return format.format(new Date(p.x)); }),
        datasets: [{
          label: "kg",
          data: points.map(function (p) { return p.y; }),
          tension: 0.2,
          pointRadius: 3,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { title: { display: true, text: "kg" } } },
      },
    });
  }

  // <button data-add-pet data-prefix="pets"> appends a copy of <template id="pet-empty-form">.
  function addPet(button) {
    var prefix = button.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("pet-empty-form");
    var container = document.getElementById("pet-forms");
    if (!total || !template || !container) {
      return;
    }
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = container.lastElementChild;
    var first = added && added.querySelector("input[type=text]");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-add-pet]") : null;
    if (button) {
      event.preventDefault();
      addPet(button);
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawWeightChart);
  } else {
    drawWeightChart();
  }
})();
