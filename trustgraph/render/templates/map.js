// trustgraph map: every string from certificates is set with textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tg-data").textContent);
  var style = data.style;
  var nodes = data.nodes, groups = data.groups, edges = data.edges;
  var NODE = 3, ROOT = 4.5, EDGE = 0.5, CROSS = 1, HIGH = 3.5;
  var FONT = 12, MAX_LABELS = 300;

  var edgeIndex = {};
  edges.forEach(function (e, i) { edgeIndex[e.id] = i; });
  var paths = data.paths.map(function (p) {
    return { anchor: p[0], certs: p[1], edges: p[1].map(function (fp) { return edgeIndex[fp]; }) };
  });
  var members = groups.map(function () { return []; });
  nodes.forEach(function (n, i) { members[n.group].push(i); });

  var state = {
    day: data.at, expanded: new Set(), hiddenGroups: new Set(), store: "", usableOnly: false,
    kinds: { verified: true, unverifiable: true, declared: true }, selected: null
  };
  groups.forEach(function (g, i) { if (!data.collapsed || g.count === 1) { state.expanded.add(i); } });

  // --- small helpers -------------------------------------------------------------------
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function stateOf(edge, day) {
    var current = edge.states[0][1];
    for (var i = 1; i < edge.states.length && edge.states[i][0] <= day; i++) { current = edge.states[i][1]; }
    return current;
  }
  function usable(name) { return name === "valid" || name === "valid, revocation date unknown"; }
  function anchorStores(node, day) {
    return node.stores.filter(function (s) { return s[1] <= day && (s[2] === "" || day < s[2]); })
      .map(function (s) { return data.stores[s[0]]; });
  }
  function sliceAt(day) {
    if (day < data.covered[0] || (data.covered[1] && day >= data.covered[1])) { return null; }
    var found = null;
    data.slices.forEach(function (s) { if (s[0] <= day) { found = s; } });
    return found;
  }
  function short(fp) { return fp.slice(0, 12) + "\u2026"; }

  // --- the graph -------------------------------------------------------------------------
  // The renderer draws a graph of what is shown: the discs of collapsed operators, the CAs
  // of expanded ones, their certificates, and one edge per pair of collapsed operators.
  // It is rebuilt on every change; the layout's box stays the frame, so nothing moves.
  var graph = new graphology.MultiDirectedGraph();
  var frame = { x: [Infinity, -Infinity], y: [Infinity, -Infinity] };
  groups.forEach(function (g) {
    frame.x = [Math.min(frame.x[0], g.x - g.radius), Math.max(frame.x[1], g.x + g.radius)];
    frame.y = [Math.min(frame.y[0], g.y - g.radius), Math.max(frame.y[1], g.y + g.radius)];
  });

  var view = { highlighted: new Set(), closed: new Set(), highlightedNodes: new Set(), slice: null, visible: new Set(), labels: [] };

  function representative(i) { return state.expanded.has(nodes[i].group) ? "n" + i : "g" + nodes[i].group; }

  function storePart(day) {
    // The CAs of the chosen store at the date and everything their usable certificates reach.
    var storeIndex = data.stores.indexOf(state.store);
    var reached = new Set(), queue = [];
    nodes.forEach(function (n, i) {
      if (n.stores.some(function (s) { return s[0] === storeIndex && s[1] <= day && (s[2] === "" || day < s[2]); })) { reached.add(i); queue.push(i); }
    });
    var out = nodes.map(function () { return []; });
    edges.forEach(function (e) { if (state.kinds[e.kind] && usable(stateOf(e, day))) { out[e.source].push(e.target); } });
    while (queue.length) {
      var i = queue.shift();
      out[i].forEach(function (j) { if (!reached.has(j)) { reached.add(j); queue.push(j); } });
    }
    return reached;
  }

  function refresh() {
    var day = state.day;
    view.slice = sliceAt(day);
    view.highlighted = new Set(); view.closed = new Set(); view.highlightedNodes = new Set();
    if (view.slice) {
      view.slice[1].forEach(function (p) {
        view.highlightedNodes.add(paths[p].anchor);
        paths[p].edges.forEach(function (e) { if (e !== undefined) { view.highlighted.add(e); view.highlightedNodes.add(edges[e].target); } });
      });
      view.slice[2].forEach(function (p) { paths[p].edges.forEach(function (e) { if (e !== undefined) { view.closed.add(e); } }); });
    }
    var part = state.store ? storePart(day) : null;
    view.visible = new Set();
    nodes.forEach(function (n, i) {
      if (!state.hiddenGroups.has(n.group) && (!part || part.has(i))) { view.visible.add(i); }
    });
    var groupShown = groups.map(function (g, i) {
      return !state.expanded.has(i) && members[i].some(function (m) { return view.visible.has(m); });
    });
    var next = new graphology.MultiDirectedGraph();
    groups.forEach(function (g, i) {
      if (groupShown[i]) {
        next.addNode("g" + i, { x: g.x, y: g.y, size: 4, color: g.colour, label: g.name + " (" + g.count + " CAs)", zIndex: 0 });
      }
    });
    nodes.forEach(function (n, i) {
      if (view.visible.has(i) && state.expanded.has(n.group)) {
        next.addNode("n" + i, { x: n.x, y: n.y, size: n.kind === "root" ? ROOT : NODE, color: groups[n.group].colour, label: n.label, zIndex: 1 });
      }
    });
    var aggregated = {};
    edges.forEach(function (e, i) {
      var name = stateOf(e, day);
      if (!(view.visible.has(e.source) && view.visible.has(e.target) && state.kinds[e.kind] && (!state.usableOnly || usable(name)))) { return; }
      var high = view.highlighted.has(i), closed = view.closed.has(i);
      var from = representative(e.source), to = representative(e.target);
      if (from.charAt(0) === "n" && to.charAt(0) === "n") {
        next.addDirectedEdgeWithKey("e" + i, from, to, {
          color: high ? style.highlight : (closed ? style.closed : style.states[name]),
          size: high ? HIGH : (closed ? CROSS * 1.5 : (e.cross ? CROSS : EDGE)),
          zIndex: high ? 3 : (closed ? 2 : (usable(name) ? 1 : 0))
        });
      } else if (from !== to) {
        // Certificates between collapsed operators: one edge per pair, by count.
        var pair = "a" + from + ">" + to;
        var item = aggregated[pair] || (aggregated[pair] = { from: from, to: to, count: 0, high: false, closed: false });
        item.count += 1; item.high = item.high || high; item.closed = item.closed || closed;
      }
    });
    Object.keys(aggregated).forEach(function (key) {
      var item = aggregated[key];
      next.addDirectedEdgeWithKey(key, item.from, item.to, {
        size: (item.high ? HIGH : CROSS) * (1 + Math.log(item.count)),
        color: item.high ? style.highlight : (item.closed ? style.closed : style.states.valid),
        zIndex: item.high ? 3 : 1, count: item.count
      });
    });
    graph = next;
    orderLabels();
    renderer.setGraph(graph);
    lastScale = 0;
    sizeDiscs();
    renderer.refresh();
    hideTooltip();
    updateHeader();
    window.trustgraphMap.graph = graph;
  }

  // --- drawing ---------------------------------------------------------------------------
  var container = document.getElementById("network");
  var renderer = null;
  renderer = new Sigma(graph, container, {
    renderLabels: false, renderEdgeLabels: false, enableEdgeEvents: true, defaultEdgeType: "arrow",
    zoomToSizeRatioFunction: function () { return 1; },
    zIndex: true, minCameraRatio: 0.0005, maxCameraRatio: 4, allowInvalidContainer: true
  });
  renderer.setCustomBBox(frame);
  var overlay = document.getElementById("overlay");
  var ctx = overlay.getContext("2d");
  var widths = {};
  function textWidth(text) {
    if (widths[text] === undefined) { widths[text] = ctx.measureText(text).width; }
    return widths[text];
  }

  var candidates = [];
  function orderLabels() {
    candidates = [];
    graph.forEachNode(function (key, attributes) {
      var index = Number(key.slice(1)), importance;
      if (key.charAt(0) === "g") {
        importance = 10 + Math.log(groups[index].count);
      } else {
        importance = nodes[index].importance + (view.highlightedNodes.has(index) ? 5 : 0) + (state.selected === key ? 100 : 0);
      }
      candidates.push({ key: key, text: attributes.label, importance: importance });
    });
    candidates.sort(function (a, b) { return b.importance - a.importance || (a.key < b.key ? -1 : 1); });
  }

  function radiusOnScreen(key) {
    var a = graph.getNodeAttributes(key);
    var p = renderer.graphToViewport({ x: a.x, y: a.y });
    return { x: p.x, y: p.y, r: renderer.scaleSize(a.size) };
  }

  // Operator discs cover their CAs' area at every zoom: their size follows the camera.
  function pixelsPerUnit() {
    var a = renderer.graphToViewport({ x: 0, y: 0 }), b = renderer.graphToViewport({ x: 1, y: 0 });
    return Math.abs(b.x - a.x);
  }
  var lastScale = 0;
  function sizeDiscs() {
    var scale = pixelsPerUnit();
    if (Math.abs(scale - lastScale) < 1e-9) { return; }
    lastScale = scale;
    graph.updateEachNodeAttributes(function (key, a) {
      if (key.charAt(0) === "g") { a.size = Math.max(groups[Number(key.slice(1))].radius * scale, 4); }
      return a;
    }, { attributes: ["size"] });
  }

  function drawOverlay() {
    var ratio = window.devicePixelRatio || 1;
    var w = container.clientWidth, h = container.clientHeight;
    if (overlay.width !== Math.round(w * ratio) || overlay.height !== Math.round(h * ratio)) {
      overlay.width = Math.round(w * ratio); overlay.height = Math.round(h * ratio);
    }
    overlay.style.width = w + "px"; overlay.style.height = h + "px";
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = FONT + "px system-ui, 'Noto Sans', 'Noto Sans CJK SC', sans-serif";
    // Rings: anchors of a store at the date, and anchors a scenario distrusts.
    graph.forEachNode(function (key) {
      if (key.charAt(0) !== "n") { return; }
      var n = nodes[Number(key.slice(1))];
      var anchor = n.anchor || anchorStores(n, state.day).length > 0;
      if (!anchor && !n.distrusted) { return; }
      var p = radiusOnScreen(key);
      if (p.x < -20 || p.y < -20 || p.x > w + 20 || p.y > h + 20) { return; }
      ctx.lineWidth = n.distrusted ? 3 : 1.5;
      ctx.strokeStyle = n.distrusted ? style.distrusted : style.anchor;
      ctx.beginPath(); ctx.arc(p.x, p.y, Math.max(p.r, 2) + (n.distrusted ? 4 : 2), 0, 2 * Math.PI); ctx.stroke();
    });
    // Labels, most important first, where they overlap no label already drawn.
    var placed = [], grid = {}, cell = FONT * 4;
    for (var c = 0; c < candidates.length && placed.length < MAX_LABELS; c++) {
      var item = candidates[c];
      if (!graph.hasNode(item.key)) { continue; }
      var p = radiusOnScreen(item.key);
      var left = p.x + Math.max(p.r, 2) + 3, top = p.y - FONT * 0.6;
      var box = [left, top, left + textWidth(item.text), top + FONT * 1.2];
      if (box[0] < 0 || box[1] < 0 || box[2] > w || box[3] > h) { continue; }
      var clash = false, cells = [];
      for (var cx = Math.floor(box[0] / cell); cx <= Math.floor(box[2] / cell); cx++) {
        for (var cy = Math.floor(box[1] / cell); cy <= Math.floor(box[3] / cell); cy++) {
          var here = grid[cx + ":" + cy] || [];
          cells.push(cx + ":" + cy);
          for (var k = 0; k < here.length && !clash; k++) {
            var o = here[k];
            clash = box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
          }
        }
      }
      if (clash) { continue; }
      cells.forEach(function (name) { (grid[name] = grid[name] || []).push(box); });
      placed.push({ key: item.key, text: item.text, box: box });
    }
    ctx.textBaseline = "middle";
    placed.forEach(function (label) {
      ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.strokeText(label.text, label.box[0], label.box[1] + FONT * 0.6);
      ctx.fillStyle = "#111";
      ctx.fillText(label.text, label.box[0], label.box[1] + FONT * 0.6);
    });
    view.labels = placed;
  }
  renderer.on("afterRender", drawOverlay);
  renderer.getCamera().on("updated", sizeDiscs);
  // The page around the map may change size (a status line, a wrapped header): follow it.
  new ResizeObserver(function () { renderer.resize(); renderer.refresh(); }).observe(container);

  // --- hover, click, details ------------------------------------------------------------
  var tooltip = document.getElementById("tooltip");
  var pointer = { x: 0, y: 0 };
  container.addEventListener("mousemove", function (event) {
    var box = container.getBoundingClientRect();
    pointer.x = event.clientX - box.left; pointer.y = event.clientY - box.top;
    if (tooltip.style.display === "block") { placeTooltip(); }
  });
  function placeTooltip() {
    tooltip.style.left = Math.min(pointer.x + 14, container.clientWidth - 300) + "px";
    tooltip.style.top = (pointer.y + 14) + "px";
  }
  function nodeLines(key) {
    var index = Number(key.slice(1));
    if (key.charAt(0) === "g") {
      var g = groups[index];
      return [g.name, g.count + " CAs", state.expanded.has(index) ? "click to collapse" : "click to expand"];
    }
    var n = nodes[index], lines = [n.label];
    lines.push("operator: " + (n.operator || "unknown") + (n.basis ? " (" + n.basis + ")" : ""));
    var stores = anchorStores(n, state.day);
    if (stores.length) { lines.push("trust anchor of " + stores.join(", ") + " on " + state.day); }
    else if (n.anchor) { lines.push("trust anchor of the map"); }
    if (n.distrusted) { lines.push("distrusted by the scenario"); }
    if (n.watched) { lines.push("watched by the scenario"); }
    if (view.highlightedNodes.has(index)) { lines.push("on a highlighted path"); }
    lines.push(n.subject);
    return lines;
  }
  function edgeLines(key) {
    if (key.charAt(0) === "a") {
      var count = graph.getEdgeAttribute(key, "count");
      return [count + " certificate" + (count === 1 ? "" : "s") + " between collapsed operators", "expand an operator to see them"];
    }
    var e = edges[Number(key.slice(1))];
    var name = stateOf(e, state.day);
    var lines = ["certificate " + short(e.id), nodes[e.source].label + " \u2192 " + nodes[e.target].label,
      "on " + state.day + ": " + style.stateText[name], "edge: " + e.kind + (e.cross ? ", cross-certificate" : ""),
      "valid " + e.notBefore + " to " + e.notAfter];
    if (e.revocation) { lines.push("revoked " + e.revocation); }
    if (view.highlighted.has(Number(key.slice(1)))) { lines.push("on a highlighted path"); }
    return lines;
  }
  function showTooltip(lines) { tooltip.textContent = lines.join("\n"); tooltip.style.display = "block"; placeTooltip(); }
  function hideTooltip() { tooltip.style.display = "none"; }
  renderer.on("enterNode", function (event) { showTooltip(nodeLines(event.node)); });
  renderer.on("leaveNode", hideTooltip);
  renderer.on("enterEdge", function (event) { showTooltip(edgeLines(event.edge)); });
  renderer.on("leaveEdge", hideTooltip);

  function details(pairs) {
    var box = document.getElementById("details");
    clear(box);
    var list = el("dl");
    pairs.forEach(function (pair) { list.appendChild(el("dt", pair[0])); list.appendChild(el("dd", pair[1])); });
    box.appendChild(list);
  }
  function showNode(index) {
    var n = nodes[index];
    var spans = n.stores.map(function (s) { return data.stores[s[0]] + " " + s[1] + " to " + (s[2] || "now"); });
    details([["CA", n.label], ["subject", n.subject], ["key", n.key], ["CA id", n.id],
      ["operator", (n.operator || "unknown") + (n.basis ? " (" + n.basis + ")" : "")],
      ["kind", n.kind], ["anchor", spans.join("; ") || "never, in the stores loaded"]]);
  }
  function showEdge(index) {
    var e = edges[index];
    details([["certificate", e.id], ["issuer", nodes[e.source].subject], ["subject", nodes[e.target].subject], ["serial", e.serial],
      ["valid", e.notBefore + " to " + e.notAfter], ["edge", e.kind], ["on " + state.day, style.stateText[stateOf(e, state.day)]],
      ["revocation", e.revocation || "none recorded"]]);
  }
  renderer.on("clickNode", function (event) {
    var key = event.node, index = Number(key.slice(1));
    if (key.charAt(0) === "g") { toggle(index); return; }
    state.selected = key; showNode(index); orderLabels(); renderer.refresh();
  });
  renderer.on("clickEdge", function (event) { if (event.edge.charAt(0) === "e") { showEdge(Number(event.edge.slice(1))); } });

  function toggle(index) {
    if (state.expanded.has(index)) { state.expanded.delete(index); } else { state.expanded.add(index); }
    refresh();
  }

  // --- header, status, legend, filters ----------------------------------------------------
  function updateHeader() {
    document.getElementById("title").textContent = data.title + " on " + state.day;
    document.title = data.title + " on " + state.day;
    var shown = 0, usableCount = 0;
    edges.forEach(function (e, i) {
      if (view.visible.has(e.source) && view.visible.has(e.target)) { shown += 1; if (usable(stateOf(e, state.day))) { usableCount += 1; } }
    });
    var parts = [usableCount + " of " + shown + " certificates drawn are usable on " + state.day];
    if (data.mode !== "plain") {
      if (view.slice) {
        parts.push(view.slice[1].length + " path" + (view.slice[1].length === 1 ? "" : "s") + " highlighted");
        if (view.slice[2].length) { parts.push(view.slice[2].length + " closed by the scenario"); }
      } else {
        parts.push("paths not computed for this date: the map covers " + (data.covered[0] || "the start") + " to " + (data.covered[1] || "now") + " (render again with --at)");
      }
    }
    Object.keys(data.truncated).forEach(function (bound) { parts.push("highlight cut by " + bound); });
    document.getElementById("status").textContent = parts.join("; ");
    legend();
  }
  function legend() {
    var box = document.getElementById("legend");
    clear(box);
    var counts = groups.map(function (g, i) { return [i, members[i].filter(function (m) { return view.visible.has(m); }).length]; })
      .filter(function (item) { return item[1] > 0; }).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    counts.slice(0, 12).forEach(function (item) {
      var row = el("div", null, "row"), swatch = el("span", null, "swatch");
      swatch.style.background = groups[item[0]].colour;
      row.appendChild(swatch); row.appendChild(el("span", groups[item[0]].name + " (" + item[1] + ")"));
      box.appendChild(row);
    });
    if (counts.length > 12) {
      var more = el("div", null, "row"), grey = el("span", null, "swatch");
      grey.style.background = style.otherOperators;
      more.appendChild(grey); more.appendChild(el("span", "\u2026 and " + (counts.length - 12) + " more operators"));
      box.appendChild(more);
    }
    style.legend.forEach(function (entry) {
      var row = el("div", null, "row"), mark = el("span", null, entry.mark === "line" ? "line" : "ring");
      if (entry.mark === "line") { mark.style.borderTopColor = entry.colour; mark.style.borderTopWidth = entry.width + "px"; }
      else { mark.style.borderColor = entry.colour; }
      row.appendChild(mark); row.appendChild(el("span", entry.text));
      box.appendChild(row);
    });
  }
  function buildFilters() {
    var select = document.getElementById("store-filter");
    data.stores.forEach(function (name) { var option = el("option", "anchors of " + name + " and what they reach"); option.value = name; select.appendChild(option); });
    select.addEventListener("change", function () { state.store = select.value; refresh(); });
    var usableBox = document.getElementById("usable-only");
    usableBox.addEventListener("change", function () { state.usableOnly = usableBox.checked; refresh(); });
    var kinds = document.getElementById("kinds");
    Object.keys(state.kinds).forEach(function (kind) {
      var label = el("label", null, "row"), box = el("input");
      box.type = "checkbox"; box.checked = true; box.dataset.kind = kind;
      box.addEventListener("change", function () { state.kinds[kind] = box.checked; refresh(); });
      label.appendChild(box); label.appendChild(el("span", kind + " edges")); kinds.appendChild(label);
    });
    var list = document.getElementById("operators");
    groups.map(function (g, i) { return i; }).sort(function (a, b) { return groups[b].count - groups[a].count || a - b; }).forEach(function (i) {
      var label = el("label", null, "row"), box = el("input"), swatch = el("span", null, "swatch");
      box.type = "checkbox"; box.checked = true; box.dataset.group = groups[i].key;
      box.addEventListener("change", function () { if (box.checked) { state.hiddenGroups.delete(i); } else { state.hiddenGroups.add(i); } refresh(); });
      swatch.style.background = groups[i].colour;
      label.appendChild(box); label.appendChild(swatch); label.appendChild(el("span", groups[i].name + " (" + groups[i].count + ")"));
      list.appendChild(label);
    });
    function all(on) {
      state.hiddenGroups = new Set(on ? [] : groups.map(function (g, i) { return i; }));
      list.querySelectorAll("input").forEach(function (box) { box.checked = on; });
      refresh();
    }
    document.getElementById("operators-all").addEventListener("click", function () { all(true); });
    document.getElementById("operators-none").addEventListener("click", function () { all(false); });
  }

  // --- date -------------------------------------------------------------------------------
  var DAY = 86400000;
  function toDays(day) { return Math.round(Date.parse(day + "T00:00:00Z") / DAY); }
  function fromDays(n) { return new Date(n * DAY).toISOString().slice(0, 10); }
  var moments = [data.at];
  data.slices.forEach(function (s) { if (s[0]) { moments.push(s[0]); } });
  edges.forEach(function (e) { e.states.forEach(function (s) { if (s[0]) { moments.push(s[0]); } }); });
  moments.sort();
  var first = toDays(data.covered[0] || moments[0]) - 365, last = toDays(data.covered[1] || moments[moments.length - 1]) + 365;
  var slider = document.getElementById("day-slider"), input = document.getElementById("day");
  slider.min = String(first); slider.max = String(last);
  function setDay(day) {
    state.day = day; input.value = day; slider.value = String(toDays(day)); refresh();
  }
  input.addEventListener("change", function () { if (input.value) { setDay(input.value); } });
  slider.addEventListener("input", function () { setDay(fromDays(Number(slider.value))); });

  // --- search and camera ---------------------------------------------------------------------
  var names = document.getElementById("search-names");
  var seen = new Set();
  nodes.forEach(function (n) { if (!seen.has(n.label)) { seen.add(n.label); var o = el("option"); o.value = n.label; names.appendChild(o); } });
  function find(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) { return -1; }
    var i;
    for (i = 0; i < nodes.length; i++) { if (nodes[i].label.toLowerCase() === wanted) { return i; } }
    for (i = 0; i < nodes.length; i++) { if (nodes[i].label.toLowerCase().indexOf(wanted) >= 0 || nodes[i].subject.toLowerCase().indexOf(wanted) >= 0 || nodes[i].id.indexOf(wanted) === 0) { return i; } }
    for (i = 0; i < edges.length; i++) { if (edges[i].id.indexOf(wanted) === 0) { return edges[i].target; } }
    return -1;
  }
  function focus(index) {
    state.expanded.add(nodes[index].group);
    state.hiddenGroups.delete(nodes[index].group);
    state.selected = "n" + index;
    refresh();
    showNode(index);
    var shown = renderer.getNodeDisplayData("n" + index);
    renderer.getCamera().animate({ x: shown.x, y: shown.y, ratio: Math.min(renderer.getCamera().ratio, 0.08) }, { duration: 300 });
  }
  var search = document.getElementById("search");
  search.addEventListener("change", function () { var i = find(search.value); if (i >= 0) { focus(i); } });
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { var i = find(search.value); if (i >= 0) { focus(i); } } });
  document.getElementById("fit").addEventListener("click", function () { renderer.getCamera().animatedReset({ duration: 300 }); });
  document.getElementById("expand-all").addEventListener("click", function () { groups.forEach(function (g, i) { state.expanded.add(i); }); refresh(); });
  document.getElementById("collapse-all").addEventListener("click", function () { groups.forEach(function (g, i) { if (g.count > 1) { state.expanded.delete(i); } }); refresh(); });

  // --- for tests and for people at the console ---------------------------------------------
  window.trustgraphMap = {
    data: data, renderer: renderer, graph: graph,
    day: function () { return state.day; },
    setDay: setDay,
    highlightedPaths: function () { return view.slice ? view.slice[1].map(function (p) { return [nodes[paths[p].anchor].id].concat(paths[p].certs); }) : null; },
    closedPaths: function () { return view.slice ? view.slice[2].map(function (p) { return [nodes[paths[p].anchor].id].concat(paths[p].certs); }) : null; },
    select: function (ca) { var i = nodes.findIndex(function (n) { return n.id === ca; }); state.selected = "n" + i; showNode(i); },
    search: function (text) { var i = find(text); if (i >= 0) { focus(i); } return i >= 0 ? nodes[i].id : null; },
    setStore: function (name) { var box = document.getElementById("store-filter"); box.value = name; box.dispatchEvent(new Event("change")); },
    edgeState: function (fp) { return stateOf(edges[edgeIndex[fp]], state.day); },
    edgeColour: function (fp) { var key = "e" + edgeIndex[fp]; return graph.hasEdge(key) ? graph.getEdgeAttribute(key, "color") : null; },
    edgeShown: function (fp) { return graph.hasEdge("e" + edgeIndex[fp]); },
    nodeShown: function (ca) { return graph.hasNode("n" + nodes.findIndex(function (n) { return n.id === ca; })); },
    groupShown: function (key) { return graph.hasNode("g" + groups.findIndex(function (g) { return g.key === key; })); },
    groupOf: function (ca) { return groups[nodes.find(function (n) { return n.id === ca; }).group].key; },
    isExpanded: function (key) { return state.expanded.has(groups.findIndex(function (g) { return g.key === key; })); },
    toggle: function (key) { toggle(groups.findIndex(function (g) { return g.key === key; })); },
    screenPoint: function (key) { var p = radiusOnScreen(key); return { x: p.x, y: p.y }; },
    nodeKey: function (ca) { return "n" + nodes.findIndex(function (n) { return n.id === ca; }); },
    groupKey: function (key) { return "g" + groups.findIndex(function (g) { return g.key === key; }); },
    edgeKey: function (fp) { return "e" + edgeIndex[fp]; },
    labels: function () { return view.labels.map(function (l) { return { key: l.key, text: l.text, box: l.box }; }); },
    drawnBox: function () {
      var box = null;
      graph.forEachNode(function (key) {
        var p = radiusOnScreen(key);
        var b = [p.x - p.r, p.y - p.r, p.x + p.r, p.y + p.r];
        box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
      });
      return box;
    }
  };

  buildFilters();
  sizeDiscs();
  setDay(data.at);
  requestAnimationFrame(function () { requestAnimationFrame(function () { document.body.dataset.ready = "yes"; }); });
})();
