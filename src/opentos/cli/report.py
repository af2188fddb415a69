"""Rich tables that describe a terminal: layout, fleet, capacity and occupancy."""

from __future__ import annotations

from collections import Counter

from rich.table import Table

from opentos.model.places import YardPlace
from opentos.storage.store import Store


def terminal_tables(store: Store) -> list[Table]:
    """Tables for ``opentos terminal`` and the demo's summary."""
    layout = store.layout
    overview = Table(
        "", "", title=f"Terminal {layout.name} ({layout.un_locode})", show_header=False
    )
    overview.add_row("preset", store.preset)
    overview.add_row(
        "quay",
        f"{layout.quay.length_m:.0f} m, berths "
        + ", ".join(f"{b.id} {b.length_m:.0f} m / -{b.depth_m:.0f} m" for b in layout.quay.berths),
    )
    kinds = Counter(qc.kind for qc in layout.quay_cranes)
    overview.add_row(
        "quay cranes", ", ".join(f"{n} {kind.replace('_', '-')}" for kind, n in kinds.items())
    )
    overview.add_row("AGVs", f"{len(layout.agvs)} (apron {layout.apron.width_m:.0f} m wide)")
    overview.add_row("yard cranes", f"{len(layout.yard_cranes)} ARMG")
    overview.add_row("chargers", str(len(layout.chargers)))
    overview.add_row(
        "yard",
        f"{len(layout.blocks)} blocks, {layout.ground_slots_teu:,} ground slots, "
        f"{layout.yard_capacity_teu:,} TEU",
    )
    lanes = Counter(g.direction for g in layout.gate_lanes)
    overview.add_row(
        "gate lanes", ", ".join(f"{n} {d}" for d, n in sorted(lanes.items())) or "none"
    )
    overview.add_row(
        "rail",
        ", ".join(f"{t.id} {t.length_m:.0f} m" for t in layout.rail_tracks) or "none",
    )
    counts = store.counts()
    overview.add_row("containers in terminal", f"{counts['in_terminal']:,}")
    overview.add_row("ledger events", f"{counts['events']:,}")
    overview.add_row("visits", f"{counts['visits']:,}")

    places = store.inventory_places()
    teu_by_block: Counter[str] = Counter()
    boxes_by_block: Counter[str] = Counter()
    for place in places.values():
        if isinstance(place, YardPlace):
            boxes_by_block[place.slot.block] += 1
            teu_by_block[place.slot.block] += 2 if place.slot.bay % 2 == 0 else 1
    blocks = Table(
        "block", "bays x rows x tiers", "capacity TEU", "boxes", "TEU", "fill", title="Yard blocks"
    )
    for block in layout.blocks:
        used = teu_by_block[block.id]
        blocks.add_row(
            block.id,
            f"{block.bays} x {block.rows} x {block.tiers}",
            f"{block.capacity_teu:,}",
            f"{boxes_by_block[block.id]:,}",
            f"{used:,}",
            f"{used / block.capacity_teu:.0%}",
        )
    total = sum(teu_by_block.values())
    blocks.add_row(
        "all",
        "",
        f"{layout.yard_capacity_teu:,}",
        f"{sum(boxes_by_block.values()):,}",
        f"{total:,}",
        f"{total / layout.yard_capacity_teu:.0%}",
    )
    return [overview, blocks]
