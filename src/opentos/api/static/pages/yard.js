// The yard map: blocks to scale from /yard/layout, coloured by /yard/blocks occupancy;
// a click shows the block's bays (/yard/blocks/{block}.svg).
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  if (!OT.requireLogin()) return;
  const image = document.getElementById("block-drawing");

  // white (empty) to dark blue (full)
  function shade(occupancy) {
    const f = Math.min(1, Math.max(0, occupancy));
    const mix = (a, b) => Math.round(a + (b - a) * f);
    return `rgb(${mix(235, 20)}, ${mix(242, 70)}, ${mix(250, 140)})`;
  }

  async function showBlock(block) {
    OT.clearProblem();
    try {
      const url = await OT.imageUrl("/yard/blocks/" + encodeURIComponent(block.block) + ".svg");
      if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
      image.src = url;
      document.getElementById("block-name").textContent =
        `Block ${block.block}: ${block.boxes} boxes, ${block.teu} of ${block.capacity_teu} TEU`;
      document.getElementById("block").hidden = false;
      for (const r of document.querySelectorAll("rect.block")) {
        r.classList.toggle("selected", r.dataset.block === block.block);
      }
    } catch (error) {
      OT.showProblem(error);
    }
  }

  try {
    const [layout, blocks] = await Promise.all([OT.api("/yard/layout"), OT.api("/yard/blocks")]);
    const used = new Map(blocks.map((b) => [b.block, b]));
    const quayDepth = 20;
    const maxX = Math.max(layout.quay_length_m, ...layout.blocks.map((b) => b.x_m + b.width_m));
    const maxY = Math.max(40, ...layout.blocks.map((b) => b.y_m + b.length_m));
    const pad = 10;
    const map = OT.svg("svg", {
      viewBox: `${-pad} ${-quayDepth - pad} ${maxX + 2 * pad} ${maxY + quayDepth + 2 * pad}`,
      role: "img", class: "yard", "data-terminal": layout.terminal,
    }, document.getElementById("yard-map"));
    OT.svg("title", {}, map, `${layout.terminal}: the quay and the yard, to scale (metres)`);
    OT.svg("rect", { class: "water", x: -pad, y: -quayDepth - pad, width: maxX + 2 * pad, height: pad }, map);
    OT.svg("rect", { class: "quay", x: 0, y: -quayDepth, width: layout.quay_length_m, height: quayDepth }, map);
    for (const berth of layout.berths) {
      OT.svg("rect", { class: "berth", x: berth.x_m, y: -quayDepth, width: berth.width_m, height: 4 }, map);
      OT.svg("text", { class: "berth-label", x: berth.x_m + 2, y: -quayDepth + 12 }, map, berth.id);
    }
    for (const b of layout.blocks) {
      const occ = used.get(b.id);
      const share = occ ? occ.occupancy : 0;
      const rect = OT.svg("rect", {
        class: "block", x: b.x_m, y: b.y_m, width: b.width_m, height: b.length_m,
        fill: shade(share), tabindex: 0, role: "button", "data-block": b.id,
        "data-occupancy": share.toFixed(3),
      }, map);
      OT.svg("title", {}, rect, `${b.id}: ${Math.round(share * 100)} % full` + (occ ? ` (${occ.teu}/${occ.capacity_teu} TEU)` : ""));
      const size = Math.max(3, Math.min(b.width_m / 3, 10));
      OT.svg("text", { class: "block-label", x: b.x_m + b.width_m / 2, y: b.y_m - 2, style: `font-size: ${size}px` }, map, b.id);
      OT.svg("text", { class: "block-share", x: b.x_m + b.width_m / 2, y: b.y_m + b.length_m + size + 1, style: `font-size: ${size}px` }, map, `${Math.round(share * 100)} %`);
      if (occ) {
        rect.addEventListener("click", () => showBlock(occ));
        rect.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            showBlock(occ);
          }
        });
      }
    }
  } catch (error) {
    OT.showProblem(error);
  }
});
