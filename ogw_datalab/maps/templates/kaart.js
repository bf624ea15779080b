// Map pages: one choropleth layer at a time (the select), tooltips, a popup leading to the buurtprofiel,
// one background map at a time, kiemen, zoom to a searched buurt or wijk, a sortable table, and the
// static print map recoloured with the chosen layer. Every text arrives formatted from the page builder.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kaartdata").textContent);
  var root = (document.querySelector(".zoeken") || document.body).getAttribute("data-root") || "";
  var current = 0;
  var element = document.getElementById("kaart");

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" }[c];
    });
  }

  var map = L.map(element, { zoomControl: false, attributionControl: false, zoomSnap: 0.25 });
  L.control.zoom({ zoomInTitle: "Inzoomen", zoomOutTitle: "Uitzoomen" }).addTo(map);
  L.control.attribution({ prefix: '<a href="https://leafletjs.com" hreflang="en">Leaflet</a>' }).addTo(map);
  L.control.scale({ imperial: false, metric: true, maxWidth: 120 }).addTo(map);

  var pdok = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/{stijl}/EPSG:3857/{z}/{x}/{y}.png";
  var kadaster = 'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a>';
  var backgrounds = {
    "Grijze kaart (PDOK)": L.tileLayer(pdok, { stijl: "grijs", attribution: kadaster, minZoom: 6, maxZoom: 19 }),
    "Kleurenkaart (PDOK)": L.tileLayer(pdok, { stijl: "standaard", attribution: kadaster, minZoom: 6, maxZoom: 19 }),
    "OpenStreetMap": L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap-bijdragers</a>', maxZoom: 19
    }),
    "Geen achtergrond": L.layerGroup()
  };
  backgrounds["Grijze kaart (PDOK)"].addTo(map);
  // Offline the tiles fail: say so once (below the map, where it covers nothing), and the plain background stays.
  var failed = 0, loaded = 0;
  var notice = document.getElementById("kaart-melding");
  Object.keys(backgrounds).forEach(function (name) {
    var layer = backgrounds[name];
    if (!layer.on) { return; }
    layer.on("tileload", function () {
      loaded += 1;
      element.classList.remove("zonder-achtergrond");
      if (notice) { notice.hidden = true; }
    });
    layer.on("tileerror", function () {
      failed += 1;
      if (failed >= 4 && loaded === 0 && !element.classList.contains("zonder-achtergrond")) {
        element.classList.add("zonder-achtergrond");
        if (notice) { notice.hidden = false; }
      }
    });
  });

  function style(feature) {
    return { fillColor: feature.properties.k[current], color: "#3a3a3a", weight: 1, fillOpacity: 0.8 };
  }
  function lines(p, withLink) {
    var layer = data.layers[current];
    var rows = [];
    if (p.w) { rows.push("Wijk " + p.w); }
    rows.push(layer.title + ": " + p.t[current]);
    if (layer.gemeente) { rows.push(layer.gemeente); }
    if (p.r[current]) { rows.push(p.r[current]); }
    if (p.d[current]) { rows.push("Verandering: " + p.d[current]); }
    if (p.v && p.v[current]) { rows.push("Vergeleken met vergelijkbare buurten: " + p.v[current]); }
    var html = '<p class="tooltip-kop">' + escapeHtml(p.n) + "</p>";
    for (var i = 0; i < rows.length; i++) { html += "<p>" + escapeHtml(rows[i]) + "</p>"; }
    if (withLink) {
      html += '<p><a href="' + root + "buurten/" + encodeURIComponent(p.c) + '.html">Buurtprofiel van ' +
        escapeHtml(p.n) + "</a></p>";
    }
    return html;
  }

  var byCode = {};
  var areas = L.geoJSON({ type: "FeatureCollection", features: data.features }, {
    style: style,
    onEachFeature: function (feature, layer) {
      byCode[feature.properties.c] = layer;
      layer.bindTooltip(function () { return lines(feature.properties, false); }, { sticky: true });
      layer.bindPopup(function () { return lines(feature.properties, true); }, { maxWidth: 280 });
      layer.on("mouseover", function () { layer.setStyle({ weight: 3, color: "#000000" }); });
      layer.on("mouseout", function () { areas.resetStyle(layer); });
      layer.on("popupopen", function () { layer.closeTooltip(); });
    }
  }).addTo(map);
  map.on("popupopen", function (event) {
    var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", "Sluiten"); close.setAttribute("title", "Sluiten"); }
  });

  var overlays = {};
  if (data.kiemen && window.L.markerClusterGroup) {
    var kiemen = L.markerClusterGroup({ showCoverageOnHover: false });
    data.kiemen.points.forEach(function (point) {
      var marker = L.marker([point[0], point[1]], { alt: "Kiem: " + point[2], title: point[2] });
      marker.bindTooltip(escapeHtml(point[2]));
      kiemen.addLayer(marker);
    });
    kiemen.addTo(map);
    overlays[escapeHtml(data.kiemen.title)] = kiemen;
  }
  if (data.sensoren) {
    // Few points (one per sensor and place): circles coloured by soort, reference stations larger.
    var sensoren = L.layerGroup();
    data.sensoren.points.forEach(function (point) {
      var reference = point[2] === "referentie";
      var marker = L.circleMarker([point[0], point[1]], {
        radius: reference ? 8 : 6, color: "#ffffff", weight: 2, fillOpacity: 1,
        fillColor: reference ? "#0b4f8a" : "#b35900", className: "sensor"
      });
      var text = '<p class="tooltip-kop">' + escapeHtml(point[3][0]) + "</p>";
      for (var i = 1; i < point[3].length; i++) { text += "<p>" + escapeHtml(point[3][i]) + "</p>"; }
      marker.bindTooltip(text);
      marker.bindPopup(text, { maxWidth: 280 });
      sensoren.addLayer(marker);
    });
    sensoren.addTo(map);
    overlays[escapeHtml(data.sensoren.title)] = sensoren;
  }
  var control = L.control.layers(backgrounds, overlays, { collapsed: true }).addTo(map);
  var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
  toggle.setAttribute("title", "Achtergrondkaart en lagen");
  toggle.setAttribute("aria-label", "Achtergrondkaart en lagen");
  map.fitBounds(data.bounds, { padding: [8, 8] });

  var printPaths = document.querySelectorAll(".printkaart-svg path");
  function show(index) {
    current = index;
    areas.setStyle(style);
    var key = data.layers[index].key;
    var legends = document.querySelectorAll("[data-legenda]");
    for (var i = 0; i < legends.length; i++) { legends[i].hidden = legends[i].getAttribute("data-legenda") !== key; }
    for (var j = 0; j < printPaths.length && j < data.features.length; j++) {
      printPaths[j].setAttribute("fill", data.features[j].properties.k[index]);
    }
  }
  var select = document.getElementById("kaartlaag");
  if (select) {
    select.addEventListener("change", function () { show(select.selectedIndex); });
    show(select.selectedIndex);
  }

  function zoomTo(layers) {
    var bounds = L.latLngBounds([]);
    layers.forEach(function (layer) { bounds.extend(layer.getBounds()); });
    if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 16, animate: false }); }
  }
  function openBuurt(code) {
    var layer = byCode[code];
    if (!layer) { return false; }
    zoomTo([layer]);
    layer.openPopup(layer.getBounds().getCenter());
    return true;
  }
  // Chosen in the search box (assets/zoeken.js): zoom to the buurt, or to the buurten of the wijk.
  window.OGW_KIES = function (item) {
    if (item.type === "wijk") {
      var inWijk = [];
      areas.eachLayer(function (layer) { if (layer.feature.properties.wk === item.code) { inWijk.push(layer); } });
      if (!inWijk.length) { return false; }
      zoomTo(inWijk);
      return true;
    }
    return openBuurt(item.buurt || item.code);
  };
  function fromHash() {
    var code = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (/^BU[0-9]{8}$/.test(code)) { openBuurt(code); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  window.OGW = { map: map, areas: areas, show: show, sensoren: typeof sensoren === "undefined" ? null : sensoren };

  var table = document.getElementById("waarden");
  var headers = table ? table.querySelectorAll("th[data-kolom]") : [];
  function sortBy(index) {
    return function () {
      var th = headers[index];
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      for (var k = 0; k < headers.length; k++) { headers[k].removeAttribute("aria-sort"); }
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var column = Number(th.getAttribute("data-kolom"));
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-sort"), y = b.cells[column].getAttribute("data-sort");
        var nx = parseFloat(x), ny = parseFloat(y);
        if (x === "" || y === "") { return x === y ? 0 : (x === "" ? 1 : -1); }  // empty cells last, both ways
        var cmp = (isNaN(nx) || isNaN(ny)) ? String(x).localeCompare(String(y), "nl") : nx - ny;
        return ascending ? cmp : -cmp;
      });
      for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
    };
  }
  for (var h = 0; h < headers.length; h++) { headers[h].querySelector("button").addEventListener("click", sortBy(h)); }
})();
