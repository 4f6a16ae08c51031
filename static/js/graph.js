/* Keel dependency graphs: draws the elements a page embeds (json_script) with Cytoscape.js and
   the dagre layout (cytoscape-dagre), in layers from callers (top) to what they call (below).

   The same data always gives the same picture: nodes and edges come sorted from the server,
   are sorted again before every layout, and dagre has no randomness. Each node's size for the
   layout includes its label, so labels never sit on other nodes. Team colours, edge kinds and
   marks are drawn from the constants below, and the legend is built from the same constants.
   Large pictures start grouped by team (one node per team, edges counted between teams);
   clicking a team opens it. Pan by dragging, zoom with the wheel or pinch, click a service to
   open its page. */
(function () {
  "use strict";

  var FOCUS = "#1f5fbf";
  var CYCLE = "#b42318";
  var INK = "#1b2330";
  var PALETTE = ["#8db9e3", "#f2b27d", "#9fcf8a", "#e99ab5", "#c4aee8", "#f0d071",
    "#8fd3cd", "#d5b391", "#e3a19b", "#b5c99a", "#d7a6d6", "#a9b8c8"];
  var KINDS = {
    sync: { colour: "#4b5563", line: "solid", arrow: "triangle" },
    async: { colour: "#7c3aed", line: "dashed", arrow: "vee" },
    data: { colour: "#0f766e", line: "dotted", arrow: "square" },
    mixed: { colour: "#6b7280", line: "solid", arrow: "triangle" }
  };
  var GROUP_AT = 150; // more services than this start grouped by team
  var MAX_FIT_ZOOM = 1.25; // a picture of one service is a node, not a poster

  function teamColour(index) {
    if (index < PALETTE.length) return PALETTE[index];
    return "hsl(" + Math.round((index * 137.508) % 360) + ", 55%, 72%)";
  }

  function byId(a, b) {
    var x = a.id(), y = b.id();
    return x < y ? -1 : x > y ? 1 : 0;
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

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function styles(large) {
    return [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "font-size": 11,
        "text-valign": "bottom", "text-halign": "center", "text-margin-y": 4, "color": INK,
        "width": 20, "height": 20, "border-width": 1, "border-color": "#4b5563",
        "min-zoomed-font-size": 6, "text-background-color": "#fbfcfd",
        "text-background-opacity": 0.85, "text-background-padding": 1 } },
      { selector: "node[?cycle]", style: { "border-width": 3, "border-color": CYCLE } },
      { selector: "node[?focus]", style: { "width": 28, "height": 28, "border-width": 4,
        "border-color": FOCUS, "font-weight": "bold" } },
      { selector: "node.team", style: { "shape": "round-rectangle", "width": "data(size)",
        "height": "data(size)", "border-width": 2, "border-color": "#4b5563", "font-weight": "bold" } },
      { selector: "node.team[?focus]", style: { "border-width": 4, "border-color": FOCUS } },
      { selector: ":parent", style: { "background-color": "data(colour)", "background-opacity": 0.14,
        "border-width": 2, "border-color": "data(colour)", "shape": "round-rectangle",
        "padding": 16, "text-valign": "top", "text-halign": "center", "text-margin-y": -4,
        "font-weight": "bold", "font-size": 12 } },
      { selector: "edge", style: {
        "width": 1.4, "line-color": "data(colour)", "target-arrow-color": "data(colour)",
        "line-style": "data(line)", "target-arrow-shape": large ? "none" : "data(arrow)",
        "arrow-scale": 0.8, "curve-style": large ? "haystack" : "bezier" } },
      { selector: "edge[count > 1]", style: { "width": "data(weight)", "label": "data(count)",
        "font-size": 10, "color": INK, "text-background-color": "#fbfcfd",
        "text-background-opacity": 0.9, "text-background-padding": 1 } },
      { selector: "edge[?cycle]", style: { "line-color": CYCLE, "target-arrow-color": CYCLE, "width": 2.4 } },
      { selector: ".faded", style: { "opacity": 0.15 } },
      { selector: "node.shown", style: { "border-width": 4, "border-color": CYCLE } },
      { selector: "edge.shown", style: { "width": 4, "line-color": CYCLE, "target-arrow-color": CYCLE } },
      { selector: "node.hover", style: { "border-width": 3, "border-color": "#111a27" } }
    ];
  }

  /* The model: every service and dependency of the data, and which teams are open. Elements
     are rebuilt from it whenever a team is opened or closed. */
  function Model(data) {
    var model = this;
    this.data = data;
    this.teamIndex = {};
    data.teams.forEach(function (team, index) { model.teamIndex[team.slug] = index; });
    this.teamOf = {};
    data.nodes.forEach(function (n) { model.teamOf[n.data.id] = n.data.team; });
    this.count = {};
    data.nodes.forEach(function (n) { model.count[n.data.team] = (model.count[n.data.team] || 0) + 1; });
    this.open = {};
    this.grouped = data.nodes.length > GROUP_AT && data.teams.length > 1;
  }

  Model.prototype.colour = function (slug) { return teamColour(this.teamIndex[slug] || 0); };

  Model.prototype.elements = function () {
    var model = this, nodes = [], edges = {}, grouped = this.grouped;
    var focusTeams = {};
    this.data.nodes.forEach(function (n) { if (n.data.focus) focusTeams[n.data.team] = true; });
    function home(id) {
      var team = model.teamOf[id];
      return grouped && !model.open[team] ? "t:" + team : id;
    }
    var place = {}; // a team node's layer: its highest service's, for the preset layout
    this.data.nodes.forEach(function (n) {
      var at = place[n.data.team];
      if (!at || n.data.rank < at.rank || (n.data.rank === at.rank && n.data.order < at.order)) {
        place[n.data.team] = { rank: n.data.rank, order: n.data.order };
      }
    });
    if (grouped) {
      this.data.teams.forEach(function (team) {
        var count = model.count[team.slug] || 0, open = model.open[team.slug];
        nodes.push({ group: "nodes", classes: open ? "team-open" : "team", data: {
          id: "t:" + team.slug, team: team.slug, teamName: team.name, colour: model.colour(team.slug),
          label: open ? team.name : team.name + " (" + count + ")", focus: !open && !!focusTeams[team.slug],
          size: Math.round(Math.min(64, 24 + 4 * Math.sqrt(count))),
          rank: (place[team.slug] || {}).rank || 0, order: (place[team.slug] || {}).order || 0 } });
      });
    }
    this.data.nodes.forEach(function (n) {
      if (grouped && !model.open[n.data.team]) return;
      var data = Object.assign({}, n.data, { colour: model.colour(n.data.team) });
      if (grouped) data.parent = "t:" + n.data.team;
      nodes.push({ group: "nodes", data: data });
    });
    this.data.edges.forEach(function (e) {
      var source = home(e.data.source), target = home(e.data.target);
      if (source === target) return;
      var id = source === e.data.source && target === e.data.target ? e.data.id : "g:" + source + ">" + target;
      var edge = edges[id];
      if (!edge) {
        edge = edges[id] = { group: "edges", data: { id: id, source: source, target: target, kind: e.data.kind,
          cycle: e.data.cycle && id === e.data.id, count: 0 } };
      } else if (edge.data.kind !== e.data.kind) {
        edge.data.kind = "mixed";
      }
      edge.data.count += 1;
    });
    var list = Object.keys(edges).sort().map(function (id) {
      var edge = edges[id], kind = KINDS[edge.data.kind] || KINDS.sync;
      edge.data.colour = kind.colour;
      edge.data.line = kind.line;
      edge.data.arrow = kind.arrow;
      edge.data.weight = Math.min(8, 1.4 + Math.log(edge.data.count) * 1.5);
      return edge;
    });
    return nodes.concat(list);
  };

  /* Up to GROUP_AT nodes, dagre (cytoscape-dagre) lays the picture out. Beyond, it would take
     seconds (benchmarks/README.md), so the layers the server worked out (portal/graphlayers.py)
     are placed row by row with the preset layout, each node as wide as its label. */
  function layout(cy) {
    var count = cy.nodes().length;
    if (count > GROUP_AT && !cy.nodes(":parent").length) return layeredPreset(cy);
    return cy.layout({
      name: "dagre", rankDir: "TB", nodeDimensionsIncludeLabels: true, sort: byId,
      nodeSep: 24, rankSep: 56, edgeSep: 8, fit: false, animate: false,
      useDagreEdgeControlPoints: cy.edges().length <= 400, automaticDagreEdgeStyle: true
    });
  }

  function layeredPreset(cy) {
    var rows = {}, positions = {}, gap = 14, rankGap = 48, top = 0;
    cy.nodes().forEach(function (n) { (rows[n.data("rank")] = rows[n.data("rank")] || []).push(n); });
    Object.keys(rows).map(Number).sort(function (a, b) { return a - b; }).forEach(function (rank) {
      var row = rows[rank].sort(function (a, b) { return a.data("order") - b.data("order") || byId(a, b); });
      var sizes = row.map(function (n) { return n.layoutDimensions({ nodeDimensionsIncludeLabels: true }); });
      var width = sizes.reduce(function (sum, size) { return sum + size.w + gap; }, -gap);
      var height = Math.max.apply(null, sizes.map(function (size) { return size.h; }));
      var left = -width / 2;
      row.forEach(function (n, index) {
        positions[n.id()] = { x: left + sizes[index].w / 2, y: top + n.outerHeight() / 2 };
        left += sizes[index].w + gap;
      });
      top += height + rankGap;
    });
    return cy.layout({ name: "preset", positions: function (n) { return positions[n.id()]; }, fit: false, animate: false });
  }

  function fit(cy, eles) {
    cy.fit(eles, 24);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center(eles);
    }
    // the width the picture was last fitted to: after a resize, tests wait for it to catch up
    cy.container().setAttribute("data-fitted-width", String(cy.width()));
  }

  function swatch(kind, colour) {
    var mark = el("span", "swatch " + kind);
    if (kind === "team") mark.style.backgroundColor = colour;
    else if (kind === "focus" || kind === "cycle") mark.style.borderColor = colour;
    return mark;
  }

  function legendItem(mark, text, attribute, value) {
    var item = el("li");
    item.setAttribute(attribute, value);
    item.appendChild(mark);
    item.appendChild(el("span", "", text));
    return item;
  }

  function buildLegend(legend, model, onTeam) {
    if (!legend) return;
    legend.textContent = "";
    var data = model.data, marks = el("ul", "legend-list");
    if (data.nodes.some(function (n) { return n.data.focus; })) {
      marks.appendChild(legendItem(swatch("focus", FOCUS), "in focus", "data-legend", "focus"));
    }
    if (data.cycles.length) {
      marks.appendChild(legendItem(swatch("cycle", CYCLE), "in a cycle", "data-legend", "cycle"));
    }
    var shownKinds = {};
    data.edges.forEach(function (e) { shownKinds[e.data.kind] = true; });
    data.kinds.forEach(function (kind) {
      if (!shownKinds[kind.kind]) return;
      var line = el("span", "swatch edge");
      line.style.borderTopColor = KINDS[kind.kind].colour;
      line.style.borderTopStyle = KINDS[kind.kind].line;
      marks.appendChild(legendItem(line, kind.label, "data-legend", "edge-" + kind.kind));
    });
    var teams = el("ul", "legend-list teams");
    data.teams.forEach(function (team) {
      var item = el("li"), button = el("button", "link-button");
      item.setAttribute("data-team", team.slug);
      button.type = "button";
      button.title = "Show " + team.name + "'s services";
      button.setAttribute("aria-pressed", "false");
      button.appendChild(swatch("team", model.colour(team.slug)));
      button.appendChild(el("span", "", " " + team.name));
      button.addEventListener("click", function () { onTeam(team.slug, button); });
      item.appendChild(button);
      teams.appendChild(item);
    });
    var box = el("details", "legend-teams");
    box.open = data.teams.length <= 16;
    box.appendChild(el("summary", "", "Teams (" + data.teams.length + ")"));
    box.appendChild(teams);
    legend.appendChild(marks);
    legend.appendChild(box);
  }

  function download(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function draw(container) {
    markCytoscapeStylesheet();
    var dataElement = document.getElementById(container.getAttribute("data-graph"));
    if (!dataElement || typeof window.cytoscape !== "function") return null;
    var model = new Model(JSON.parse(dataElement.textContent));
    var wrap = container.closest(".graph-wrap") || document;
    // Set here, not in a style attribute: the Content-Security-Policy allows no inline styles.
    container.style.height = container.getAttribute("data-height") || "";
    var large = model.data.edges.length > 1500;
    var cy = window.cytoscape({
      container: container, wheelSensitivity: 0.3, minZoom: 0.02, maxZoom: 4,
      textureOnViewport: large, hideEdgesOnViewport: large, style: styles(large)
    });
    var shownCycle = null;

    function render(eles) {
      var started = performance.now();
      cy.batch(function () {
        cy.elements().remove();
        cy.add(model.elements());
      });
      layout(cy).run();
      fit(cy, eles ? cy.collection(eles.map(function (id) { return cy.getElementById(id); })) : undefined);
      container.setAttribute("data-layout-ms", String(Math.round(performance.now() - started)));
      container.setAttribute("data-grouped", String(model.grouped));
      var toggle = wrap.querySelector("[data-graph-group]");
      if (toggle) toggle.checked = model.grouped;
    }

    function showCycle(cycle, button) {
      cy.elements().removeClass("shown faded");
      wrap.querySelectorAll("[data-cycle]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      if (!cycle || shownCycle === cycle.id) {
        shownCycle = null;
        fit(cy);
        return;
      }
      var needOpen = model.grouped && cycle.nodes.some(function (id) { return !model.open[model.teamOf[id]]; });
      if (needOpen) {
        cycle.nodes.forEach(function (id) { model.open[model.teamOf[id]] = true; });
        render();
      }
      shownCycle = cycle.id;
      if (button) button.setAttribute("aria-pressed", "true");
      var members = {};
      cycle.nodes.forEach(function (id) { members[id] = true; });
      var nodes = cy.nodes().filter(function (n) { return members[n.id()]; });
      var edges = nodes.edgesWith(nodes).filter(function (e) { return e.data("cycle"); });
      cy.elements().not(nodes.union(edges).union(nodes.parents())).addClass("faded");
      nodes.union(edges).addClass("shown");
      fit(cy, nodes);
    }

    function openTeam(slug) {
      var opened = Object.keys(model.open).filter(function (team) { return model.open[team]; });
      var total = opened.reduce(function (sum, team) { return sum + model.count[team]; }, model.count[slug] || 0);
      if (total > GROUP_AT) model.open = {}; // one team at a time when teams are large
      model.open[slug] = true;
      render();
    }

    cy.on("tap", "node", function (event) {
      var node = event.target;
      if (node.hasClass("team")) {
        openTeam(node.data("team"));
        return;
      }
      if (node.isParent()) {
        model.open[node.data("team")] = false;
        render();
        return;
      }
      var url = node.data("url");
      if (url) window.location.assign(url);
    });
    cy.on("mouseover", "node", function (event) {
      var node = event.target;
      if (node.isParent()) return;
      container.style.cursor = "pointer";
      container.title = node.hasClass("team") ? node.data("teamName") + ": click to open"
        : node.data("name") + " (" + node.data("teamName") + ")";
      if (!large && !shownCycle) {
        cy.elements().addClass("faded");
        node.closedNeighborhood().union(node.parents()).removeClass("faded");
      }
      node.addClass("hover");
    });
    cy.on("mouseout", "node", function (event) {
      container.style.cursor = "";
      container.title = "";
      if (!shownCycle) cy.elements().removeClass("faded");
      event.target.removeClass("hover");
    });

    var fitButton = wrap.querySelector("[data-graph-fit]");
    if (fitButton) fitButton.addEventListener("click", function () { fit(cy); });
    var exportButton = wrap.querySelector("[data-graph-export]");
    if (exportButton) exportButton.addEventListener("click", function () {
      var blob = cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2, maxWidth: 8000, maxHeight: 8000 });
      download(blob, (container.getAttribute("data-export-name") || "dependency-graph") + ".png");
    });
    var group = wrap.querySelector("[data-graph-group]");
    if (group) {
      if (model.data.teams.length > 1) group.closest("label").hidden = false;
      group.addEventListener("change", function () {
        model.grouped = group.checked;
        model.open = {};
        shownCycle = null;
        render();
      });
    }
    var cycles = {};
    model.data.cycles.forEach(function (cycle) { cycles[cycle.id] = cycle; });
    wrap.querySelectorAll("[data-cycle]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { showCycle(cycles[button.getAttribute("data-cycle")], button); });
    });

    // A team in the legend: opens it when grouped, else picks its services out (keyboard
    // users' way to what clicking a team node does).
    function showTeam(slug, button) {
      var pressed = button.getAttribute("aria-pressed") === "true";
      wrap.querySelectorAll("[data-graph-legend] [data-team] button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      if (model.grouped) {
        if (model.open[slug]) {
          model.open[slug] = false;
          render();
        } else {
          openTeam(slug);
        }
        return;
      }
      cy.elements().removeClass("faded shown");
      shownCycle = null;
      if (pressed) return;
      button.setAttribute("aria-pressed", "true");
      shownCycle = "team:" + slug; // hovering leaves the picked team alone
      var nodes = cy.nodes().filter(function (n) { return n.data("team") === slug; });
      cy.elements().not(nodes).addClass("faded");
      fit(cy, nodes);
    }
    buildLegend(wrap.querySelector("[data-graph-legend]"), model, showTeam);
    render();
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { cy.resize(); fit(cy); }, 100);
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
