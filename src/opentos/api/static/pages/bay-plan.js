// A visit's bay plan: the drawing of /visits/{id}/bay-plan.svg and the boxes on board.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (!OT.requireLogin()) return;
  const form = document.getElementById("visit-form");
  const image = document.getElementById("bay-drawing");

  async function show(visit) {
    OT.clearProblem();
    document.getElementById("plan").hidden = true;
    const path = "/visits/" + encodeURIComponent(visit) + "/bay-plan";
    try {
      const [plan, url] = await Promise.all([OT.api(path), OT.imageUrl(path + ".svg")]);
      if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
      image.src = url;
      document.getElementById("vessel").textContent = `${plan.vessel_name} (${plan.visit}): ${plan.boxes.length} boxes on board`;
      const tbody = document.querySelector("#boxes tbody");
      tbody.replaceChildren();
      for (const b of plan.boxes) {
        OT.row(tbody, [b.slot, b.container, b.iso_type, b.operator, b.full_empty, b.weight_kg,
          b.port_of_discharge, b.reefer ? "yes" : "", b.dangerous ? "yes" : ""]);
      }
      document.getElementById("plan").hidden = false;
    } catch (error) {
      OT.showProblem(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const visit = String(new FormData(form).get("visit")).trim();
    history.replaceState(null, "", location.pathname + "?visit=" + encodeURIComponent(visit));
    show(visit);
  });
  const asked = OT.params().get("visit");
  if (asked) {
    form.elements.visit.value = asked;
    show(asked);
  }
});
