// The executive dashboard: filters and refresh fetch JSON (no reload); uPlot draws the trend.
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("initial").textContent);
  var mxn = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN" });
  var chart = null;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmt(value, unit, status) {
    if (value === null || value === undefined) return status === "pending" ? "pendiente" : "—";
    if (unit === "mxn") return mxn.format(Math.round(value) / 100);
    if (unit === "pct") return (value * 100).toFixed(1) + " %";
    if (unit === "score" || unit === "turns") return value.toFixed(2);
    return Math.round(value).toLocaleString("en-US");
  }
  function delta(v) { return (v > 0 ? "+" : v < 0 ? "" : "+") + (v * 100).toFixed(1) + " %"; }

  function card(k) {
    var cmp = "";
    if (k.target !== null) cmp += '<span class="target">meta ' + esc(fmt(k.target, k.unit, "ok")) + "</span>";
    if (k.vs_previous_month !== null) cmp += '<span class="d">' + delta(k.vs_previous_month) + " vs mes ant.</span>";
    if (k.vs_previous_year !== null) cmp += '<span class="d">' + delta(k.vs_previous_year) + " vs año ant.</span>";
    var label = k.link ? '<a href="' + esc(k.link) + '">' + esc(k.label) + "</a>" : esc(k.label);
    return '<article class="kpi ' + esc(k.status) + '" data-kpi="' + esc(k.key) + '" title="' + esc(k.hint) + '">' +
      "<h3>" + label + '</h3><p class="value">' + esc(fmt(k.value, k.unit, k.status)) + "</p>" +
      '<p class="cmp">' + cmp + '</p><p class="hint">' + esc(k.hint) + "</p></article>";
  }

  function bars(id, rows) {
    var max = Math.max.apply(null, rows.map(function (r) { return r.revenue_cents; }).concat([1]));
    document.getElementById(id).innerHTML = rows.map(function (r) {
      return '<div class="bar" data-key="' + esc(r.key) + '"><span class="k">' + esc(r.key) + "</span>" +
        '<span class="b" style="width:' + (100 * r.revenue_cents / max).toFixed(1) + '%"></span>' +
        '<span class="v">' + esc(mxn.format(r.revenue_cents / 100)) + "</span></div>";
    }).join("") || "<p>Sin ventas en el periodo.</p>";
  }

  function drawTrend(points) {
    var el = document.getElementById("trend");
    var xs = points.map(function (p, i) { return i; });
    var data = [xs, points.map(function (p) { return p.revenue_cents / 100; }),
                points.map(function (p) { return p.revenue_last_year_cents / 100; })];
    var width = Math.max(280, el.clientWidth || 600);
    if (chart) chart.destroy();
    if (typeof uPlot === "undefined") return;
    chart = new uPlot({
      width: width, height: 240,
      scales: { x: { time: false } },
      axes: [{ values: function (u, vals) { return vals.map(function (v) { var p = points[v]; return p ? p.key.slice(5) : ""; }); } },
             { size: 70, values: function (u, vals) { return vals.map(function (v) { return "$" + (v / 1000).toFixed(0) + "k"; }); } }],
      series: [{ label: "Día", value: function (u, v) { return v == null || !points[v] ? "" : points[v].key; } },
               { label: "Venta", stroke: "#1f6feb", width: 2, value: function (u, v) { return v == null ? "" : mxn.format(v); } },
               { label: "Año anterior", stroke: "#999", dash: [4, 4], value: function (u, v) { return v == null ? "" : mxn.format(v); } }]
    }, data, el);
  }

  function render(d) {
    state = d;
    var groups = [d.sales, d.inventory, d.logistics, d.agents];
    document.querySelectorAll("#board .group").forEach(function (sec, i) {
      sec.querySelector(".cards").innerHTML = groups[i].map(card).join("");
    });
    document.getElementById("range").textContent = "Del " + d.date_from.split("-").reverse().join("/") + " al " + d.date_to.split("-").reverse().join("/");
    bars("by-branch", d.by_branch); bars("by-brand", d.by_brand); bars("by-size", d.by_size);
    document.getElementById("insights").innerHTML = d.insights.map(function (i) {
      return '<li class="' + esc(i.severity) + '"><span>' + esc(i.text) + '</span> <a href="' + esc(i.link) + '">' + esc(i.action) + " →</a></li>";
    }).join("") || "<li>Sin hallazgos por ahora.</li>";
    drawTrend(d.trend);
    var kind = { day: "daily", week: "weekly" }[d.period] || "monthly";
    ["xlsx", "pdf"].forEach(function (f) {
      document.getElementById("dl-" + f).href = "/dashboard/report?kind=" + kind + "&role=direccion&format=" + f;
    });
    document.body.dataset.loaded = d.period + ":" + (d.branch || "");
  }

  function refresh() {
    var q = new URLSearchParams({ period: document.getElementById("f-period").value });
    var b = document.getElementById("f-branch").value;
    if (b) q.set("branch", b);
    return fetch("/dashboard/data.json?" + q.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (r.status === 401) { location.href = "/login?next=/dashboard"; } return r.json(); })
      .then(function (d) { render(d); history.replaceState(null, "", "/dashboard?" + q.toString()); });
  }

  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
  document.getElementById("f-branch").addEventListener("change", refresh);
  document.getElementById("f-period").addEventListener("change", refresh);
  window.addEventListener("resize", function () { drawTrend(state.trend); });
  setInterval(function () { if (!document.hidden) refresh(); }, 60000);
  render(state);
})();
