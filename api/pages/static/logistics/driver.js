// The driver's route page: loads today's route, posts events and, while the route is active,
// the phone's GPS position every few seconds. Same-origin fetches carry the sign-in cookie.
(function () {
  "use strict";
  var script = document.currentScript;
  var pingMs = 1000 * Number(script.getAttribute("data-ping-seconds") || 10);
  var route = null, watch = null, lastFix = null, timer = null;
  var $ = function (id) { return document.getElementById(id); };
  if ("serviceWorker" in navigator) {  // installable, and the shell opens on a weak signal
    navigator.serviceWorker.register("/driver/sw.js", {scope: "/driver"}).catch(function () {});
  }
  if (!$("route-summary")) return;

  function say(text) { $("message").textContent = text; }
  function hhmm(iso) { return iso ? new Date(iso).toLocaleTimeString("es-MX", {hour: "numeric", minute: "2-digit"}) : "—"; }
  function api(method, path, body) {
    var init = {method: method, credentials: "same-origin", headers: {}};
    if (body instanceof FormData) init.body = body;
    else if (body) { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error((data.error && data.error.message) || data.detail || r.status);
        return data;
      });
    });
  }
  var DONE = {delivered: 1, failed: 1, cancelled: 1};
  function nextStop() {
    return route && route.stops.find(function (s) { return !DONE[s.delivery.status]; });
  }
  function render() {
    if (!route) { $("route-summary").textContent = "No tienes ruta asignada hoy."; return; }
    var left = route.stops.filter(function (s) { return !DONE[s.delivery.status]; }).length;
    $("route-summary").textContent = "Ruta " + route.day + " · " + route.vehicle_plate + " · " +
      route.stops.length + " paradas, faltan " + left + " · " + route.km.toFixed(1) + " km";
    $("depart").hidden = route.status !== "planned";
    var list = $("stops"); list.textContent = "";
    route.stops.forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = hhmm(s.delivery.eta || s.planned_start) + " · " + s.delivery.folio + " · " + s.delivery.address;
      if (DONE[s.delivery.status]) li.className = "done";
      list.appendChild(li);
    });
    var stop = nextStop();
    $("next").hidden = !stop || route.status !== "active";
    if (stop) {
      var d = stop.delivery;
      $("next").dataset.deliveryId = d.id;
      $("next-name").textContent = d.customer_name;
      $("next-folio").textContent = d.folio;
      $("next-address").textContent = d.address;
      $("next-window").textContent = hhmm(d.window_start) + "–" + hhmm(d.window_end);
      $("next-eta").textContent = hhmm(d.eta || stop.planned_start);
      $("next-nav").href = "https://www.google.com/maps/dir/?api=1&destination=" + d.latitude + "," + d.longitude;
      $("next-phone").href = "tel:" + (d.customer_phone || "");
      $("next-phone").textContent = d.customer_phone || "Sin teléfono";
    }
    if (route.status === "active") startPings(); else stopPings();
  }
  function load() { return api("GET", "/api/v1/driver/route").then(function (r) { route = r; render(); }).catch(function (e) { say(e.message); }); }
  function ping() {
    if (!lastFix) return;
    api("POST", "/api/v1/driver/pings", lastFix).then(function () {
      $("gps").textContent = "GPS enviado " + new Date().toLocaleTimeString("es-MX");
    }).catch(function (e) { $("gps").textContent = "GPS: " + e.message; });
  }
  function startPings() {
    if (timer || !navigator.geolocation) return;
    watch = navigator.geolocation.watchPosition(function (p) {
      lastFix = {latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy_m: p.coords.accuracy};
    }, function (e) { $("gps").textContent = "Sin GPS: " + e.message; }, {enableHighAccuracy: true, maximumAge: 5000});
    timer = setInterval(ping, pingMs);
    setTimeout(ping, 1000);
  }
  function stopPings() {
    if (timer) clearInterval(timer);
    if (watch !== null && navigator.geolocation) navigator.geolocation.clearWatch(watch);
    timer = null; watch = null;
  }
  function current() { return $("next").dataset.deliveryId; }
  $("depart").addEventListener("click", function () {
    api("POST", "/api/v1/driver/routes/" + route.id + "/depart").then(function (r) { route = r; say("¡Buen viaje! Avisamos a los clientes."); render(); }).catch(function (e) { say(e.message); });
  });
  $("arrive").addEventListener("click", function () {
    api("POST", "/api/v1/driver/deliveries/" + current() + "/arrive").then(function () { say("Llegada registrada."); }).catch(function (e) { say(e.message); });
  });
  $("deliver-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/v1/driver/deliveries/" + current() + "/deliver", new FormData(ev.target)).then(function () {
      ev.target.reset(); say("Entrega registrada."); return load();
    }).catch(function (e) { say(e.message); });
  });
  $("fail-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "/api/v1/driver/deliveries/" + current() + "/fail", {reason: $("reason").value}).then(function () {
      say("Registrado como no entregado."); return load();
    }).catch(function (e) { say(e.message); });
  });
  load();
})();
