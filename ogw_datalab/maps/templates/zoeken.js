// The search box: suggestions while typing, forgiving (part of a name, any case, without accents, a code, or a
// postcode when the site has them), operable by keyboard (a combobox with a listbox). A map page handles the
// choice itself (window.OGW_KIES: zoom to it); elsewhere the choice opens the buurt- or wijkprofiel.
(function () {
  "use strict";
  var box = document.querySelector(".zoeken");
  if (!box) { return; }
  var index = window.OGW_ZOEK || { buurten: [], wijken: [], postcodes: {} };
  var root = box.getAttribute("data-root") || "";
  var input = document.getElementById("zoek-buurt");
  var list = document.getElementById("zoek-lijst");
  var status = document.getElementById("zoek-status");
  var button = document.getElementById("zoek-knop");
  var MAX = 8;
  var found = [], active = -1;

  function plain(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }
  var names = {};
  var entries = [];
  index.buurten.forEach(function (b) {
    names[b[0]] = b[1];
    entries.push({ type: "buurt", code: b[0], name: b[1], context: b[2] ? "buurt in " + b[2] : "buurt",
                   keys: [plain(b[1]), b[0].toLowerCase()] });
  });
  index.wijken.forEach(function (w) {
    entries.push({ type: "wijk", code: w[0], name: w[1], context: "wijk", keys: [plain(w[1]), w[0].toLowerCase()] });
  });

  function rank(entry, query) {
    var best = 0;
    entry.keys.forEach(function (key) {
      if (key === query) { best = Math.max(best, 4); }
      else if (key.indexOf(query) === 0) { best = Math.max(best, 3); }
      else if ((" " + key).indexOf(" " + query) >= 0) { best = Math.max(best, 2); }
      else if (key.indexOf(query) >= 0) { best = Math.max(best, 1); }
    });
    return best;
  }
  function postcodes(text) {
    var pc = text.replace(/\s+/g, "").toUpperCase();
    if (!/^[0-9]{4}[A-Z]{0,2}$/.test(pc)) { return []; }
    var hits = [];
    Object.keys(index.postcodes || {}).forEach(function (code) {
      if (code.indexOf(pc) === 0 && hits.length < MAX) {
        var buurt = index.postcodes[code];
        hits.push({ type: "postcode", code: code, buurt: buurt, name: code.slice(0, 4) + " " + code.slice(4),
                    context: "postcode in " + (names[buurt] || buurt) });
      }
    });
    return hits;
  }
  function search(text) {
    var query = plain(text);
    if (!query) { return []; }
    var hits = postcodes(text);
    var scored = [];
    entries.forEach(function (entry) {
      var r = rank(entry, query);
      if (r > 0) { scored.push([r, entry]); }
    });
    scored.sort(function (a, b) { return b[0] - a[0] || a[1].name.localeCompare(b[1].name, "nl"); });
    return hits.concat(scored.map(function (s) { return s[1]; })).slice(0, MAX);
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function render() {
    list.innerHTML = "";
    found.forEach(function (entry, i) {
      var option = document.createElement("li");
      option.id = "zoek-optie-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", i === active ? "true" : "false");
      var name = document.createElement("span");
      name.textContent = entry.name;
      var context = document.createElement("span");
      context.className = "klein";
      context.textContent = " – " + entry.context;
      option.appendChild(name);
      option.appendChild(context);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(entry); });
      list.appendChild(option);
    });
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    if (active >= 0) { input.setAttribute("aria-activedescendant", "zoek-optie-" + active); }
    else { input.removeAttribute("aria-activedescendant"); }
  }
  function profile(entry) {
    var code = entry.type === "postcode" ? entry.buurt : entry.code;
    return root + (entry.type === "wijk" ? "wijken/" : "buurten/") + encodeURIComponent(code) + ".html";
  }
  function choose(entry) {
    input.value = entry.name;
    close();
    var handled = typeof window.OGW_KIES === "function" && window.OGW_KIES(entry);
    var what = entry.type === "postcode" ? (names[entry.buurt] || entry.buurt) : entry.name;
    var link = document.createElement("a");
    link.href = profile(entry);
    link.textContent = (entry.type === "wijk" ? "Wijkprofiel van " : "Buurtprofiel van ") + what;
    status.textContent = handled ? "Ingezoomd op " + what + ". " : "";
    if (handled) { status.appendChild(link); } else { window.location.href = link.href; }
  }
  function submit() {
    var hits = search(input.value);
    if (active >= 0 && found[active]) { choose(found[active]); }
    else if (hits.length) { choose(hits[0]); }
    else if (input.value.trim()) {
      close();
      status.textContent = "Geen buurt, wijk of postcode gevonden voor \u2018" + input.value.trim() + "\u2019.";
    }
  }

  input.addEventListener("input", function () {
    found = search(input.value);
    active = -1;
    render();
    status.textContent = found.length || !input.value.trim() ? "" : "Geen suggesties.";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden) { found = search(input.value); }
      active = found.length ? (active + 1) % found.length : -1;
      render();
      event.preventDefault();
    } else if (event.key === "ArrowUp") {
      active = found.length ? (active <= 0 ? found.length - 1 : active - 1) : -1;
      render();
      event.preventDefault();
    } else if (event.key === "Enter") {
      submit();
      event.preventDefault();
    } else if (event.key === "Escape") {
      if (list.hidden) { input.value = ""; }
      close();
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  button.addEventListener("click", submit);
})();
