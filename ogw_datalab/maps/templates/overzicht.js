// Overview map: every buurt of a region or the country on one canvas, one layer at a time. The map, its
// background and its bounds are folium's (build_overview.py); this is the script of its plugin (BuurtenCanvas).
// Texts from data are set as text (textContent), never as HTML.
window.OGWOverzicht = function (map, D) {
  "use strict";
  var renderer = L.canvas({ padding: 0.3 });
  var current = 0;

  function decode(rings) {
    var out = [];
    for (var r = 0; r < rings.length; r++) {
      var ring = rings[r], lat = 0, lon = 0, pts = [];
      for (var i = 0; i < ring.length; i += 2) {
        lat += ring[i]; lon += ring[i + 1];
        pts.push([lat / D.schaal, lon / D.schaal]);
      }
      out.push(pts);
    }
    return out;
  }
  function colour(index) {
    var layer = D.lagen[current], k = layer.k.charAt(index);
    if (k === "s") { return D.kleuren.onderdrukt; }
    if (k === "n") { return D.kleuren.geen; }
    return layer.kleuren[Number(k)];
  }
  var shapes = [];
  for (var b = 0; b < D.c.length; b++) {
    var polygons = [];
    for (var p = 0; p < D.vormen[b].length; p++) { polygons.push(decode(D.vormen[b][p])); }
    var shape = L.polygon(polygons, { renderer: renderer, weight: 0.4, color: "#4d4d4d", fillOpacity: 0.85, fillColor: colour(b) });
    shape.buurt = b;
    shapes.push(shape);
  }
  var group = L.featureGroup(shapes).addTo(map);

  var formatters = {};
  function format(value, decimals) {
    if (!formatters[decimals]) {
      formatters[decimals] = new Intl.NumberFormat("nl-NL", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    }
    return formatters[decimals].format(value);
  }
  function line(parent, text, bold) {
    var div = document.createElement("div");
    div.textContent = text;
    if (bold) { div.className = "tooltip-kop"; }
    parent.appendChild(div);
  }
  function valueText(layer, b) {
    var k = layer.k.charAt(b);
    if (k === "s") { return "onderdrukt (te kleine groep)"; }
    if (layer.w[b] === null) { return "geen waarde"; }
    return format(layer.w[b], layer.decimalen) + " " + layer.eenheid;
  }
  // Three characters per buurt: similar buurten lower, higher, with a value (see build_overview.py).
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  function comparison(codes, b) {
    var lower = DIGITS.indexOf(codes.charAt(3 * b)), higher = DIGITS.indexOf(codes.charAt(3 * b + 1));
    var n = DIGITS.indexOf(codes.charAt(3 * b + 2));
    if (lower > higher) { return "hoger dan " + lower + " van " + n + " vergelijkbare buurten"; }
    if (higher > lower) { return "lager dan " + higher + " van " + n + " vergelijkbare buurten"; }
    return "gelijk aan het midden van " + n + " vergelijkbare buurten";
  }
  group.bindTooltip(function (shape) {
    var b = shape.buurt, layer = D.lagen[current], gemeente = D.gemeenten[D.g[b]];
    var box = document.createElement("div");
    line(box, D.n[b] + " (" + D.c[b] + ")", true);
    line(box, "Gemeente: " + gemeente[1]);
    line(box, layer.titel + ": " + valueText(layer, b));
    var compared = D.vergelijking && D.vergelijking[layer.id];
    if (compared && compared.charAt(3 * b) !== ".") { line(box, comparison(compared, b)); }
    return box;
  }, { sticky: true });
  group.bindPopup(function (shape) {
    var gemeente = D.gemeenten[D.g[shape.buurt]];
    var box = document.createElement("div");
    line(box, D.n[shape.buurt] + ", " + gemeente[1], true);
    if (gemeente[2]) {
      var a = document.createElement("a");
      a.href = gemeente[2];
      a.textContent = "Naar de site van " + gemeente[1];
      box.appendChild(a);
    } else {
      line(box, "Voor " + gemeente[1] + " is (nog) geen site gebouwd.");
    }
    return box;
  });

  function legend() {
    var layer = D.lagen[current], box = document.getElementById("legenda");
    document.getElementById("eenheid").textContent = layer.eenheid;
    box.textContent = "";
    var list = document.createElement("ul");
    list.className = "legenda";
    list.setAttribute("aria-label", "Legenda " + layer.titel);
    for (var i = 0; i < layer.legenda.length; i++) {
      var item = document.createElement("li"), swatch = document.createElement("span");
      swatch.className = "kleur";
      swatch.style.background = layer.legenda[i][0];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(layer.legenda[i][1]));
      list.appendChild(item);
    }
    box.appendChild(list);
  }
  function show(index) {
    current = index;
    for (var b = 0; b < shapes.length; b++) { shapes[b].setStyle({ fillColor: colour(b) }); }
    legend();
    var tip = group.getTooltip();  // an open tooltip shows the new layer's value at once
    if (tip && map.hasLayer(tip)) { tip.update(); }
  }
  document.getElementById("laag").addEventListener("change", function (e) { show(Number(e.target.value)); });
  legend();

  var search = document.getElementById("zoek-gemeente");
  function zoom() {
    var wanted = search.value.trim().toLowerCase(), status = document.getElementById("zoek-status");
    var index = -1;
    for (var g = 0; g < D.gemeenten.length; g++) {
      if (D.gemeenten[g][1].toLowerCase() === wanted || D.gemeenten[g][0].toLowerCase() === wanted) { index = g; }
    }
    if (index < 0) { status.textContent = wanted ? "Geen gemeente gevonden met die naam." : ""; return; }
    var bounds = null;
    for (var b = 0; b < shapes.length; b++) {
      if (D.g[b] === index) { bounds = bounds ? bounds.extend(shapes[b].getBounds()) : L.latLngBounds(shapes[b].getBounds()); }
    }
    if (bounds) { map.fitBounds(bounds, { animate: false }); }
    status.textContent = "Ingezoomd op " + D.gemeenten[index][1] + ".";
  }
  search.addEventListener("change", zoom);

  // For the browser tests: the map and its shapes, and the moment the first frame with every buurt is drawn.
  window.OGW_KAART = { map: map, vormen: shapes };
  window.requestAnimationFrame(function () {
    window.requestAnimationFrame(function () { window.OGW_KLAAR = performance.now(); });
  });
};
