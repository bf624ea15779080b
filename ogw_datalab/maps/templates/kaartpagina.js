// The map pages' own behaviour, as the folium elements of ogw_datalab/maps/map_elements.py and
// map_page_elements.py call it (a folium plugin's script: shared by every page in assets/, so that a page
// carries only its data and the few lines that connect the parts). Every text arrives formatted from Python.
window.OGWKaart = (function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" }[c];
    });
  }

  // Zoom buttons, attribution and a metric scale (unless withScale is false) in Dutch; Dutch titles on the layer
  // control and popups.
  function dutchControls(map, withScale) {
    L.control.zoom({ zoomInTitle: "Inzoomen", zoomOutTitle: "Uitzoomen" }).addTo(map);
    L.control.attribution({ prefix: '<a href="https://leafletjs.com" hreflang="en">Leaflet</a>' }).addTo(map);
    if (withScale !== false) { L.control.scale({ imperial: false, metric: true, maxWidth: 120 }).addTo(map); }
    var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.setAttribute("title", "Achtergrondkaart en lagen");
      toggle.setAttribute("aria-label", "Achtergrondkaart en lagen");
    }
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", "Sluiten"); close.setAttribute("title", "Sluiten"); }
      // A tap opens the buurt's tooltip as well (Leaflet opens both on a click); the popup says the same, so
      // the tooltip goes, once every handler of the click has run (else it covers the popup on a phone).
      setTimeout(function () {
        map.eachLayer(function (layer) { if (layer.closeTooltip) { layer.closeTooltip(); } });
      }, 0);
    });
  }

  // Offline the tiles fail: say so once (below the map, where it covers nothing), and the plain background stays.
  function backgroundNotice(map, layers) {
    var failed = 0, loaded = 0, element = map.getContainer();
    var notice = document.getElementById("kaart-melding");
    layers.forEach(function (layer) {
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
  }

  // One layer of the buurten at a time (the select #kaartlaag), with its legend and its colours in the print map.
  function layerChoice(areas, data, base) {
    var current = 0;
    var root = (document.querySelector(".zoeken") || document.body).getAttribute("data-root") || "";
    function style(feature) { return L.extend({}, base, { fillColor: feature.properties.k[current] }); }
    function lines(p, withLink) {
      var layer = data.layers[current], rows = [];
      if (p.w) { rows.push(/^wijk /i.test(p.w) ? p.w : "Wijk " + p.w); }  // a CBS name may start with "Wijk"
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
    var printPaths = document.querySelectorAll(".printkaart-svg path");
    function show(index) {
      current = index;
      areas.options.style = style;  // what the highlight resets a buurt to
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
    return { lines: lines, show: show };
  }

  // The meetpunten: circles coloured by soort, reference stations larger; texts set as text.
  function sensorPoints(group, points) {
    points.forEach(function (point) {
      var reference = point[2] === "referentie";
      var marker = L.circleMarker([point[0], point[1]], {
        radius: reference ? 8 : 6, color: "#ffffff", weight: 2, fillOpacity: 1,
        fillColor: reference ? "#0b4f8a" : "#b35900", className: "sensor"
      });
      var text = '<p class="tooltip-kop">' + escapeHtml(point[3][0]) + "</p>";
      for (var i = 1; i < point[3].length; i++) { text += "<p>" + escapeHtml(point[3][i]) + "</p>"; }
      marker.bindTooltip(text);
      marker.bindPopup(text, { maxWidth: 280 });
      group.addLayer(marker);
    });
  }

  // A kiem: a pin with its name (folium's FastMarkerCluster calls this for every row [lat, lon, name]).
  function kiem(row) {
    var marker = L.marker([row[0], row[1]], { alt: "Kiem: " + row[2], title: row[2] });
    marker.bindTooltip(escapeHtml(row[2]));
    return marker;
  }

  // Chosen in the search box (assets/zoeken.js): zoom to the buurt, or to the buurten of the wijk; a buurtcode
  // in the address (#BU...) opens that buurt. window.OGW is for the browser tests.
  function searchHook(map, areas, choice, sensors) {
    var byCode = {};
    areas.eachLayer(function (layer) { byCode[layer.feature.properties.c] = layer; });
    function zoomTo(layers) {
      var bounds = L.latLngBounds([]);
      layers.forEach(function (layer) { bounds.extend(layer.getBounds()); });
      if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 16, animate: false }); }
    }
    function openBuurt(code) {
      var layer = byCode[code];
      if (!layer) { return false; }
      zoomTo([layer]);
      // The popup is bound to the whole layer (folium's GeoJsonPopup): a click on the buurt opens it for that buurt.
      layer.fire("click", { latlng: layer.getBounds().getCenter() }, true);
      return true;
    }
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
    window.OGW = { map: map, areas: areas, show: choice.show, sensoren: sensors };
  }

  // Sort the table #waarden by the column whose header button is clicked (empty cells last, both ways).
  function sortableTable(table) {
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
          if (x === "" || y === "") { return x === y ? 0 : (x === "" ? 1 : -1); }
          var cmp = (isNaN(nx) || isNaN(ny)) ? String(x).localeCompare(String(y), "nl") : nx - ny;
          return ascending ? cmp : -cmp;
        });
        for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
      };
    }
    for (var h = 0; h < headers.length; h++) { headers[h].querySelector("button").addEventListener("click", sortBy(h)); }
  }

  return {
    dutchControls: dutchControls, backgroundNotice: backgroundNotice, layerChoice: layerChoice,
    sensorPoints: sensorPoints, kiem: kiem, searchHook: searchHook, sortableTable: sortableTable
  };
})();
