// The customer's tracking page: refreshes its status every 15 s and draws the branch, the
// destination and the truck's last position on a plain canvas (no map tiles needed).
(function () {
  "use strict";
  var main = document.getElementById("track");
  if (!main) return;
  var token = main.getAttribute("data-token");
  var canvas = document.getElementById("plot");
  function draw(v) {
    var ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    var pts = [{p: v.branch, c: "#0b5394", t: "Sucursal"}];
    if (v.destination) pts.push({p: v.destination, c: "#0b8043", t: "Tu domicilio"});
    if (v.position) pts.push({p: v.position, c: "#e37400", t: "Camión"});
    var lats = pts.map(function (x) { return x.p[0]; }), lons = pts.map(function (x) { return x.p[1]; });
    var minLa = Math.min.apply(null, lats), maxLa = Math.max.apply(null, lats);
    var minLo = Math.min.apply(null, lons), maxLo = Math.max.apply(null, lons);
    var span = Math.max(maxLa - minLa, maxLo - minLo, 0.01), pad = 40;
    function xy(p) {
      return [pad + (p[1] - minLo) / span * (W - 2 * pad), H - pad - (p[0] - minLa) / span * (H - 2 * pad)];
    }
    ctx.strokeStyle = "#9aa7b6"; ctx.setLineDash([6, 6]); ctx.beginPath();
    pts.forEach(function (x, i) { var q = xy(x.p); if (i) ctx.lineTo(q[0], q[1]); else ctx.moveTo(q[0], q[1]); });
    ctx.stroke(); ctx.setLineDash([]);
    ctx.font = "14px system-ui, sans-serif";
    pts.forEach(function (x) {
      var q = xy(x.p); ctx.fillStyle = x.c; ctx.beginPath(); ctx.arc(q[0], q[1], 8, 0, 7); ctx.fill();
      ctx.fillStyle = "#1d2530"; ctx.fillText(x.t, q[0] + 11, q[1] + 5);
    });
  }
  function show(v) {
    document.getElementById("status").textContent = v.status_text;
    document.getElementById("driver").textContent = v.driver_first_name || "por asignar";
    document.getElementById("rating").textContent = v.driver_rating ? "★ " + v.driver_rating : "";
    document.getElementById("eta").textContent = v.eta_text || "—";
    document.getElementById("stops-before").textContent =
      v.stops_before === null ? "" : v.stops_before ? "Faltan " + v.stops_before + " entregas antes de la tuya" : "¡Eres la siguiente entrega!";
    document.getElementById("position-at").textContent =
      v.position_at ? "Última posición del camión: " + new Date(v.position_at).toLocaleTimeString("es-MX") : "";
    main.setAttribute("data-position", v.position ? v.position.join(",") : "");
    draw(v);
  }
  function refresh() {
    fetch("/track/" + encodeURIComponent(token) + "/status").then(function (r) { return r.json(); }).then(show).catch(function () {});
  }
  refresh();
  setInterval(refresh, Number(main.getAttribute("data-refresh-ms") || 15000));
})();
