// The customer's tracking page: refreshes its status every 15 s and draws the branch, the
// destination and the truck's last position. With a tile URL from the settings
// (TOPLLANTAS_LOGISTICS__MAP_TILE_URL, "{z}/{x}/{y}") the points sit on map tiles in Web
// Mercator; when no URL is set or a tile cannot be loaded, on a plain drawing (#map's
// data-map says which: "tiles" or "plain").
(function () {
  "use strict";
  var main = document.getElementById("track");
  if (!main) return;
  var token = main.getAttribute("data-token");
  var canvas = document.getElementById("plot");
  var mapBox = document.getElementById("map");
  var tileUrl = mapBox ? mapBox.getAttribute("data-tiles") : "";
  var tiles = {}, tilesFailed = !tileUrl;
  function points(v) {
    var pts = [{p: v.branch, c: "#0b5394", t: "Sucursal"}];
    if (v.destination) pts.push({p: v.destination, c: "#0b8043", t: "Tu domicilio"});
    if (v.position) pts.push({p: v.position, c: "#e37400", t: "Camión"});
    return pts;
  }
  // Web Mercator: world pixels at zoom z (256 px tiles).
  function wx(lon, z) { return (lon + 180) / 360 * 256 * Math.pow(2, z); }
  function wy(lat, z) {
    var r = lat * Math.PI / 180;
    return (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * 256 * Math.pow(2, z);
  }
  function mark(ctx, pts, xy, line) {
    ctx.strokeStyle = line; ctx.lineWidth = 2; ctx.setLineDash([6, 6]); ctx.beginPath();
    pts.forEach(function (x, i) { var q = xy(x.p); if (i) ctx.lineTo(q[0], q[1]); else ctx.moveTo(q[0], q[1]); });
    ctx.stroke(); ctx.setLineDash([]);
    ctx.font = "14px system-ui, sans-serif";
    pts.forEach(function (x) {
      var q = xy(x.p); ctx.fillStyle = x.c; ctx.beginPath(); ctx.arc(q[0], q[1], 8, 0, 7); ctx.fill();
      ctx.fillStyle = "#1d2530"; ctx.fillText(x.t, q[0] + 11, q[1] + 5);
    });
  }
  function drawTiles(v) {
    var ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, pad = 40;
    var pts = points(v), z = 16;
    for (; z > 3; z--) {
      var xs = pts.map(function (x) { return wx(x.p[1], z); }), ys = pts.map(function (x) { return wy(x.p[0], z); });
      if (Math.max.apply(null, xs) - Math.min.apply(null, xs) <= W - 2 * pad &&
          Math.max.apply(null, ys) - Math.min.apply(null, ys) <= H - 2 * pad) break;
    }
    var px = pts.map(function (x) { return wx(x.p[1], z); }), py = pts.map(function (x) { return wy(x.p[0], z); });
    var left = (Math.min.apply(null, px) + Math.max.apply(null, px)) / 2 - W / 2;
    var top = (Math.min.apply(null, py) + Math.max.apply(null, py)) / 2 - H / 2;
    var need = [], n = Math.pow(2, z);
    for (var tx = Math.floor(left / 256); tx <= Math.floor((left + W) / 256); tx++) {
      for (var ty = Math.floor(top / 256); ty <= Math.floor((top + H) / 256); ty++) {
        if (ty < 0 || ty >= n) continue;
        need.push({x: tx, y: ty, url: tileUrl.replace("{z}", z).replace("{x}", ((tx % n) + n) % n).replace("{y}", ty)});
      }
    }
    var pending = need.filter(function (t) { return !(tiles[t.url] && tiles[t.url].complete); });
    if (pending.length) {
      pending.forEach(function (t) {
        if (tiles[t.url]) return;
        var img = new Image();
        img.onload = function () { drawTiles(v); };
        img.onerror = function () { tilesFailed = true; draw(v); };
        img.src = t.url; tiles[t.url] = img;
      });
      return;
    }
    ctx.clearRect(0, 0, W, H);
    need.forEach(function (t) { ctx.drawImage(tiles[t.url], t.x * 256 - left, t.y * 256 - top); });
    mark(ctx, pts, function (p) { return [wx(p[1], z) - left, wy(p[0], z) - top]; }, "#5f6b7a");
    mapBox.setAttribute("data-map", "tiles");
  }
  function draw(v) {
    if (!tilesFailed) { drawTiles(v); return; }
    if (mapBox) mapBox.setAttribute("data-map", "plain");
    var ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    var pts = points(v);
    var lats = pts.map(function (x) { return x.p[0]; }), lons = pts.map(function (x) { return x.p[1]; });
    var minLa = Math.min.apply(null, lats), maxLa = Math.max.apply(null, lats);
    var minLo = Math.min.apply(null, lons), maxLo = Math.max.apply(null, lons);
    var span = Math.max(maxLa - minLa, maxLo - minLo, 0.01), pad = 40;
    function xy(p) {
      return [pad + (p[1] - minLo) / span * (W - 2 * pad), H - pad - (p[0] - minLa) / span * (H - 2 * pad)];
    }
    mark(ctx, pts, xy, "#9aa7b6");
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
