/* Keel dependency graphs: draws the elements the page embeds (json_script) with Cytoscape.js.
   Pan by dragging, zoom with the wheel or pinch, click (tap) a service to open its page.
   Edges point from a service to what it depends on; nodes and edges in a cycle are red. */
(function () {
  "use strict";

  function teamColour(slug) {
    var hash = 0;
    for (var i = 0; i < slug.length; i++) hash = (hash * 31 + slug.charCodeAt(i)) | 0;
    return "hsl(" + Math.round((Math.abs(hash) * 137.508) % 360) + ", 55%, 62%)";
  }

  function layoutFor(count) {
    if (count <= 1) return { name: "grid" };
    if (count <= 200) {
      return { name: "cose", animate: false, randomize: true, nodeRepulsion: function () { return 20000; },
        idealEdgeLength: function () { return 90; }, numIter: 1000, padding: 20 };
    }
    // Large graphs: a force layout with fewer iterations stays under a second or two.
    return { name: "cose", animate: false, randomize: true, nodeRepulsion: function () { return 6000; },
      idealEdgeLength: function () { return 50; }, numIter: 250, coolingFactor: 0.9, padding: 10,
      nodeOverlap: 4, componentSpacing: 60 };
  }

  // Cytoscape adds an inline <style> (which the CSP forbids) unless an element with this id
  // exists; the one rule it would add is in keel.css.
  function markCytoscapeStylesheet() {
    var id = "__________cytoscape_stylesheet";
    if (document.getElementById(id)) return;
    var marker = document.createElement("meta");
    marker.id = id;
    document.head.appendChild(marker);
  }

  function draw(container) {
    markCytoscapeStylesheet();
    var dataElement = document.getElementById(container.getAttribute("data-graph"));
    if (!dataElement || typeof window.cytoscape !== "function") return null;
    var data = JSON.parse(dataElement.textContent);
    // Set here, not in a style attribute: the Content-Security-Policy allows no inline styles.
    container.style.height = container.getAttribute("data-height") || "";
    data.nodes.forEach(function (n) { n.data.colour = teamColour(n.data.team || ""); });
    var large = data.edges.length > 800;
    var cy = window.cytoscape({
      container: container,
      elements: { nodes: data.nodes, edges: data.edges },
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 4,
      textureOnViewport: large,
      hideEdgesOnViewport: large,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", "label": "data(label)", "font-size": 10,
          "text-valign": "bottom", "text-margin-y": 3, "color": "#1b2330", "width": 18, "height": 18,
          "border-width": 1, "border-color": "#4b5563", "min-zoomed-font-size": 7 } },
        { selector: "node[?focus]", style: { "width": 26, "height": 26, "border-width": 3,
          "border-color": "#1f5fbf", "font-weight": "bold" } },
        { selector: "node[?cycle]", style: { "border-width": 3, "border-color": "#b42318" } },
        { selector: "edge", style: {
          "width": 1.2, "line-color": "#9aa5b4", "target-arrow-color": "#9aa5b4",
          "target-arrow-shape": large ? "none" : "triangle", "arrow-scale": 0.8,
          "curve-style": large ? "haystack" : "straight" } },
        { selector: "edge[?cycle]", style: { "line-color": "#b42318", "target-arrow-color": "#b42318", "width": 2.2 } },
        { selector: ".faded", style: { "opacity": 0.15 } },
        { selector: "node.hover", style: { "border-width": 3, "border-color": "#111a27" } }
      ],
      layout: layoutFor(data.nodes.length)
    });
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) window.location.assign(url);
    });
    cy.on("mouseover", "node", function (event) {
      var node = event.target;
      container.style.cursor = "pointer";
      container.title = node.data("name") + " (" + node.data("teamName") + ")";
      if (!large) {
        cy.elements().addClass("faded");
        node.closedNeighborhood().removeClass("faded");
      }
      node.addClass("hover");
    });
    cy.on("mouseout", "node", function (event) {
      container.style.cursor = "";
      container.title = "";
      cy.elements().removeClass("faded");
      event.target.removeClass("hover");
    });
    var wrap = container.closest(".graph-wrap");
    var fit = wrap && wrap.querySelector("[data-graph-fit]");
    if (fit) fit.addEventListener("click", function () { cy.fit(undefined, 20); });
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { cy.resize(); cy.fit(undefined, 20); }, 100);
    });
    container.setAttribute("data-ready", "true");
    return cy;
  }

  function start() {
    window.keelGraphs = {};
    document.querySelectorAll("[data-graph]").forEach(function (container) {
      var cy = draw(container);
      if (cy) window.keelGraphs[container.id] = cy;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
