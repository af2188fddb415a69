"""Bay-plan pictures of a stowage plan: one panel per bay section, as PNG or SVG.

The standard bay view, seen from astern: rows across (port, the even rows, on the
left, then ``00``, then starboard, the odd rows), tiers up, the deck above the hold
with the hatch covers drawn between them. Every cell of a section is outlined; every
box of the final state (the boxes staying where they are, and those the plan places:
the load list and the restows) fills its cell, coloured by its port of discharge, with
its weight in tonnes and its markers (``R`` reefer, the IMDG class, ``OOG``); the
boxes the plan places have a thick edge, and count as loaded. A section's cell is
split in two halves, forward 20' bay on the left and aft on the right, so that 20'
boxes show which bay they are in; a 40' or 45' box fills both halves.

All panels share one scale and one row and tier grid, so that bays can be compared
by eye. The same problem and plan give byte-identical files: the SVG hash salt and
the file metadata are fixed, and nothing depends on the clock.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from opentos.errors import DomainError, InvalidValue
from opentos.model.container import Container
from opentos.model.ids import UnLocode
from opentos.model.vessel import BaySection, VesselProfile
from opentos.planning.stowage.problem import StowagePlan, StowageProblem, final_state

__all__ = ["DPI", "FORMATS", "PANEL_COLUMNS", "draw_bay_plan"]

FORMATS = (".png", ".svg")
"""File types :func:`draw_bay_plan` writes, chosen by the file name's suffix."""

PANEL_COLUMNS = 6
"""Bay-section panels side by side before the grid starts a new line."""

DPI = 120
"""Resolution of the PNG: a cell is 36 by 24 pixels, its text 7.5 pixels high."""

_CELL_W_IN = 0.30
_CELL_H_IN = 0.20
_COVER_LEVELS = 0.9
"""Height of the hatch-cover band between hold and deck, in tiers."""
_INSET = 0.05
"""Gap between a box and its cell outline, in cells, so that neighbours stay apart."""
_FONT_PT = 4.5
_HALF_CELL_TWO_LINES = 0.85
"""Font scale for a 20' box with markers: two lines in half a cell."""
_LINE_SPACING = 1.2
_TITLE_PT = 7.0
_LEGEND_PT = 6.0
_FONT_FAMILY = "DejaVu Sans"
"""Shipped with matplotlib, so the picture is the same on every machine."""
_FONT = FontProperties(family=_FONT_FAMILY)

_MARGIN_LEFT_IN = 0.30
_MARGIN_RIGHT_IN = 0.15
_MARGIN_BOTTOM_IN = 0.25
_MARGIN_TOP_IN = 0.30
_HEADER_IN = 0.55
_LEGEND_LINE_IN = 0.18
_LEGEND_ENTRY_IN = 1.3
_MIN_WIDTH_IN = 6.0

_EMPTY_EDGE = "#b8b8b8"
_COVER_FACE = "#d9d9d9"
_ON_BOARD_EDGE_PT = 0.3
_LOADED_EDGE_PT = 1.1
_RECT_CODES = np.array(
    [MplPath.MOVETO, MplPath.LINETO, MplPath.LINETO, MplPath.LINETO, MplPath.CLOSEPOLY],
    dtype=MplPath.code_type,
)
_CREATOR = f"OpenTOS bay plan (matplotlib {mpl.__version__})"
_METADATA: dict[str, dict[str, str | None]] = {
    ".png": {"Software": _CREATOR},
    ".svg": {"Creator": _CREATOR, "Date": None},
}


@dataclass(frozen=True, slots=True)
class _Grid:
    """Where rows and tiers go in a panel, shared by every panel of the picture.

    The cell of row ``r`` and tier ``t`` spans ``[x, x + 1]`` by ``[y, y + 1]`` in
    panel data units, with ``x = columns[r]`` and ``y = levels[t]``.
    """

    rows: tuple[int, ...]
    columns: dict[int, int]
    levels: dict[int, float]
    hold_top: float
    height: float

    @classmethod
    def of(cls, profile: VesselProfile) -> _Grid:
        """The grid of every row and tier of ``profile``, port rows on the left."""
        rows: set[int] = set()
        hold: set[int] = set()
        deck: set[int] = set()
        for section in profile.sections:
            rows |= section.hold.rows | section.deck.rows
            for spec in section.hold.stacks:
                hold.update(spec.tiers)
            for spec in section.deck.stacks:
                deck.update(spec.tiers)
        port = sorted((r for r in rows if r % 2 == 0 and r != 0), reverse=True)
        starboard = sorted(r for r in rows if r % 2 == 1)
        ordered = (*port, *((0,) if 0 in rows else ()), *starboard)
        levels: dict[int, float] = {}
        hold_top = 0.0
        if hold:
            low = min(hold)
            for tier in range(low, max(hold) + 1, 2):
                levels[tier] = (tier - low) / 2
            hold_top = (max(hold) - low) / 2 + 1
        deck_base = hold_top + _COVER_LEVELS
        height = deck_base
        if deck:
            low = min(deck)
            for tier in range(low, max(deck) + 1, 2):
                levels[tier] = deck_base + (tier - low) / 2
            height = deck_base + (max(deck) - low) / 2 + 1
        return cls(
            rows=ordered,
            columns={row: i for i, row in enumerate(ordered)},
            levels=levels,
            hold_top=hold_top,
            height=height,
        )


@dataclass(frozen=True, slots=True)
class _Box:
    """A box as drawn: its rectangle in panel data units, colour index and label."""

    x0: float
    y0: float
    x1: float
    y1: float
    colour: int
    loaded: bool
    """Placed by the plan: a load-list box or a restow."""
    label: str
    half: bool
    """A 20' box in half a cell."""


@dataclass(slots=True)
class _Panel:
    """What one bay section's panel shows."""

    section: BaySection
    boxes: list[_Box] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return sum(b.loaded for b in self.boxes)


def draw_bay_plan(
    problem: StowageProblem,
    plan: StowagePlan,
    path: Path,
    *,
    bays: Sequence[int] | None = None,
) -> None:
    """Draw the bay plan of ``plan`` (its final state) to a PNG or SVG file.

    Parameters
    ----------
    problem
        The vessel, what is on board and the load list.
    plan
        Where the loaded and restowed boxes go. Boxes discharged at ``problem.port``
        are not shown.
    path
        The file to write; its suffix, ``.png`` or ``.svg``, chooses the format.
    bays
        Draw only the sections holding these bays (a 40' bay or either of its 20'
        bays); ``None`` draws every section.

    Raises
    ------
    InvalidValue
        The file name ends in neither ``.png`` nor ``.svg``; ``bays`` is empty or
        names a bay the vessel does not have; the plan places a box that is not on the
        load list, or at a slot that does not exist or does not take it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidValue(f"bay plan file {path}: the name must end in .png or .svg")
    profile = problem.profile
    grid = _Grid.of(profile)
    panels = {s.bay: _Panel(s) for s in _chosen_sections(profile, bays)}
    loaded_numbers = {number for number, _ in plan.placements}
    port_index = {port: i for i, port in enumerate(problem.rotation)}
    for stowed in final_state(problem, plan):
        box, slot = stowed.container, stowed.slot
        try:
            section = profile.section_of(slot.bay)
            cells = profile.cells(slot.bay, slot.row, slot.tier, box.length_ft)
        except DomainError as exc:
            raise InvalidValue(f"container {box.number} at {slot}: {exc}") from None
        panel = panels.get(section.bay)
        if panel is None:
            continue
        x: float = grid.columns[slot.row]
        y = grid.levels[slot.tier]
        half = section.bay40 is not None and len(cells) == 1
        if half and slot.bay > section.bay:
            x += 0.5  # the aft 20' bay is the right half of the cell
        width = 0.5 if half else 1.0
        panel.boxes.append(
            _Box(
                x0=x + _INSET,
                y0=y + _INSET,
                x1=x + width - _INSET,
                y1=y + 1 - _INSET,
                colour=port_index[_pod(box)],
                loaded=box.number in loaded_numbers,
                label=_label(box, half),
                half=half,
            )
        )
    _render(problem, grid, list(panels.values()), path, suffix)


def _chosen_sections(profile: VesselProfile, bays: Sequence[int] | None) -> list[BaySection]:
    """The sections to draw, in bay order; a bay the vessel does not have is refused."""
    if bays is None:
        return list(profile.sections)
    if not bays:
        raise InvalidValue(f"bays to draw of {profile.name}: the list is empty")
    wanted = {profile.section_of(bay).bay for bay in bays}
    return [s for s in profile.sections if s.bay in wanted]


def _pod(box: Container) -> UnLocode:
    pod = box.port_of_discharge
    assert pod is not None  # StowageProblem checks every box's port of discharge
    return pod


def _label(box: Container, half: bool) -> str:
    """Weight in tonnes (whole tonnes in half a cell), then the markers on a second line."""
    kg = box.weight_for_planning_kg or box.tare_kg
    if kg is None:
        weight = "?"
    elif half:
        weight = f"{round(kg / 1000)}"
    else:
        weight = f"{kg / 1000:.1f}"
    markers = []
    if box.is_reefer:
        markers.append("R")
    if box.dangerous_goods:
        markers.append("/".join(dg.imdg_class for dg in box.dangerous_goods))
    if box.is_oog:
        markers.append("OOG")
    return f"{weight}\n{' '.join(markers)}" if markers else weight


def _title(section: BaySection) -> str:
    if section.bay40 is None:
        return f"Bay {section.bay:02d}"
    fore, aft = section.bays20
    return f"Bay {section.bay40:02d} ({fore:02d}/{aft:02d})"


def _palette(n: int) -> list[tuple[float, float, float]]:
    """``n`` distinct colours: tab10, then the light shades of tab20, then evenly spaced hues."""
    if n <= 10:
        return [to_rgb(mpl.colormaps["tab10"](i)) for i in range(n)]
    if n <= 20:
        tab20 = mpl.colormaps["tab20"]
        return [to_rgb(tab20(i)) for i in (*range(0, 20, 2), *range(1, 20, 2))][:n]
    hsv = mpl.colormaps["hsv"]
    return [to_rgb(hsv(i / n)) for i in range(n)]


def _ink(face: tuple[float, float, float]) -> str:
    """Black or white text, whichever reads better on ``face``."""
    r, g, b = face
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def _rects(rects: Iterable[tuple[float, float, float, float]]) -> MplPath:
    """Rectangles ``(x0, y0, x1, y1)`` as one compound path.

    One path per colour, not one per box: an SVG file then has a handful of
    elements per panel rather than one per cell, and is written several times faster.
    """
    r = np.asarray(list(rects), dtype=np.float64).reshape(-1, 4)
    x0, y0, x1, y1 = r[:, 0], r[:, 1], r[:, 2], r[:, 3]
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    vertices = np.stack([np.stack(c, axis=1) for c in corners], axis=1).reshape(-1, 2)
    codes = np.tile(_RECT_CODES, len(r))
    return MplPath(vertices, codes)


def _cells(section: BaySection, grid: _Grid) -> list[tuple[float, float, float, float]]:
    """Every cell of ``section``: two halves per cell unless it is a lone 20' bay."""
    split = section.bay40 is not None
    out: list[tuple[float, float, float, float]] = []
    for part in (section.hold, section.deck):
        for spec in part.stacks:
            x = grid.columns[spec.row]
            for tier in spec.tiers:
                y = grid.levels[tier]
                if split:
                    out.append((x, y, x + 0.5, y + 1))
                    out.append((x + 0.5, y, x + 1, y + 1))
                else:
                    out.append((x, y, x + 1, y + 1))
    return out


def _runs(columns: Iterable[int]) -> list[tuple[int, int]]:
    """``[3, 4, 5, 8]`` -> ``[(3, 5), (8, 8)]``."""
    runs: list[tuple[int, int]] = []
    for c in sorted(columns):
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


@dataclass(slots=True)
class _Labels:
    """The text of one panel, each centred on a point in data units, drawn in one batch."""

    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    sizes_pt: list[float] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)

    def add(
        self, x: float, y: float, text: str, size_pt: float = _FONT_PT, colour: str = "black"
    ) -> None:
        self.xs.append(x)
        self.ys.append(y)
        self.texts.append(text)
        self.sizes_pt.append(size_pt)
        self.colours.append(colour)

    def draw(self, fig: Figure, ax: Axes, as_text: bool) -> None:
        """As text elements (SVG: searchable, compact), or as one collection of outlines.

        A matplotlib ``Text`` takes about 0.7 ms to make and rasterise, some 10 s for
        the labels of a full 24,000 TEU ship; the outlines of each distinct label are
        made once and the whole panel's are filled in one go.
        """
        if as_text:
            for x, y, text, size_pt, colour in zip(
                self.xs, self.ys, self.texts, self.sizes_pt, self.colours, strict=True
            ):
                # Added to the figure, unclipped: Axes.text sets a clip path, 0.1 ms a label.
                fig.add_artist(
                    Text(
                        x,
                        y,
                        text,
                        fontsize=size_pt,
                        ha="center",
                        va="center",
                        linespacing=_LINE_SPACING,
                        color=colour,
                        transform=ax.transData,
                    )
                )
            return
        glyphs = PathCollection(
            [_outline(t, s) for t, s in zip(self.texts, self.sizes_pt, strict=True)],
            offsets=np.column_stack([self.xs, self.ys]),
            offset_transform=ax.transData,
            facecolors=self.colours,
            edgecolors="none",
            linewidths=0,
        )
        glyphs.set_transform(Affine2D().scale(1 / 72) + fig.dpi_scale_trans)  # points
        glyphs.set_clip_on(False)
        ax.add_collection(glyphs, autolim=False)


@functools.lru_cache(maxsize=4096)
def _outline(text: str, size_pt: float) -> MplPath:
    """Glyph outlines of ``text`` in points, lines centred and stacked, centred on (0, 0).

    Centred on the box of the outlines' control points: ``Path.get_extents`` solves
    the curves exactly, and takes some milliseconds a label.
    """
    step = size_pt * _LINE_SPACING
    lines = []
    for i, line in enumerate(text.split("\n")):
        glyphs = TextPath((0, 0), line, size=size_pt, prop=_FONT)
        vertices = np.asarray(glyphs.vertices, dtype=np.float64)
        if len(vertices):
            xs = vertices[:, 0]
            shift = Affine2D().translate(-(xs.min() + xs.max()) / 2, -i * step)
            lines.append(glyphs.transformed(shift))
    path = MplPath.make_compound_path(*lines)
    ys = np.asarray(path.vertices, dtype=np.float64)[:, 1]
    if not len(ys):
        return path
    return path.transformed(Affine2D().translate(0, -(ys.min() + ys.max()) / 2))


def _draw_panel(
    fig: Figure,
    ax: Axes,
    panel: _Panel,
    grid: _Grid,
    colours: list[tuple[float, float, float]],
    as_text: bool,
) -> None:
    section = panel.section
    ax.set_axis_off()
    ax.set_xlim(0, len(grid.rows))
    ax.set_ylim(0, grid.height)
    ax.set_title(
        f"{_title(section)}: {panel.loaded} loaded / {len(panel.boxes)} boxes",
        fontsize=_TITLE_PT,
        pad=2,
    )
    labels = _Labels()
    for row, column in grid.columns.items():
        labels.add(column + 0.5, -0.6, f"{row:02d}")
    for tier, level in grid.levels.items():
        labels.add(-0.6, level + 0.5, f"{tier:02d}")
    ax.add_collection(
        PathCollection(
            [_rects(_cells(section, grid))],
            facecolors="none",
            edgecolors=_EMPTY_EDGE,
            linewidths=0.3,
        ),
        autolim=False,
    )
    _draw_covers(ax, section, grid, labels)
    for loaded in (False, True):
        by_colour: dict[int, list[tuple[float, float, float, float]]] = {}
        for b in panel.boxes:
            if b.loaded is loaded:
                by_colour.setdefault(b.colour, []).append((b.x0, b.y0, b.x1, b.y1))
        if by_colour:
            ax.add_collection(
                PathCollection(
                    [_rects(rects) for rects in by_colour.values()],
                    facecolors=[colours[c] for c in by_colour],
                    edgecolors="black",
                    linewidths=_LOADED_EDGE_PT if loaded else _ON_BOARD_EDGE_PT,
                ),
                autolim=False,
            )
    for b in panel.boxes:
        size_pt = _FONT_PT * (_HALF_CELL_TWO_LINES if b.half and "\n" in b.label else 1.0)
        labels.add((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, b.label, size_pt, _ink(colours[b.colour]))
    labels.draw(fig, ax, as_text)


def _draw_covers(ax: Axes, section: BaySection, grid: _Grid, labels: _Labels) -> None:
    """The hatch covers' extents in the band between hold and deck; a dashed line if open-top."""
    y0 = grid.hold_top + 0.15
    y1 = grid.hold_top + _COVER_LEVELS - 0.15
    if not section.hatch_covers:
        for a, b in _runs(grid.columns[r] for r in section.hold.rows | section.deck.rows):
            ax.plot([a, b + 1], [(y0 + y1) / 2] * 2, color="black", linewidth=0.6, ls="--")
        return
    rects = []
    for cover in section.hatch_covers:
        for a, b in _runs(grid.columns[r] for r in cover.rows):
            rects.append((a + 0.08, y0, b + 0.92, y1))
            labels.add((a + b + 1) / 2, (y0 + y1) / 2, cover.id)
    ax.add_collection(
        PathCollection([_rects(rects)], facecolors=_COVER_FACE, edgecolors="black", linewidths=0.5),
        autolim=False,
    )


def _render(
    problem: StowageProblem, grid: _Grid, panels: list[_Panel], path: Path, suffix: str
) -> None:
    """Lay the panels out in a grid under a header and a legend, and save the figure."""
    ports = problem.rotation
    colours = _palette(len(ports))
    counts = [0] * len(ports)
    for panel in panels:
        for b in panel.boxes:
            counts[b.colour] += 1
    panel_w = len(grid.rows) * _CELL_W_IN
    panel_h = grid.height * _CELL_H_IN
    outer_w = _MARGIN_LEFT_IN + panel_w + _MARGIN_RIGHT_IN
    outer_h = _MARGIN_BOTTOM_IN + panel_h + _MARGIN_TOP_IN
    columns = min(PANEL_COLUMNS, len(panels))
    width = max(columns * outer_w, _MIN_WIDTH_IN)
    per_line = max(1, int(width // _LEGEND_ENTRY_IN))
    top = _HEADER_IN + math.ceil((len(ports) + 2) / per_line) * _LEGEND_LINE_IN
    height = top + math.ceil(len(panels) / columns) * outer_h
    loaded = sum(p.loaded for p in panels)
    boxes = sum(len(p.boxes) for p in panels)
    shown = "" if len(panels) == len(problem.profile.sections) else " in the bays shown"
    # svg.fonttype "none": real <text> elements, searchable; a fixed salt: the same ids.
    with mpl.rc_context(
        {"svg.hashsalt": "opentos-bay-plan", "svg.fonttype": "none", "font.family": _FONT_FAMILY}
    ):
        fig = Figure(figsize=(width, height), dpi=DPI)
        fig.text(
            0.1 / width,
            1 - 0.08 / height,
            f"{problem.profile.name} at {problem.port}, seen from astern: {loaded} boxes "
            f"loaded, {boxes} on board after loading{shown}\n"
            "colour: port of discharge; thick edge: loaded (or restowed) here; weight in t\n"
            "R reefer, number: IMDG class, OOG out of gauge",
            fontsize=_TITLE_PT,
            va="top",
        )
        handles = [
            Patch(
                facecolor=colours[i], edgecolor="black", linewidth=0.3, label=f"{p} ({counts[i]})"
            )
            for i, p in enumerate(ports)
        ]
        for label, edge_pt in (("loaded", _LOADED_EDGE_PT), ("on board", _ON_BOARD_EDGE_PT)):
            handles.append(
                Patch(facecolor="white", edgecolor="black", linewidth=edge_pt, label=label)
            )
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.1 / width, 1 - _HEADER_IN / height),
            ncol=per_line,
            fontsize=_LEGEND_PT,
            frameon=False,
            handlelength=1.5,
            columnspacing=1.0,
            borderaxespad=0,
            borderpad=0,
        )
        for i, panel in enumerate(panels):
            line, column = divmod(i, columns)
            left = column * outer_w + _MARGIN_LEFT_IN
            bottom = height - top - (line + 1) * outer_h + _MARGIN_BOTTOM_IN
            ax = fig.add_axes((left / width, bottom / height, panel_w / width, panel_h / height))
            _draw_panel(fig, ax, panel, grid, colours, as_text=suffix == ".svg")
        fig.savefig(path, format=suffix[1:], dpi=DPI, metadata=_METADATA[suffix])
