// A Gantt chart in SVG: one row per berth, one <rect class="visit-bar"> per visit along time.
"use strict";

(function () {
  const DAY_MS = 86400000;

  // bars: [{id, row, label, start, end, actualStart, actualEnd, title}] with Date times;
  // a bar without an end runs to the end of the range.
  function gantt(container, { start, end, rows, bars, title }) {
    container.replaceChildren();
    const left = 150, right = 12, head = 30, rowH = 40;
    const width = 960, height = head + rowH * Math.max(1, rows.length) + 8;
    const chart = OT.svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "gantt" }, container);
    OT.svg("title", {}, chart, title);
    const span = Math.max(1, end - start);
    const x = (t) => left + ((Math.min(Math.max(t, start), end) - start) / span) * (width - left - right);
    const days = Math.ceil(span / DAY_MS);
    const every = Math.max(1, Math.ceil(days / 14));
    const first = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
    for (let t = first.getTime(), n = 0; t <= end.getTime(); t += DAY_MS, n += 1) {
      if (t < start.getTime() || n % every !== 0 || x(t) > width - right - 34) continue;
      OT.svg("line", { class: "grid", x1: x(t), y1: head - 6, x2: x(t), y2: height - 8 }, chart);
      OT.svg("text", { class: "tick", x: x(t) + 3, y: head - 10 }, chart, new Date(t).toISOString().slice(5, 10));
    }
    const now = Date.now();
    if (now > start && now < end) {
      OT.svg("line", { class: "now", x1: x(now), y1: head - 6, x2: x(now), y2: height - 8 }, chart);
    }
    const rowOf = new Map();
    rows.forEach((r, n) => {
      rowOf.set(r.key, n);
      const y = head + n * rowH;
      OT.svg("rect", { class: "row" + (n % 2 ? " odd" : ""), x: 0, y, width, height: rowH }, chart);
      OT.svg("text", { class: "row-label", x: 6, y: y + rowH / 2 + 4 }, chart, r.label);
    });
    for (const b of bars) {
      const n = rowOf.get(b.row);
      if (n === undefined) continue;
      const y = head + n * rowH + 6;
      const barEnd = b.end || end;
      const x0 = x(b.start), x1 = Math.max(x(barEnd), x0 + 3);
      const group = OT.svg("g", { class: "visit" }, chart);
      const bar = OT.svg("rect", {
        class: "visit-bar phase-" + b.phase, x: x0, y, width: x1 - x0, height: rowH - 12, rx: 3,
        "data-visit": b.id,
      }, group);
      OT.svg("title", {}, bar, b.title);
      if (b.actualStart) {
        const a1 = b.actualEnd ? x(b.actualEnd) : x(Math.min(now, end.getTime()));
        OT.svg("rect", { class: "actual", x: x(b.actualStart), y: y + rowH - 20, width: Math.max(2, a1 - x(b.actualStart)), height: 4 }, group);
      }
      OT.svg("text", { class: "bar-label", x: x0 + 4, y: y + 15 }, group, b.label);
    }
    return chart;
  }

  function time(iso) {
    return iso ? new Date(iso) : null;
  }

  // A visit (of /schedule or /berth-plan) as a bar: planned stay, actual stay beside it.
  function visitBar(v, row) {
    const start = time(v.planned_berthing || v.planned_arrival) || time(v.actual_arrival);
    const end = time(v.planned_departure) || time(v.actual_departure);
    return {
      id: v.id, row, phase: v.phase, start, end,
      label: `${v.vessel_name || v.id} ${v.voyage_in || ""}`.trim(),
      actualStart: time(v.actual_berthing || v.actual_arrival),
      actualEnd: time(v.actual_departure),
      title: `${v.id} ${v.vessel_name || ""} (${v.operator || "?"}), ${v.phase}: ` +
        `${OT.when(v.planned_arrival)} – ${OT.when(v.planned_departure)}`,
    };
  }

  OT.gantt = gantt;
  OT.visitBar = visitBar;
})();
