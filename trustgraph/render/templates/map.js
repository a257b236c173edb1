// trustgraph map: every string from certificates is set with textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tg-data").textContent);
  var STATE_COLORS = data.style.states;
  var KIND_DASHES = { verified: false, declared: [10, 6], unverifiable: [2, 5] };

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function stateAt(edge, day) {
    if (edge.revokedAt && day >= edge.revokedAt) { return "revoked"; }
    if (edge.notBefore && day < edge.notBefore) { return "not yet valid"; }
    if (edge.notAfter && day > edge.notAfter) { return "expired"; }
    return "valid";
  }

  function edgeStyle(edge, state, showInvalid) {
    var valid = state === "valid";
    var color = edge.highlight ? data.style.highlight : (valid ? STATE_COLORS.valid : STATE_COLORS[state]);
    var width = edge.highlight ? 5 : (edge.cross ? 3 : 1.5);
    return {
      id: edge.id, from: edge.from, to: edge.to,
      color: { color: color, highlight: color, inherit: false },
      width: width, dashes: KIND_DASHES[edge.kind] || false,
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      hidden: !valid && !showInvalid,
      smooth: edge.smooth
    };
  }

  var nodeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {
      id: n.id, label: n.label, shape: n.shape, size: n.size, x: n.x, y: n.y,
      color: { background: n.color, border: n.highlight ? data.style.highlight : "#333",
               highlight: { background: n.color, border: "#000" } },
      borderWidth: n.highlight ? 4 : 1, font: { size: 13, face: "sans-serif", multi: false }
    };
  }));
  var edges = new vis.DataSet([]);
  var map = {
    data: data, nodes: nodes, edges: edges, physicsStopped: false, network: null,
    day: data.at
  };
  window.trustgraphMap = map;

  function applyDate(day) {
    map.day = day;
    var showInvalid = document.getElementById("show-invalid").checked;
    var shown = 0;
    var styled = data.edges.map(function (edge) {
      var style = edgeStyle(edge, stateAt(edge, day), showInvalid);
      if (!style.hidden) { shown += 1; }
      return style;
    });
    edges.update(styled);
    document.getElementById("status").textContent =
      shown + " of " + data.edges.length + " certificates valid on " + day;
    document.getElementById("date").value = day;
    document.getElementById("year").value = day.slice(0, 4);
    document.getElementById("year-label").textContent = day.slice(0, 4);
  }
  map.visibleEdgeIds = function () {
    return edges.get({ filter: function (e) { return !e.hidden; } }).map(function (e) { return e.id; });
  };
  map.applyDate = applyDate;

  var container = document.getElementById("network");
  var physics = data.physics;
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: physics ? {
      enabled: true, solver: "barnesHut",
      barnesHut: { gravitationalConstant: -6000, springLength: 140, springConstant: 0.02, avoidOverlap: 0.2 },
      stabilization: { enabled: true, iterations: 250, updateInterval: 25, fit: true }
    } : { enabled: false },
    layout: { improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 3600000, hideEdgesOnDrag: data.nodes.length > 500 },
    edges: { selectionWidth: 2 }
  });
  map.network = network;

  function stopPhysics() {
    network.setOptions({ physics: { enabled: false } });
    map.physicsStopped = true;
    document.body.setAttribute("data-physics", "stopped");
  }
  if (physics) {
    network.once("stabilizationIterationsDone", stopPhysics);
  } else {
    stopPhysics();
    network.fit();
  }

  function row(list, term, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.appendChild(el("dt", term));
    list.appendChild(el("dd", Array.isArray(value) ? value.join(", ") : value));
  }

  function certificateItem(edge) {
    var item = el("li");
    item.appendChild(el("span", edge.id.slice(0, 16) + "… from " + edge.issuerLabel + " (" +
      edge.kind + ", " + stateAt(edge, map.day) + ", " + (edge.notBefore || "?").slice(0, 10) + " to " +
      (edge.notAfter || "?").slice(0, 10) + ")"));
    return item;
  }

  function showNode(id) {
    var node = nodeById[id];
    var box = document.getElementById("details");
    box.replaceChildren();
    box.appendChild(el("h3", node.label));
    var list = el("dl");
    row(list, "subject", node.subject);
    row(list, "kind", node.kind);
    row(list, "operator", node.owner + (node.ownerBasis ? " (" + node.ownerBasis + ")" : ""));
    row(list, "trust stores", node.stores.length ? node.stores : "none at this date");
    row(list, "key", node.key);
    row(list, "CA id", node.id);
    box.appendChild(list);
    box.appendChild(el("h2", "Certificates of this CA"));
    var certs = el("ul");
    node.certificates.forEach(function (fp) {
      var edge = edgeById[fp];
      if (edge) { certs.appendChild(certificateItem(edge)); }
      else { certs.appendChild(el("li", fp.slice(0, 16) + "… (self-signed or not shown)")); }
    });
    box.appendChild(certs);
  }

  function showEdge(id) {
    var edge = edgeById[id];
    var box = document.getElementById("details");
    box.replaceChildren();
    box.appendChild(el("h3", "Certificate " + edge.id.slice(0, 16) + "…"));
    var list = el("dl");
    row(list, "subject", edge.subject);
    row(list, "issuer", edge.issuer);
    row(list, "serial", edge.serial);
    row(list, "valid", (edge.notBefore || "?") + " to " + (edge.notAfter || "?"));
    row(list, "state on " + map.day, stateAt(edge, map.day));
    row(list, "edge", edge.kind + (edge.cross ? ", cross-certificate" : ""));
    row(list, "revocation", edge.revocation);
    row(list, "SHA-256", edge.id);
    row(list, "on a queried path", edge.highlight ? "yes" : "no");
    box.appendChild(list);
  }
  map.showNode = showNode;
  map.showEdge = showEdge;

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });

  function legend() {
    var box = document.getElementById("legend");
    box.replaceChildren();
    function swatchRow(color, text, round) {
      var r = el("div"); r.className = "legend-row";
      var s = el("span"); s.className = "swatch"; s.style.background = color;
      if (round) { s.style.borderRadius = "50%"; }
      r.appendChild(s); r.appendChild(el("span", text)); box.appendChild(r);
    }
    function lineRow(color, style, text, width) {
      var r = el("div"); r.className = "legend-row";
      var s = el("span"); s.className = "line"; s.style.borderTopColor = color;
      s.style.borderTopStyle = style; s.style.borderTopWidth = (width || 3) + "px";
      r.appendChild(s); r.appendChild(el("span", text)); box.appendChild(r);
    }
    box.appendChild(el("h2", "CAs (colour: operator)"));
    data.owners.forEach(function (o) { swatchRow(o.color, o.name + " (" + o.count + ")", true); });
    box.appendChild(el("h2", "Shapes"));
    data.style.shapes.forEach(function (s) { box.appendChild(el("div", s)); });
    box.appendChild(el("h2", "Certificates"));
    lineRow(data.style.highlight, "solid", "on a queried path", 5);
    lineRow(STATE_COLORS.valid, "solid", "verified", 2);
    lineRow(STATE_COLORS.valid, "dashed", "declared (metadata only)", 2);
    lineRow(STATE_COLORS.valid, "dotted", "unverifiable signature", 2);
    lineRow(STATE_COLORS.valid, "solid", "cross-certificate (thick)", 4);
    ["expired", "not yet valid", "revoked"].forEach(function (state) {
      lineRow(STATE_COLORS[state], "solid", state + " (shown with 'show invalid')", 2);
    });
  }

  function search(text) {
    var wanted = text.trim().toLowerCase();
    if (!wanted) { network.unselectAll(); return; }
    var found = data.nodes.filter(function (n) {
      return n.label.toLowerCase().indexOf(wanted) >= 0 || n.subject.toLowerCase().indexOf(wanted) >= 0 ||
        n.id.indexOf(wanted) === 0;
    }).map(function (n) { return n.id; });
    network.selectNodes(found);
    if (found.length) {
      network.focus(found[0], { scale: 1.2, animation: false });
      showNode(found[0]);
    }
  }

  document.getElementById("title").textContent = data.title;
  document.getElementById("date").addEventListener("change", function (e) {
    if (e.target.value) { applyDate(e.target.value); }
  });
  document.getElementById("year").addEventListener("input", function (e) {
    applyDate(e.target.value + map.day.slice(4));
  });
  document.getElementById("show-invalid").addEventListener("change", function () { applyDate(map.day); });
  document.getElementById("search").addEventListener("input", function (e) { search(e.target.value); });
  legend();
  applyDate(data.at);
})();
