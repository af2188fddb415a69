// The KPI dashboard: moves per day and per vessel visit (/kpis) as bar charts, and the
// chosen visit's moves per hour (/visits/{id}/kpis) as a line chart.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (!OT.requireLogin()) return;
  const form = document.getElementById("range-form");
  const asked = OT.params();
  if (asked.get("from")) form.elements.from.value = asked.get("from").slice(0, 10);
  if (asked.get("to")) form.elements.to.value = asked.get("to").slice(0, 10);

  async function showVisit(visit) {
    try {
      const kpis = await OT.api("/visits/" + encodeURIComponent(visit) + "/kpis");
      const m = kpis.moves;
      document.getElementById("visit-title").textContent = `Visit ${kpis.visit}: moves per hour (UTC)`;
      document.getElementById("visit-split").textContent =
        `${m.moves} moves: ${m.discharged} discharged, ${m.loaded} loaded, ${m.restowed} restowed`;
      const items = kpis.per_hour.map((p) => ({ label: OT.when(p.start).slice(5), value: p.moves }));
      OT.lineChart(document.getElementById("per-hour"), items, { title: `Moves per hour of ${kpis.visit}` });
      document.getElementById("visit").hidden = false;
    } catch (error) {
      OT.showProblem(error);
    }
  }

  async function show() {
    OT.clearProblem();
    const query = new URLSearchParams();
    if (form.elements.from.value) query.set("from", form.elements.from.value + "T00:00:00Z");
    if (form.elements.to.value) query.set("to", form.elements.to.value + "T00:00:00Z");
    try {
      const kpis = await OT.api("/kpis?" + query.toString());
      form.elements.from.value = OT.day(kpis.from);
      form.elements.to.value = OT.day(kpis.to);
      document.getElementById("total").textContent =
        `${kpis.moves} ledger events from ${OT.when(kpis.from)} to ${OT.when(kpis.to)} (UTC)`;
      const days = kpis.per_day.map((d) => ({ label: OT.day(d.start).slice(5), key: OT.day(d.start), value: d.moves }));
      OT.barChart(document.getElementById("per-day"), days, { title: "Ledger events per day" });
      const visits = kpis.per_visit.map((v) => ({ label: v.visit, key: v.visit, value: v.moves }));
      OT.barChart(document.getElementById("per-visit"), visits, {
        title: "Moves per vessel visit", onClick: (item) => showVisit(item.key),
      });
      if (visits.length > 0) await showVisit(visits[0].key);
      else document.getElementById("visit").hidden = true;
    } catch (error) {
      OT.showProblem(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  show();
});
