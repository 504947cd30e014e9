// The board's dashboard: draws each figure from its JSON data block (json_script), which
// the Content-Security-Policy allows, unlike an inline script. The table below each chart
// holds the same figures as text. Amounts arrive in cents and are shown in euros; minutes
// are shown as hours.
(function () {
  "use strict";
  var LOCALE = document.documentElement.lang === "nl" ? "nl-NL" : "en-GB";
  var COLOURS = ["#0b6e4f", "#c2571a", "#3b5bdb", "#8a6d00"];

  function formatter(unit, currency) {
    if (unit === "cents") {
      var money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: currency });
      var compact = new Intl.NumberFormat(LOCALE, {
        style: "currency", currency: currency, notation: "compact", maximumFractionDigits: 1
      });
      return { value: function (v) { return v / 100; }, long: money.format, short: compact.format };
    }
    if (unit === "minutes") {
      var hours = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
      var suffix = LOCALE === "nl-NL" ? " u" : " h";
      var text = function (v) { return hours.format(v) + suffix; };
      return { value: function (v) { return v / 60; }, long: text, short: text };
    }
    var count = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
    return { value: function (v) { return v; }, long: count.format, short: count.format };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var stacked = data.chart === "stacked";
    var units = data.series.map(function (s) { return formatter(s.unit, data.currency); });
    // A second unit (members next to hours) gets its own axis on the right.
    var twoAxes = data.series.some(function (s) { return s.unit !== data.series[0].unit; });
    var datasets = data.series.map(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      var mixedLine = twoAxes && i > 0;
      return {
        type: data.chart === "line" || mixedLine ? "line" : "bar",
        label: s.label,
        data: s.values.map(units[i].value),
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: 2,
        pointRadius: 3,
        yAxisID: mixedLine ? "y2" : "y",
        stack: stacked ? "one" : undefined,
        fill: false,
        tension: 0
      };
    });
    var scales = {
      x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 0, font: { size: 12 } } },
      y: {
        stacked: stacked,
        beginAtZero: true,
        ticks: { font: { size: 12 }, maxTicksLimit: 6, callback: function (v) { return units[0].short(v); } }
      }
    };
    if (data.horizontal) {
      // Categories on the left, where long names fit a phone; the values along the bottom.
      scales = {
        y: { ticks: { autoSkip: false, font: { size: 12 } } },
        x: {
          beginAtZero: true,
          ticks: { font: { size: 12 }, maxTicksLimit: 6, precision: 0, callback: function (v) { return units[0].short(v); } }
        }
      };
    }
    if (twoAxes) {
      scales.y2 = {
        position: "right",
        beginAtZero: true,
        grid: { drawOnChartArea: false },
        ticks: { font: { size: 12 }, precision: 0, maxTicksLimit: 6 }
      };
    }
    new Chart(canvas, {
      type: data.chart === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14, font: { size: 13 } } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var raw = data.series[ctx.datasetIndex].values[ctx.dataIndex];
                var unit = data.series[ctx.datasetIndex].unit;
                var text = unit === "cents" ? units[ctx.datasetIndex].long(raw / 100)
                  : unit === "minutes" ? units[ctx.datasetIndex].long(raw / 60)
                  : units[ctx.datasetIndex].long(raw);
                return ctx.dataset.label + ": " + text;
              }
            }
          }
        },
        scales: scales
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) draw(canvases[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
