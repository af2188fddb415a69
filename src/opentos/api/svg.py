"""Simple server-drawn SVG: a vessel's bays and a yard block's bays, boxes coloured by POD.

Each bay is a grid of rows (across) by tiers (up). A vessel bay is drawn as
seen from astern: port rows (even) on the left, starboard rows (odd) on the
right, the deck above the hold. Boxes of one port of discharge share a
colour; the legend names them. Each box carries a ``<title>`` (number, type,
POD) that browsers show on hover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from opentos.model.layout import YardBlock
from opentos.model.visits import VesselVisit
from opentos.operations.inquiry import BayPlan, SlotBox

CELL = 14
GAP = 24
PER_LINE = 8
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
NO_POD = "#d0d0d0"


def _colours(boxes: Iterable[SlotBox]) -> dict[str | None, str]:
    ports = sorted({b.port_of_discharge for b in boxes if b.port_of_discharge})
    colours: dict[str | None, str] = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(ports)}
    colours[None] = NO_POD
    return colours


def _row_order(rows: Iterable[int]) -> list[int]:
    """Rows as seen from astern: even (port) outermost first, centre, odd (starboard)."""
    values = set(rows)
    port = sorted((r for r in values if r % 2 == 0 and r != 0), reverse=True)
    starboard = sorted(r for r in values if r % 2 == 1)
    return [*port, *([0] if 0 in values else []), *starboard]


def _box(x: float, y: float, w: float, box: SlotBox, colour: str) -> str:
    title = escape(f"{box.container} {box.iso_type} {box.slot} POD {box.port_of_discharge or '-'}")
    return (
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{CELL - 2}" '
        f'fill="{colour}" stroke="#333"><title>{title}</title></rect>'
    )


def _empty(x: float, y: float) -> str:
    return (
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{CELL - 2}" height="{CELL - 2}" '
        'fill="none" stroke="#bbb"/>'
    )


def _document(
    title: str, panels: Sequence[tuple[int, int, list[str]]], legend: dict[str | None, str]
) -> str:
    """Lay panels (width, height, elements) out in lines of :data:`PER_LINE`, legend below."""
    parts: list[str] = []
    x = y = GAP
    line_height = 0
    width = GAP
    for index, (w, h, elements) in enumerate(panels):
        if index and index % PER_LINE == 0:
            x, y = GAP, y + line_height + GAP
            line_height = 0
        parts.append(f'<g transform="translate({x},{y})">{"".join(elements)}</g>')
        x += w + GAP
        width = max(width, x)
        line_height = max(line_height, h)
    y += line_height + GAP
    for port, colour in legend.items():
        label = escape(port or "no port of discharge")
        parts.append(
            f'<rect x="{GAP}" y="{y}" width="{CELL}" height="{CELL}" fill="{colour}"/>'
            f'<text x="{GAP + CELL + 6}" y="{y + CELL - 2}">{label}</text>'
        )
        y += CELL + 4
    height = y + GAP
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(width, 300)}" height="{height}" '
        f'font-family="sans-serif" font-size="11"><title>{escape(title)}</title>'
        f'<text x="{GAP}" y="{GAP - 8}" font-size="13">{escape(title)}</text>'
        f"{''.join(parts)}</svg>"
    )


def bay_plan_svg(visit: VesselVisit, plan: BayPlan) -> str:
    """Every bay of the visit's vessel, with the boxes of ``plan`` in their slots."""
    colours = _colours(plan.boxes)
    profile = visit.profile
    by_section: dict[int, list[SlotBox]] = {}
    for box in plan.boxes:
        by_section.setdefault(profile.section_of(box.bay).bay, []).append(box)
    panels = []
    for section in profile.sections:
        rows = _row_order(section.deck.rows | section.hold.rows)
        deck = sorted({t for s in section.deck.stacks for t in s.tiers}, reverse=True)
        hold = sorted({t for s in section.hold.stacks for t in s.tiers}, reverse=True)
        tiers = [*deck, *hold]
        column = {r: i for i, r in enumerate(rows)}
        line = {t: i + (1 if t in hold and deck else 0) for i, t in enumerate(tiers)}
        top = CELL + 4
        elements = [f'<text x="0" y="{CELL - 2}">bay {section.bay:02d}</text>']
        for stack in (*section.deck.stacks, *section.hold.stacks):
            for tier in stack.tiers:
                elements.append(_empty(column[stack.row] * CELL, top + line[tier] * CELL))
        for box in by_section.get(section.bay, []):
            if box.row not in column or box.tier not in line:
                continue
            w = CELL - 2
            elements.append(
                _box(column[box.row] * CELL, top + line[box.tier] * CELL, w, box,
                     colours[box.port_of_discharge])
            )  # fmt: skip
        height = top + (len(tiers) + 1) * CELL
        panels.append((max(len(rows) * CELL, 50), height, elements))
    title = f"Bay plan of {plan.vessel_name}, visit {plan.visit}: {len(plan.boxes)} boxes"
    return _document(title, panels, colours)


def block_svg(block: YardBlock, boxes: Sequence[SlotBox]) -> str:
    """Each 20' bay of ``block`` as rows x tiers; a 40' box shows in both bays it covers."""
    colours = _colours(boxes)
    by_bay: dict[int, list[SlotBox]] = {}
    for box in boxes:
        bays = (box.bay - 1, box.bay + 1) if box.bay % 2 == 0 else (box.bay,)
        for bay in bays:
            by_bay.setdefault(bay, []).append(box)
    panels = []
    top = CELL + 4
    for bay in range(1, 2 * block.bays, 2):
        elements = [f'<text x="0" y="{CELL - 2}">{quoteattr(str(bay))[1:-1]}</text>']
        for row in range(1, block.rows + 1):
            for tier in range(1, block.tiers + 1):
                elements.append(_empty((row - 1) * CELL, top + (block.tiers - tier) * CELL))
        for box in by_bay.get(bay, []):
            x = (box.row - 1) * CELL
            y = top + (block.tiers - box.tier) * CELL
            elements.append(_box(x, y, CELL - 2, box, colours[box.port_of_discharge]))
        panels.append((max(block.rows * CELL, 40), top + block.tiers * CELL, elements))
    title = f"Block {block.id}: {len(boxes)} boxes"
    return _document(title, panels, colours)
