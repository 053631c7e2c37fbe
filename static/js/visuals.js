/* The incident list's timeline and map. Both read JSON endpoints that take the page's own filters,
   so they show exactly the rows of the table; clicking a bar or a circle narrows the page through
   its URL. Without JavaScript the page keeps its table and the timeline as a plain table.

   Every string put on the page goes in as text (textContent, text nodes, attributes, or a DOM
   element handed to Leaflet), never as HTML: names, labels and the tile attribution are typed by
   people. Names are bidi-isolated in <bdi>, as on the server-rendered pages. */
(function () {
  "use strict";
  var section = document.querySelector("section.visuals");
  // A page that refused its parameters lists no rows, and its charts have nothing to show.
  if (!section || !section.dataset.timeline || !window.fetch) return;
  var SVG = "http://www.w3.org/2000/svg";

  section.querySelectorAll(".swatch[data-colour]").forEach(function (swatch) {
    swatch.style.background = swatch.dataset.colour;
  });

  // The page's URL with these parameters set (and back to its first page).
  function narrowed(params) {
    var url = new URL(window.location.href);
    Object.keys(params).forEach(function (name) { url.searchParams.set(name, params[name]); });
    url.searchParams.delete("page");
    return url.toString();
  }

  function narrow(params) { window.location.assign(narrowed(params)); }

  // An element holding `text` as text, bidi-isolated.
  function isolated(text) {
    var node = document.createElement("bdi");
    node.textContent = text;
    return node;
  }

  // Text nodes and elements in one element: strings go in as text, never parsed as HTML.
  function element(name, className, parts) {
    var node = document.createElement(name);
    if (className) node.className = className;
    parts.forEach(function (part) {
      node.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    return node;
  }

  function svg(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function legend(series) {
    var list = document.createElement("ul");
    list.className = "legend";
    series.forEach(function (s) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = s.colour;
      item.appendChild(swatch);
      item.appendChild(isolated(s.label));
      list.appendChild(item);
    });
    return list;
  }

  // Axis ticks at round numbers (a step of 1, 2 or 5 times a power of ten) from 0 to at least
  // `max`, at most five of them: 0/5/10/15/20 rather than 0/9/17.
  function roundTicks(max) {
    var step = 1;
    for (var power = 1; ; power *= 10) {
      var found = [1, 2, 5].map(function (m) { return m * power; })
        .filter(function (s) { return Math.ceil(max / s) <= 4; })[0];
      if (found) { step = found; break; }
    }
    var ticks = [];
    for (var tick = 0; tick < max + step; tick += step) ticks.push(tick);
    if (ticks.length < 2) ticks.push(step);
    return ticks;
  }

  function drawTimeline(data) {
    var box = section.querySelector("#timeline-chart");
    if (!data.buckets.length) return;
    section.querySelector(".chart-panel").hidden = false;
    var width = Math.max(box.clientWidth || 640, 320), height = 230;
    var left = 36, right = 8, top = 10, bottom = 42;
    var ticks = roundTicks(Math.max.apply(null, data.buckets.map(function (b) { return b.total; })));
    var max = ticks[ticks.length - 1];
    var scale = (height - top - bottom) / max;
    var slot = (width - left - right) / data.buckets.length;
    var barWidth = Math.max(2, slot * 0.8);
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "timeline-svg",
                             "data-total": data.total, focusable: "false" });
    ticks.forEach(function (tick) {
      var y = height - bottom - tick * scale;
      chart.appendChild(svg("line", { x1: left - 4, x2: width - right, y1: y, y2: y, class: "grid" }));
      chart.appendChild(svg("text", { x: left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, tick));
    });
    var every = Math.ceil(data.buckets.length / Math.max(1, Math.floor((width - left) / 70)));
    data.buckets.forEach(function (bucket, i) {
      var x = left + i * slot + (slot - barWidth) / 2;
      // A real link: it selects exactly the incidents the bar counts (first possible day in
      // its dates), and keyboards, screen readers and new tabs treat it as one.
      var bar = svg("a", { class: "bar", "data-start": bucket.start, "data-end": bucket.end,
                           "data-total": bucket.total,
                           href: narrowed({ date_from: bucket.start, date_to: bucket.end,
                                            date_match: "start" }),
                           "aria-label": bucket.label + ": " + bucket.total +
                             (bucket.total === 1 ? " incident" : " incidents") + ". List them." });
      bar.appendChild(svg("rect", { x: left + i * slot, y: top, width: slot, height: height - top - bottom,
                                    class: "hit" }));
      var y = height - bottom;
      data.series.forEach(function (s) {
        var count = bucket.counts[s.key] || 0;
        if (!count) return;
        y -= count * scale;
        var rect = svg("rect", { x: x, y: y, width: barWidth, height: count * scale, fill: s.colour,
                                 "data-series": s.key, "data-count": count });
        rect.appendChild(svg("title", {}, bucket.label + ", " + s.label + ": " + count));
        bar.appendChild(rect);
      });
      chart.appendChild(bar);
      if (i % every === 0) {
        chart.appendChild(svg("text", { x: left + i * slot + slot / 2, y: height - bottom + 16,
                                        class: "tick", "text-anchor": "middle" }, bucket.label));
      }
    });
    // A group of links (the bars), named: not an image, whose content would be hidden.
    chart.setAttribute("role", "group");
    chart.setAttribute("aria-label", box.dataset.label);
    box.appendChild(chart);
    box.appendChild(legend(data.series));
  }

  // The map's credits, built as text (Leaflet's own attribution control takes HTML strings).
  function credits(texts) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var leaflet = element("a", "", ["Leaflet"]);
      leaflet.href = "https://leafletjs.com";
      var parts = [leaflet];
      texts.forEach(function (text) { parts.push(" | ", isolated(text)); });
      return element("div", "leaflet-control-attribution", parts);
    };
    return control;
  }

  // Names on the map: each site shown, then each country whose name fits, placed largest first
  // where they overlap no name already placed, again at every zoom. Names go in as text.
  function nameLabels(map, names) {
    var layer = L.layerGroup().addTo(map);
    function place() {
      layer.clearLayers();
      var taken = [], size = map.getSize();
      names.forEach(function (n) {
        var at = map.latLngToContainerPoint(n.at);
        var width = n.text.length * (n.site ? 6.6 : 6.2) + 6, height = 15;
        if (!n.site) {
          var room = map.latLngToContainerPoint([n.at[0], n.at[1] + n.room / 2]).x -
                     map.latLngToContainerPoint([n.at[0], n.at[1] - n.room / 2]).x;
          if (room < width * 0.6) return;
        }
        var box = n.site ? { left: at.x + n.offset, top: at.y - height / 2 }
                         : { left: at.x - width / 2, top: at.y - height / 2 };
        box.right = box.left + width;
        box.bottom = box.top + height;
        if (box.left < 0 || box.top < 0 || box.right > size.x || box.bottom > size.y) return;
        var clash = taken.some(function (t) {
          return box.left < t.right && t.left < box.right && box.top < t.bottom && t.top < box.bottom;
        });
        if (clash) return;
        taken.push(box);
        var label = element("span", n.site ? "map-label site-label" : "map-label country-label",
                            [isolated(n.text)]);
        label.setAttribute("aria-hidden", "true");  // the circles' own labels say it to readers
        var anchor = n.site ? [-n.offset, height / 2] : [width / 2, height / 2];
        L.marker(n.at, { interactive: false, keyboard: false,
                         icon: L.divIcon({ html: label, className: "map-name", iconSize: [width, height],
                                           iconAnchor: anchor }) }).addTo(layer);
      });
    }
    map.on("zoomend moveend resize", place);
    place();
  }

  function countryNames(countries) {
    if (!countries) return [];
    return countries.features.filter(function (f) { return f.properties.label; })
      .map(function (f) {
        var p = f.properties;
        return { text: p.name, at: [p.label[1], p.label[0]], room: p.label_room, site: false };
      })
      .sort(function (a, b) { return b.room - a.room; });
  }

  // The view: every circle, with at least a few degrees around them, so that a single site is
  // shown among its neighbours' borders and names rather than as a close-up of blank lines.
  var CONTEXT_DEGREES = 4;
  function view(map, points) {
    if (!points.length) { map.setView([30, 40], 3); return; }
    var bounds = L.latLngBounds(points).pad(0.3);
    var centre = bounds.getCenter();
    bounds.extend([centre.lat - CONTEXT_DEGREES, centre.lng - CONTEXT_DEGREES]);
    bounds.extend([centre.lat + CONTEXT_DEGREES, centre.lng + CONTEXT_DEGREES]);
    map.fitBounds(bounds, { maxZoom: 7 });
  }

  function unlocatedNote(count) {
    if (!count) return "";
    return count === 1 ? "1 incident has no mapped location and is not shown." :
      count + " incidents have no mapped location and are not shown.";
  }

  function drawMap(data, countries) {
    var panel = section.querySelector(".map-panel");
    panel.hidden = false;
    var map = L.map("incident-map", { scrollWheelZoom: false, worldCopyJump: true,
                                      attributionControl: false });
    var sources = [];
    if (section.dataset.tiles) {
      L.tileLayer(section.dataset.tiles).addTo(map);
      if (section.dataset.tilesAttribution) sources.push(section.dataset.tilesAttribution);
    } else if (countries) {
      L.geoJSON(countries, { interactive: false,
        style: { color: "#9aa3ad", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 } }).addTo(map);
      sources.push("Country outlines and names: Natural Earth");
    }
    credits(sources).addTo(map);
    var max = Math.max.apply(null, [1].concat(data.features.map(function (f) { return f.properties.count; })));
    view(map, data.features.map(function (f) {
      return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
    }));
    var circles = L.featureGroup().addTo(map);
    var sites = [];
    data.features.forEach(function (feature) {
      var p = feature.properties, at = feature.geometry.coordinates;
      var radius = 5 + 14 * Math.sqrt(p.count / max);
      var circle = L.circleMarker([at[1], at[0]], {
        radius: radius, color: "#1f2933", weight: 1,
        fillColor: p.colour, fillOpacity: 0.85, className: "incident-marker" });
      circle.bindTooltip(element("span", "", [isolated(p.name),
        ": " + p.count + (p.count === 1 ? " incident" : " incidents")]));
      circle.on("click", function () { narrow({ location: p.slug }); });
      circle.addTo(circles);
      var node = circle.getElement();
      node.setAttribute("data-slug", p.slug);
      node.setAttribute("data-count", p.count);
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "link");
      node.setAttribute("aria-label", p.name + ": " + p.count +
        (p.count === 1 ? " incident" : " incidents") + ". Filter by this location.");
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter") narrow({ location: p.slug });
      });
      sites.push({ text: p.name, at: [at[1], at[0]], site: true, offset: radius + 3, count: p.count });
    });
    sites.sort(function (a, b) { return b.count - a.count; });
    nameLabels(map, sites.concat(section.dataset.tiles ? [] : countryNames(countries)));
    var note = panel.querySelector(".unlocated");
    note.setAttribute("data-unlocated", data.unlocated);
    note.textContent = unlocatedNote(data.unlocated);
    panel.setAttribute("data-total", data.total);
  }

  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(url + ": HTTP " + response.status);
        return response.json();
      });
  }

  function report(error) { console.error(error); }
  var drawn = [json(section.dataset.timeline).then(drawTimeline).catch(report)];
  if (window.L) {
    var countries = section.dataset.tiles ? Promise.resolve(null) :
      json(section.dataset.countries).catch(function () { return null; });
    drawn.push(Promise.all([json(section.dataset.map), countries])
      .then(function (both) { drawMap(both[0], both[1]); })
      .catch(report));
  }
  Promise.all(drawn).then(function () { section.setAttribute("data-ready", "1"); });
})();
