// Container search: where a box is now, its status and its ledger history.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (!OT.requireLogin()) return;
  const form = document.getElementById("search-form");
  const result = document.getElementById("result");

  function where(loc) {
    switch (loc.kind) {
      case "yard":
        return `In the yard: block ${loc.block}, bay ${loc.bay}, row ${loc.row}, tier ${loc.tier} (${loc.slot})`;
      case "vessel":
        return `On board visit ${loc.visit}: bay ${loc.bay}, row ${loc.row}, tier ${loc.tier} (${loc.slot})`;
      case "equipment":
        return `On ${loc.equipment_kind} ${loc.equipment}`;
      default:
        return "Outside the terminal";
    }
  }

  async function search(number) {
    OT.clearProblem();
    result.hidden = true;
    const path = "/containers/" + encodeURIComponent(number);
    try {
      const [box, history] = await Promise.all([OT.api(path), OT.api(path + "/history?limit=100")]);
      show(box, history.data);
    } catch (error) {
      OT.showProblem(error);
    }
  }

  function show(box, events) {
    document.getElementById("box-number").textContent = box.number;
    document.getElementById("where").textContent = where(box.location);
    const facts = document.getElementById("status");
    facts.replaceChildren();
    const pairs = [
      ["Type", `${box.iso_type} (${box.iso_description})`],
      ["Line", box.operator],
      ["Full/empty", box.full_empty === "F" ? "full" : "empty"],
      ["Gross weight", box.gross_weight_kg === null ? "—" : `${box.gross_weight_kg} kg`],
      ["VGM", box.vgm_kg === null ? "none declared" : `${box.vgm_kg} kg`],
      ["Port of discharge", box.port_of_discharge || "—"],
    ];
    for (const [k, v] of pairs) {
      OT.el("dt", {}, facts, k);
      OT.el("dd", {}, facts, v);
    }
    const flags = document.getElementById("flags");
    flags.replaceChildren();
    for (const hold of box.holds) OT.el("li", { class: "flag hold" }, flags, `${hold.kind} hold: ${hold.reason}`);
    if (box.reefer_set_point_c !== null) OT.el("li", { class: "flag reefer" }, flags, `reefer ${box.reefer_set_point_c} °C`);
    for (const dg of box.dangerous_goods) OT.el("li", { class: "flag dg" }, flags, `DG ${dg}`);
    if (box.vgm_kg === null && box.full_empty === "F") OT.el("li", { class: "flag vgm" }, flags, "no VGM: no load");
    if (flags.children.length === 0) OT.el("li", { class: "flag ok" }, flags, "no holds");
    const tbody = document.querySelector("#history tbody");
    tbody.replaceChildren();
    for (const e of events) {
      OT.row(tbody, [e.seq, OT.when(e.at), e.from_place || "outside", e.to_place || "outside", e.equipment, e.work_instruction]);
    }
    result.hidden = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const number = String(new FormData(form).get("number")).trim().toUpperCase();
    history.replaceState(null, "", "/?number=" + encodeURIComponent(number));
    search(number);
  });
  const asked = OT.params().get("number");
  if (asked) {
    form.elements.number.value = asked;
    search(asked);
  }
});
