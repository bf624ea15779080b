// Opgave page: one choropleth at a time, chosen with the select; search; sortable table.
(function () {
  "use strict";
  var cfg = window.OGW;
  var map = window[cfg.map];
  var areas = window[cfg.areas];
  var current = cfg.layers[0].key;

  function layerInfo(key) {
    for (var i = 0; i < cfg.layers.length; i++) { if (cfg.layers[i].key === key) { return cfg.layers[i]; } }
    return cfg.layers[0];
  }
  function style(feature) {
    return { fillColor: feature.properties[current + "_c"], color: "#3a3a3a", weight: 1, fillOpacity: 0.8 };
  }
  function tooltip(feature) {
    var p = feature.properties, info = layerInfo(current);
    var rows = [["Buurt", p.n + " (" + p.c + ")"], ["Wijk", p.w], [info.title, p[current + "_t"]],
                ["Gemeente", info.gemeente], ["Rang (1 = meeste aandacht)", p[current + "_r"]],
                ["Verandering", p[current + "_d"]]];
    var html = "";
    for (var i = 0; i < rows.length; i++) {
      var cls = i === 0 ? ' class="tooltip-kop"' : "";
      // Texts from data come escaped from the page builder; they are shown, never run.
      html += "<div" + cls + ">" + (i === 0 ? "" : rows[i][0] + ": ") + String(rows[i][1]) + "</div>";
    }
    return html;
  }
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" }[c]; });
  }
  function show(key) {
    current = key;
    areas.setStyle(style);
    var legends = document.querySelectorAll("[data-legenda]");
    for (var i = 0; i < legends.length; i++) { legends[i].hidden = legends[i].getAttribute("data-legenda") !== key; }
  }
  areas.eachLayer(function (layer) { layer.bindTooltip(function () { return tooltip(layer.feature); }, { sticky: true }); });
  document.getElementById("kaartlaag").addEventListener("change", function (e) { show(e.target.value); });
  show(current);

  var search = document.getElementById("zoek-buurt");
  function find() {
    var wanted = escapeHtml(search.value.trim()).toLowerCase(), found = null;
    areas.eachLayer(function (layer) {
      var p = layer.feature.properties;
      if (!found && (p.n.toLowerCase() === wanted || p.c.toLowerCase() === wanted)) { found = layer; }
    });
    var status = document.getElementById("zoek-status");
    if (found) { map.fitBounds(found.getBounds(), { maxZoom: 16, animate: false }); found.openTooltip(); status.innerHTML = "Ingezoomd op " + found.feature.properties.n + "."; }
    else if (wanted) { status.textContent = "Geen buurt gevonden met die naam."; }
  }
  search.addEventListener("change", find);
  document.getElementById("zoek-knop").addEventListener("click", find);

  var table = document.getElementById("waarden");
  var headers = table.querySelectorAll("th[data-kolom]");
  for (var h = 0; h < headers.length; h++) {
    headers[h].querySelector("button").addEventListener("click", sortBy(h));
  }
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
        var cmp = (isNaN(nx) || isNaN(ny)) ? String(x).localeCompare(String(y), "nl") : nx - ny;
        if (isNaN(nx) !== isNaN(ny)) { cmp = isNaN(nx) ? 1 : -1; return cmp; }
        return ascending ? cmp : -cmp;
      });
      for (var r = 0; r < rows.length; r++) { body.appendChild(rows[r]); }
    };
  }
})();
