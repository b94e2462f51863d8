/* Dashboards: the revenue, status and per-location charts, drawn from the json_script data
   the page carries. No inline scripts (CSP). Amounts come as exact text and are parsed here
   for drawing only. */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#adb5bd"];

  function read(id) {
    var source = document.getElementById(id);
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent || "null");
    } catch (error) {
      return null;
    }
  }

  function amounts(values) {
    return values.map(function (value) {
      return value === null ? null : parseFloat(value);
    });
  }

  function moneyFormat(currency) {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency || "PEN" });
    } catch (error) {
      return new Intl.NumberFormat(lang, { minimumFractionDigits: 2 });
    }
  }

  function moneyOptions(data, legend) {
    var format = moneyFormat(data.currency);
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: legend },
        tooltip: {
          callbacks: {
            label: function (item) {
              return item.dataset.label + ": " + format.format(item.parsed.y || 0);
            },
          },
        },
      },
      scales: {
        y: {
          beginAtZero: true,
          ticks: { callback: function (value) { return format.format(value); } },
        },
      },
    };
  }

  function drawRevenue(Chart) {
    var canvas = document.getElementById("revenue-chart");
    var data = read("revenue-chart-data");
    if (!canvas || !data) {
      return;
    }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: amounts(series.data),
            borderColor: PALETTE[index],
            backgroundColor: PALETTE[index],
            borderDash: index === 0 ? [] : [6, 4],
            tension: 0.2,
            pointRadius: 2,
            spanGaps: false,
          };
        }),
      },
      options: moneyOptions(data, true),
    });
  }

  function drawStatuses(Chart) {
    var canvas = document.getElementById("status-chart");
    var data = read("status-chart-data");
    if (!canvas || !data) {
      return;
    }
    var total = data.data.reduce(function (sum, value) { return sum + value; }, 0);
    new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: data.labels,
        datasets: [{
          data: total ? data.data : data.data.map(function () { return 0; }),
          backgroundColor: data.colours,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
      },
    });
  }

  function drawSites(Chart) {
    var canvas = document.getElementById("sites-chart");
    var data = read("sites-chart-data");
    if (!canvas || !data) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: amounts(series.data),
            backgroundColor: PALETTE[index],
          };
        }),
      },
      options: moneyOptions(data, true),
    });
  }

  function draw() {
    var Chart = window.Chart;
    if (typeof Chart === "undefined") {
      return;
    }
    drawRevenue(Chart);
    drawStatuses(Chart);
    drawSites(Chart);
    document.documentElement.setAttribute("data-charts-drawn", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
