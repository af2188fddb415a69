// The live view: draws the terminal from /live/layout and moves its machines from the
// snapshot events of /live/events. Plain JavaScript, no build step, no library.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const WATER_M = 45; // sea drawn seaward of the quay edge (y < 0)
  const MARGIN_M = 12;
  const STATES = ["loaded", "empty", "waiting", "charging", "idle", "broken"];

  const root = document.getElementById("live");
  const map = document.getElementById("live-map");
  const status = document.getElementById("live-status");
  const clock = document.getElementById("live-clock");
  const layers = {};
  const cranes = new Map();
  const agvs = new Map();
  const yardCranes = new Map();
  let rails = [0, 20];
  let blocks = new Map();

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  function label(text, x, y, parent) {
    const node = el("text", { x: x, y: y, class: "label" }, parent);
    node.textContent = text;
    return node;
  }

  function setStatus(text, state) {
    status.textContent = text;
    status.dataset.status = state;
  }

  function draw(layout) {
    const e = layout.extent;
    const top = -WATER_M - MARGIN_M;
    const width = e.max_x_m - e.min_x_m + 2 * MARGIN_M;
    const height = e.max_y_m - top + MARGIN_M;
    map.setAttribute("viewBox", [e.min_x_m - MARGIN_M, top, width, height].join(" "));
    for (const name of ["ground", "guide", "cranes", "agvs"]) {
      layers[name] = el("g", { class: "layer-" + name }, map);
    }
    const ground = layers.ground;
    el("rect", { class: "water", x: e.min_x_m - MARGIN_M, y: top, width: width, height: WATER_M + MARGIN_M }, ground);
    for (const berth of layout.quay.berths) {
      el("rect", { class: "berth", x: berth.start_m, y: -WATER_M + 4, width: berth.length_m, height: WATER_M - 8 }, ground);
      label(berth.id, berth.start_m + 3, -WATER_M + 13, ground);
    }
    rails = layout.crane_rails_y_m;
    for (const y of rails) {
      el("line", { class: "rail", x1: 0, y1: y, x2: layout.quay.length_m, y2: y }, ground);
    }
    for (const block of layout.blocks) {
      blocks.set(block.id, block);
      el("rect", { class: "block", id: "block-" + block.id, x: block.x_m, y: block.y_m, width: block.width_m, height: block.length_m }, ground);
      label(block.id, block.x_m, block.y_m + block.length_m + 9, ground);
    }
    const nodes = new Map(layout.guide_path.nodes.map((n) => [n.id, n]));
    const d = layout.guide_path.segments.map(([a, b]) => {
      const p = nodes.get(a);
      const q = nodes.get(b);
      return "M" + p.x_m + " " + p.y_m + "L" + q.x_m + " " + q.y_m;
    });
    el("path", { class: "guide", d: d.join("") }, layers.guide);
    for (const qc of layout.quay_cranes) crane(qc.id, qc.rail_position_m);
    for (const yc of layout.yard_cranes) yardCrane(yc.id, yc.block);
  }

  function crane(id, x) {
    const g = el("g", { class: "qc idle", id: "qc-" + id, transform: "translate(" + x + " 0)", "data-x": x }, layers.cranes);
    const top = -WATER_M + 6;
    el("rect", { class: "frame", x: -7, y: top, width: 14, height: rails[1] - top + 3 }, g);
    el("circle", { class: "trolley main", cx: 0, cy: top + 8, r: 3 }, g);
    el("circle", { class: "trolley portal", cx: 0, cy: rails[1] - 4, r: 2.5 }, g);
    label(id, -7, top - 2, g);
    cranes.set(id, g);
    return g;
  }

  function yardCrane(id, blockId) {
    const block = blocks.get(blockId);
    const line = el("line", { class: "yc", id: "yc-" + id, x1: block.x_m - 1, x2: block.x_m + block.width_m + 1, y1: block.y_m, y2: block.y_m }, layers.cranes);
    yardCranes.set(id, line);
    return line;
  }

  function agv(id) {
    const dot = el("circle", { class: "agv idle", id: "agv-" + id, r: 2.6, cx: 0, cy: 0 }, layers.agvs);
    const title = el("title", {}, dot);
    title.textContent = id;
    agvs.set(id, dot);
    return dot;
  }

  function pick(data, path) {
    return path.split(".").reduce((value, key) => (value == null ? value : value[key]), data);
  }

  function show(value, key) {
    if (value == null) return "–";
    if (typeof value !== "number") return String(value);
    if (key.startsWith("agv_time_split") || key.startsWith("armg") || key === "rehandle_ratio") {
      return (100 * value).toFixed(1) + " %";
    }
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }

  function update(snap) {
    for (const qc of snap.quay_cranes) {
      const g = cranes.get(qc.id) || crane(qc.id, qc.x_m);
      g.setAttribute("transform", "translate(" + qc.x_m + " 0)");
      g.dataset.x = qc.x_m;
      g.classList.toggle("idle", !qc.working);
      g.querySelector(".main").classList.toggle("loaded", qc.main_trolley.loaded);
      g.querySelector(".portal").classList.toggle("loaded", qc.portal_trolley.loaded);
    }
    for (const a of snap.agvs) {
      const dot = agvs.get(a.id) || agv(a.id);
      dot.setAttribute("cx", a.x_m);
      dot.setAttribute("cy", a.y_m);
      for (const state of STATES) dot.classList.toggle(state, state === a.state);
      dot.dataset.state = a.state;
    }
    for (const yc of snap.yard_cranes) {
      const line = yardCranes.get(yc.id) || yardCrane(yc.id, yc.block);
      line.setAttribute("y1", yc.y_m);
      line.setAttribute("y2", yc.y_m);
      line.classList.toggle("loaded", yc.loaded);
    }
    for (const cell of document.querySelectorAll("#live-kpis td")) {
      if (cell.dataset.kpi) cell.textContent = show(pick(snap.kpis, cell.dataset.kpi), cell.dataset.kpi);
      else if (cell.dataset.field) cell.textContent = show(snap[cell.dataset.field], cell.dataset.field);
    }
    const h = Math.floor(snap.time_s / 3600);
    const m = Math.floor((snap.time_s % 3600) / 60);
    clock.textContent = "· twin time " + h + " h " + String(m).padStart(2, "0") + " min";
    root.dataset.snapshots = String(Number(root.dataset.snapshots || 0) + 1);
  }

  function connect() {
    const events = new EventSource(root.dataset.eventsUrl);
    events.addEventListener("open", () => setStatus("running", "running"));
    events.addEventListener("snapshot", (event) => update(JSON.parse(event.data)));
    events.addEventListener("end", (event) => {
      events.close();
      const end = JSON.parse(event.data);
      setStatus(end.status + (end.message ? ": " + end.message : ""), end.status);
    });
    events.addEventListener("error", () => {
      if (events.readyState === EventSource.CLOSED) setStatus("disconnected", "error");
      else setStatus("reconnecting", "connecting");
    });
  }

  fetch(root.dataset.layoutUrl)
    .then((response) => {
      if (!response.ok) throw new Error("layout: HTTP " + response.status);
      return response.json();
    })
    .then((layout) => {
      draw(layout);
      connect();
    })
    .catch((error) => setStatus("failed: " + error.message, "error"));
})();
