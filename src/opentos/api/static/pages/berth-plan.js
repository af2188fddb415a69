// The berth plan: /berth-plan for a range, one bar per visit on its berth's row.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (!OT.requireLogin()) return;
  const form = document.getElementById("range-form");
  const DAY = 86400000;
  const asked = OT.params();
  const today = new Date(Math.floor(Date.now() / DAY) * DAY);
  form.elements.from.value = (asked.get("from") || today.toISOString()).slice(0, 10);
  form.elements.to.value = (asked.get("to") || new Date(today.getTime() + 14 * DAY).toISOString()).slice(0, 10);

  async function show() {
    OT.clearProblem();
    const start = new Date(form.elements.from.value + "T00:00:00Z");
    const end = new Date(form.elements.to.value + "T00:00:00Z");
    const range = `from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}`;
    try {
      const [plan, layout] = await Promise.all([OT.api("/berth-plan?" + range), OT.api("/yard/layout")]);
      const rows = layout.berths.map((b) => ({
        key: b.id, label: `${b.id} · ${Math.round(b.x_m)}–${Math.round(b.x_m + b.width_m)} m`,
      }));
      if (plan.visits.some((v) => !v.berth)) rows.push({ key: "", label: "no berth yet" });
      const bars = plan.visits.map((v) => OT.visitBar(v, v.berth || "")).filter((b) => b.start);
      OT.gantt(document.getElementById("gantt"), { start, end, rows, bars, title: "Berth plan" });
    } catch (error) {
      OT.showProblem(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = `?from=${form.elements.from.value}&to=${form.elements.to.value}`;
    history.replaceState(null, "", location.pathname + query);
    show();
  });
  show();
});
