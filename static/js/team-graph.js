/* Conway's law, visible: the teams as nodes and the links between them (cross-team
   dependencies and API consumptions) as weighted arrows, read from /api/v1/graph/teams/.
   The more teams a team is coupled with, the larger and darker its node, so a team coupled to
   everyone stands out. Clicking an arrow, or a link in the list, fetches the services behind it. */
(function () {
  "use strict";

  var INK = "#1b2330";
  var LOW = "#dbe7f6";
  var HIGH = "#b42318";
  var EDGE = "#6b7280";
  var KIND_LABELS = { sync: "synchronous call", async: "asynchronous event", data: "data", api: "API" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function markCytoscapeStylesheet() {
    var id = "__________cytoscape_stylesheet";
    if (document.getElementById(id)) return;
    var marker = document.createElement("meta");
    marker.id = id;
    document.head.appendChild(marker);
  }

  function mix(share) {
    // from LOW to HIGH, as Cytoscape's mapData would, so the legend can show the same ends
    function channel(hex, at) { return parseInt(hex.substr(at, 2), 16); }
    var rgb = [1, 3, 5].map(function (at) {
      return Math.round(channel(LOW, at) + (channel(HIGH, at) - channel(LOW, at)) * share);
    });
    return "rgb(" + rgb.join(", ") + ")";
  }

  function elements(doc) {
    var maxPartners = Math.max(1, Math.max.apply(null, doc.teams.map(function (t) { return t.partners; })));
    var maxWeight = Math.max(1, Math.max.apply(null, doc.links.map(function (l) { return l.weight; }).concat([1])));
    var nodes = doc.teams.map(function (t) {
      var share = t.partners / maxPartners;
      return { group: "nodes", data: { id: "t:" + t.slug, slug: t.slug, name: t.name, partners: t.partners,
        label: t.name + " · " + t.partners, colour: mix(share), size: Math.round(22 + 38 * share) } };
    });
    var edges = doc.links.map(function (l) {
      return { group: "edges", data: { id: "l:" + l.source + ">" + l.target, source: "t:" + l.source,
        target: "t:" + l.target, weight: l.weight, link: l,
        width: Math.round((1.5 + 8.5 * Math.sqrt(l.weight / maxWeight)) * 10) / 10 } };
    });
    return nodes.concat(edges);
  }

  /* Layered like the dependency graph (callers above, the team everyone calls at the
     bottom) while dagre stays fast; beyond, rings by number of partners, the most coupled in
     the middle. Both are deterministic and size each node with its label. */
  function layoutFor(doc) {
    var byId = function (a, b) { return a.id() < b.id() ? -1 : a.id() > b.id() ? 1 : 0; };
    if (doc.teams.length <= 150 && doc.links.length <= 600) {
      return { name: "dagre", rankDir: "TB", nodeDimensionsIncludeLabels: true, sort: byId,
        nodeSep: 30, rankSep: 70, fit: false, animate: false,
        useDagreEdgeControlPoints: true, automaticDagreEdgeStyle: true };
    }
    var maxPartners = Math.max.apply(null, doc.teams.map(function (t) { return t.partners; }).concat([1]));
    return { name: "concentric", concentric: function (n) { return n.data("partners"); },
      levelWidth: function () { return Math.max(1, maxPartners / 4); }, sort: byId,
      nodeDimensionsIncludeLabels: true, avoidOverlap: true, minNodeSpacing: 24, animate: false, fit: false };
  }

  function describe(link) {
    var parts = [];
    Object.keys(KIND_LABELS).forEach(function (kind) {
      var count = kind === "api" ? link.consumptions : link.dependencies[kind];
      if (count) parts.push(count + " " + KIND_LABELS[kind] + (kind === "api" ? " consumption" : "") + (count > 1 ? "s" : ""));
    });
    return parts.join(", ");
  }

  function draw(container) {
    markCytoscapeStylesheet();
    var wrap = container.closest(".card") || document;
    var panel = wrap.querySelector("[data-team-links]");
    var list = document.querySelector("[data-team-link-list]");
    container.style.height = container.getAttribute("data-height") || "";
    var linksUrl = container.getAttribute("data-links-url");
    var serviceUrl = container.getAttribute("data-service-url");
    var cy = window.cytoscape({
      container: container, wheelSensitivity: 0.3, minZoom: 0.05, maxZoom: 4,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", "label": "data(label)",
          "width": "data(size)", "height": "data(size)", "font-size": 11, "color": INK,
          "text-valign": "bottom", "text-margin-y": 4, "border-width": 1, "border-color": "#4b5563" } },
        { selector: "edge", style: { "width": "data(width)", "line-color": EDGE, "target-arrow-color": EDGE,
          "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.9, "opacity": 0.75,
          "label": "data(weight)", "font-size": 10, "color": INK, "text-background-color": "#fbfcfd",
          "text-background-opacity": 0.9, "text-background-padding": 1 } },
        { selector: "edge.selected-link", style: { "line-color": "#1f5fbf", "target-arrow-color": "#1f5fbf", "opacity": 1 } },
        { selector: ".faded", style: { "opacity": 0.15 } }
      ]
    });

    function showLink(link) {
      cy.edges().removeClass("selected-link");
      cy.getElementById("l:" + link.source + ">" + link.target).addClass("selected-link");
      panel.textContent = "";
      panel.appendChild(el("h3", "", link.source + " → " + link.target + ": " + describe(link)));
      var status = el("p", "muted", "Loading the services…");
      panel.appendChild(status);
      var url = linksUrl.replace("__source__", link.source).replace("__target__", link.target) + "?page_size=200";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (page) {
          var items = el("ul", "team-link-services");
          page.results.forEach(function (row) {
            var item = el("li");
            var from = el("a", "", row.source);
            from.href = serviceUrl.replace("__slug__", row.source);
            var to = el("a", "", row.target);
            to.href = serviceUrl.replace("__slug__", row.target);
            item.appendChild(from);
            item.appendChild(document.createTextNode(" → "));
            item.appendChild(to);
            var how = KIND_LABELS[row.kind] + (row.api ? " " + row.api : "") + (row.resource ? ", resource " + row.resource : "");
            item.appendChild(el("span", "muted", " (" + how + ")"));
            items.appendChild(item);
          });
          status.textContent = page.count > page.results.length
            ? "The first " + page.results.length + " of " + page.count + ":" : page.count + " link" + (page.count === 1 ? "" : "s") + ":";
          panel.appendChild(items);
          panel.setAttribute("data-loaded", link.source + ">" + link.target);
        })
        .catch(function (error) { status.textContent = "Could not load the services (" + error.message + ")."; });
    }

    function fill(doc) {
      cy.add(elements(doc));
      cy.layout(layoutFor(doc)).run();
      fit();
      var legend = document.querySelector("[data-team-legend]");
      if (legend) {
        var marks = el("ul", "legend-list");
        [[0, "coupled with few teams"], [1, "coupled with the most"]].forEach(function (end) {
          var item = el("li"), swatch = el("span", "swatch team");
          swatch.style.backgroundColor = mix(end[0]);
          item.appendChild(swatch);
          item.appendChild(el("span", "", end[1]));
          marks.appendChild(item);
        });
        var arrow = el("li"), line = el("span", "swatch edge");
        line.style.borderTopColor = EDGE;
        line.style.borderTopStyle = "solid";
        arrow.appendChild(line);
        arrow.appendChild(el("span", "", "depends on (thickness and number: links)"));
        marks.appendChild(arrow);
        legend.appendChild(marks);
      }
      if (list) {
        list.textContent = "";
        var links = doc.links.slice().sort(function (a, b) { return b.weight - a.weight || (a.source + ">" + a.target < b.source + ">" + b.target ? -1 : 1); });
        if (!links.length) list.appendChild(el("li", "muted", "No team depends on another yet."));
        links.forEach(function (link) {
          var item = el("li"), button = el("button", "link-button", link.source + " → " + link.target);
          button.type = "button";
          button.addEventListener("click", function () { showLink(link); });
          item.appendChild(button);
          item.appendChild(el("span", "muted", " " + link.weight + " (" + describe(link) + ")"));
          list.appendChild(item);
        });
      }
      container.setAttribute("data-ready", "true");
    }

    function fit() {
      cy.fit(undefined, 24);
      if (cy.zoom() > 1.25) { cy.zoom(1.25); cy.center(); }
    }
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { cy.resize(); fit(); }, 100);
    });

    cy.on("tap", "edge", function (event) { showLink(event.target.data("link")); });
    cy.on("tap", "node", function (event) {
      var node = event.target;
      cy.elements().removeClass("faded");
      cy.elements().not(node.closedNeighborhood()).addClass("faded");
    });
    cy.on("tap", function (event) { if (event.target === cy) cy.elements().removeClass("faded"); });
    var fitButton = wrap.querySelector("[data-graph-fit]");
    if (fitButton) fitButton.addEventListener("click", fit);
    var exportButton = wrap.querySelector("[data-graph-export]");
    if (exportButton) exportButton.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2, maxWidth: 8000, maxHeight: 8000 }));
      link.download = "team-coupling.png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
    fetch(container.getAttribute("data-team-graph"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(fill)
      .catch(function (error) {
        container.setAttribute("data-ready", "error");
        if (panel) panel.textContent = "Could not load the teams (" + error.message + ").";
      });
    return cy;
  }

  function start() {
    window.keelGraphs = window.keelGraphs || {};
    document.querySelectorAll("[data-team-graph]").forEach(function (container) {
      if (typeof window.cytoscape === "function") window.keelGraphs[container.id] = draw(container);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
