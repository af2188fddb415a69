// The public vessel schedule: every page of /schedule, as a Gantt chart and a table.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  try {
    const visits = [];
    let cursor = null;
    do {
      const query = "/schedule?limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      const page = await OT.api(query, { anonymous: true });
      visits.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    const bars = visits.map((v) => OT.visitBar(v, v.berth || "")).filter((b) => b.start);
    // the berths in order, visits with no berth yet on the last row
    const berths = [...new Set(visits.map((v) => v.berth || ""))].sort((a, b) => (a === "") - (b === "") || a.localeCompare(b));
    const rows = berths.map((b) => ({ key: b, label: b || "no berth yet" }));
    const times = bars.flatMap((b) => [b.start, b.end, b.actualStart, b.actualEnd]).filter((t) => t);
    const DAY = 86400000;
    const first = times.length ? Math.min(...times) : Date.now();
    const start = new Date(first - DAY / 4);
    const end = new Date(Math.max(first + DAY, ...times) + DAY / 4);
    OT.gantt(document.getElementById("gantt"), { start, end, rows, bars, title: "Vessel schedule" });
    const tbody = document.querySelector("#schedule tbody");
    for (const v of visits) {
      OT.row(tbody, [
        v.id, v.vessel_name, [v.voyage_in, v.voyage_out].filter((x) => x).join(" / "), v.operator,
        v.berth, v.phase, OT.when(v.actual_arrival || v.planned_arrival) + (v.actual_arrival ? " (actual)" : ""),
        OT.when(v.actual_departure || v.planned_departure) + (v.actual_departure ? " (actual)" : ""),
      ]);
    }
  } catch (error) {
    OT.showProblem(error);
  }
});
