"""Reference terminals as data: TOML files read into a :class:`TerminalLayout`.

Each preset is one file, ``<name>.toml`` in this package, every figure with its
source in a comment beside it. Users can load their own file with
:func:`load_preset_file`. A malformed file raises :class:`ConfigError` naming
the file and the key path (``qianwan-1.toml: blocks[3].rows: expected a
positive integer, got 'ten'``); unknown keys are errors, so typos do not pass
silently.

Schema (mirrors :mod:`opentos.model.layout`; ``x`` along the quay from its
west end, ``y`` inland from the quay edge, metres)::

    name = "..."                      # required
    un_locode = "CNTAO"               # required
    notes = ["...", ...]              # optional

    [quay]                            # length_m, qc_min_gap_m (default 27.0)
    [[quay.berths]]                   # id, start_m, length_m, depth_m
    [[quay_cranes]]                   # id, rail_position_m, kind, outreach_rows,
                                      # lift_capacity_t, twin_lift (defaults as in QuayCrane)
    [apron]                           # width_m, qc_lanes, travel_lanes
    [[blocks]]                        # id, x_m, y_m, bays, rows, tiers,
                                      # waterside_transfer_points, landside_transfer_points,
                                      # slot_length_m, row_width_m (defaults as in YardBlock),
                                      # reefer_bays = [odd bays]  or  reefer_landside_bays = n,
                                      # yard_cranes = ["waterside", "landside"]
    [[gate_lanes]]                    # id, direction ("in", "out" or "reversible")
    [[rail_tracks]]                   # id, length_m, wagons
    [[agvs]]                          # id, twin_carry (default true)
    [[yard_cranes]]                   # id, block, side
    [[chargers]]                      # id, x_m, y_m

Repeated equipment: in any of these arrays, an entry may give ``count = n``
instead of ``id``; it stands for ``n`` items with the same values and ids
``prefix`` + number, numbered from ``first_number`` (default 1) with ``digits``
digits (default 2): ``count = 3, prefix = "AGV"`` gives AGV01, AGV02, AGV03.
For items with a position along the quay (berths ``start_m``, quay cranes
``rail_position_m``, blocks and chargers ``x_m``) ``pitch_m`` (default 0) is
added to that position for each next item.

In a block entry, ``reefer_landside_bays = n`` plugs the ``n`` 20' bays at the
landside end (the highest odd bays), and ``yard_cranes`` lists the sides that
have a yard crane; each gets the id ``<block>-W`` (waterside) or ``<block>-L``
(landside). Yard cranes can also be listed one by one in ``[[yard_cranes]]``.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar, cast

from opentos.errors import ConfigError, InvalidValue, NotFound
from opentos.model.layout import (
    GATE_DIRECTIONS,
    QUAY_CRANE_KINDS,
    YARD_CRANE_SIDES,
    Agv,
    AgvApron,
    Berth,
    Charger,
    GateLane,
    Quay,
    QuayCrane,
    RailTrack,
    TerminalLayout,
    YardBlock,
    YardCrane,
    YardCraneSide,
)

__all__ = ["load_preset", "load_preset_file", "parse_preset", "preset_names"]

_SUFFIX = ".toml"
_MISSING = object()
T = TypeVar("T")


def preset_names() -> list[str]:
    """Names of the presets shipped with OpenTOS, sorted.

    Returns
    -------
    list[str]
        File names in this package without ``.toml``, such as ``"qianwan-1"``; the
        equipment kinematics files (``kinematics-*.toml``) are not terminal presets.
    """
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(_SUFFIX)
        and entry.is_file()
        and not entry.name.startswith("kinematics-")
    )


@lru_cache(maxsize=16)
def load_preset(name: str) -> TerminalLayout:
    """Read the preset ``name`` shipped with OpenTOS.

    Parameters
    ----------
    name
        A name from :func:`preset_names`, such as ``"qianwan-1"``.

    Raises
    ------
    NotFound
        No preset has that name; the message lists the valid names.
    ConfigError
        The preset file is malformed.
    """
    names = preset_names()
    if name not in names:
        raise NotFound(f"no preset {name!r}; presets: {', '.join(names)}")
    file_name = name + _SUFFIX
    text = resources.files(__name__).joinpath(file_name).read_text(encoding="utf-8")
    return parse_preset(text, file_name)


def load_preset_file(path: str | os.PathLike[str]) -> TerminalLayout:
    """Read a user's layout file written in the preset schema.

    Raises
    ------
    ConfigError
        The file cannot be read or is malformed; the message names the file and the key.
    """
    return parse_preset(*read_user_file(path))


def read_user_file(path: str | os.PathLike[str]) -> tuple[str, str]:
    """The text of a user's preset file and its name for messages.

    Raises
    ------
    ConfigError
        The file cannot be read as UTF-8 text.
    """
    source = os.fspath(path)
    try:
        return Path(path).read_text(encoding="utf-8"), source
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the file: {exc}") from None


def parse_preset(text: str, source: str = "<string>") -> TerminalLayout:
    """Read a layout from TOML text in the preset schema.

    Parameters
    ----------
    text
        The TOML document.
    source
        Where the text came from, for messages (a file name).

    Raises
    ------
    ConfigError
        The text is not TOML, a key is missing, unknown or malformed, or the layout
        breaks an invariant.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return _read_layout(_Table(data, "", source))


# --- reading tables with their key paths -----------------------------------------------------


class _Table:
    """A TOML table being read; every error names the source and the key path."""

    def __init__(self, data: Mapping[str, object], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source
        self.used: set[str] = set()

    def where(self, key: str | None = None) -> str:
        if key is None:
            return self.path
        return f"{self.path}.{key}" if self.path else key

    def error(self, message: str, key: str | None = None) -> ConfigError:
        if key is None and not self.path:
            return ConfigError(f"{self.source}: {message}")
        return ConfigError(f"{self.source}: {self.where(key)}: {message}")

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: object) -> object:
        self.used.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error("missing", key)
        return default

    def _check(self, key: str, default: object, ok: Callable[[object], bool], what: str) -> object:
        value = self._get(key, default)
        if key in self.data and not ok(value):
            raise self.error(f"expected {what}, got {value!r}", key)
        return value

    def text(self, key: str, default: object = _MISSING) -> str:
        value = self._check(
            key, default, lambda v: isinstance(v, str) and bool(v.strip()), "a non-empty string"
        )
        return cast("str", value)

    def integer(self, key: str, minimum: int = 1, default: object = _MISSING) -> int:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        value = self._check(key, default, lambda v: _is_int(v) and cast("int", v) >= minimum, what)
        return cast("int", value)

    def number(self, key: str, *, positive: bool = False, default: object = _MISSING) -> float:
        def ok(v: object) -> bool:
            return _is_number(v) and (cast("float", v) > 0 or not positive)

        what = "a positive number" if positive else "a number"
        return float(cast("float", self._check(key, default, ok, what)))

    def flag(self, key: str, default: object = _MISSING) -> bool:
        value = self._check(key, default, lambda v: isinstance(v, bool), "true or false")
        return cast("bool", value)

    def choice(self, key: str, choices: tuple[T, ...], default: object = _MISSING) -> T:
        shown = " or ".join(repr(c) for c in choices)
        return cast("T", self._check(key, default, lambda v: v in choices, shown))

    def items(self, key: str, ok: Callable[[object], bool], what: str) -> list[object]:
        value = self._check(key, [], lambda v: isinstance(v, list), f"a list of {what}")
        items = cast("list[object]", value)
        for i, item in enumerate(items):
            if not ok(item):
                raise self.error(f"expected {what}, got {item!r}", f"{key}[{i}]")
        return items

    def table(self, key: str) -> _Table:
        value = self._check(key, _MISSING, lambda v: isinstance(v, dict), "a table")
        return _Table(cast("dict[str, object]", value), self.where(key), self.source)

    def tables(self, key: str) -> list[_Table]:
        value = self._check(
            key,
            [],
            lambda v: isinstance(v, list) and all(isinstance(t, dict) for t in v),
            f"an array of tables ([[{self.where(key)}]])",
        )
        return [
            _Table(cast("dict[str, object]", t), f"{self.where(key)}[{i}]", self.source)
            for i, t in enumerate(cast("list[object]", value))
        ]

    def done(self) -> None:
        """Reject keys nobody read: they are typos or belong elsewhere."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            known = ", ".join(sorted(self.used))
            raise self.error(f"unknown key (known keys: {known})", unknown[0])

    def build(self, make: Callable[[], T]) -> T:
        """Call a model constructor; its invariant errors become ConfigErrors at this path."""
        try:
            return make()
        except InvalidValue as exc:
            raise self.error(str(exc)) from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(cast("float", value))
    )


def _expand(t: _Table, x_key: str | None) -> list[tuple[str, float]]:
    """Ids (and positions along the quay) of an entry: one ``id``, or ``count`` generated."""
    x = t.number(x_key) if x_key is not None else 0.0
    if t.has("id") and t.has("count"):
        raise t.error("give id (one item) or count (several), not both")
    if not t.has("count"):
        return [(t.text("id"), x)]
    count = t.integer("count")
    prefix = t.text("prefix", default="")
    first = t.integer("first_number", minimum=0, default=1)
    digits = t.integer("digits", default=2)
    pitch = t.number("pitch_m", default=0.0) if x_key is not None else 0.0
    return [(f"{prefix}{first + i:0{digits}d}", x + i * pitch) for i in range(count)]


# --- the schema ------------------------------------------------------------------------------


def _read_layout(top: _Table) -> TerminalLayout:
    name = top.text("name")
    un_locode = top.text("un_locode")
    notes = cast("list[str]", top.items("notes", lambda v: isinstance(v, str), "strings"))

    quay_table = top.table("quay")
    berths = [b for t in quay_table.tables("berths") for b in _each(t, "start_m", _berth)]
    quay = quay_table.build(
        lambda: Quay(
            quay_table.number("length_m", positive=True),
            tuple(berths),
            quay_table.number("qc_min_gap_m", default=27.0),
        )
    )
    quay_table.done()

    apron_table = top.table("apron")
    apron = apron_table.build(
        lambda: AgvApron(
            apron_table.number("width_m", positive=True),
            apron_table.integer("qc_lanes"),
            apron_table.integer("travel_lanes"),
        )
    )
    apron_table.done()

    blocks: list[YardBlock] = []
    yard_cranes: list[YardCrane] = []
    for t in top.tables("blocks"):
        sides = t.items("yard_cranes", lambda v: v in YARD_CRANE_SIDES, "'waterside' or 'landside'")
        for block in _each(t, "x_m", _block):
            blocks.append(block)
            for side in cast("list[YardCraneSide]", sides):
                crane_id = f"{block.id}-{'W' if side == 'waterside' else 'L'}"
                yard_cranes.append(YardCrane(crane_id, block.id, side))
    yard_cranes += [c for t in top.tables("yard_cranes") for c in _each(t, None, _yard_crane)]

    quay_cranes = [
        c for t in top.tables("quay_cranes") for c in _each(t, "rail_position_m", _quay_crane)
    ]
    gate_lanes = [g for t in top.tables("gate_lanes") for g in _each(t, None, _gate_lane)]
    rail_tracks = [r for t in top.tables("rail_tracks") for r in _each(t, None, _rail_track)]
    agvs = [a for t in top.tables("agvs") for a in _each(t, None, _agv)]
    chargers = [c for t in top.tables("chargers") for c in _each(t, "x_m", _charger)]
    top.done()
    return top.build(
        lambda: TerminalLayout(
            name=name,
            un_locode=un_locode,
            quay=quay,
            quay_cranes=tuple(quay_cranes),
            apron=apron,
            blocks=tuple(blocks),
            gate_lanes=tuple(gate_lanes),
            rail_tracks=tuple(rail_tracks),
            agvs=tuple(agvs),
            yard_cranes=tuple(yard_cranes),
            chargers=tuple(chargers),
            notes=tuple(notes),
        )
    )


def _each(t: _Table, x_key: str | None, make: Callable[[_Table, str, float], T]) -> list[T]:
    """Build the item(s) of one array entry, then reject keys the entry does not know."""
    items: list[T] = []
    for ident, x in _expand(t, x_key):
        try:
            items.append(make(t, ident, x))
        except InvalidValue as exc:
            raise t.error(str(exc)) from None
    t.done()
    return items


def _berth(t: _Table, ident: str, x: float) -> Berth:
    return Berth(ident, x, t.number("length_m", positive=True), t.number("depth_m", positive=True))


def _quay_crane(t: _Table, ident: str, x: float) -> QuayCrane:
    return QuayCrane(
        ident,
        x,
        t.choice("kind", QUAY_CRANE_KINDS, default="double_trolley"),
        t.integer("outreach_rows", default=24),
        t.number("lift_capacity_t", positive=True, default=65.0),
        t.flag("twin_lift", default=True),
    )


def _gate_lane(t: _Table, ident: str, _x: float) -> GateLane:
    return GateLane(ident, t.choice("direction", GATE_DIRECTIONS))


def _rail_track(t: _Table, ident: str, _x: float) -> RailTrack:
    return RailTrack(ident, t.number("length_m", positive=True), t.integer("wagons"))


def _agv(t: _Table, ident: str, _x: float) -> Agv:
    return Agv(ident, t.flag("twin_carry", default=True))


def _yard_crane(t: _Table, ident: str, _x: float) -> YardCrane:
    return YardCrane(ident, t.text("block"), t.choice("side", YARD_CRANE_SIDES))


def _charger(t: _Table, ident: str, x: float) -> Charger:
    return Charger(ident, x, t.number("y_m"))


def _block(t: _Table, ident: str, x: float) -> YardBlock:
    bays = t.integer("bays")
    if t.has("reefer_bays") and t.has("reefer_landside_bays"):
        raise t.error("give reefer_bays or reefer_landside_bays, not both")
    if t.has("reefer_landside_bays"):
        n = t.integer("reefer_landside_bays", minimum=0)
        if n > bays:
            raise t.error(f"expected at most bays = {bays}, got {n}", "reefer_landside_bays")
        reefer = frozenset(range(2 * bays - 1, 2 * (bays - n), -2))
    else:
        reefer = frozenset(cast("list[int]", t.items("reefer_bays", _is_int, "integers")))
    return YardBlock(
        ident,
        x,
        t.number("y_m"),
        bays,
        t.integer("rows"),
        t.integer("tiers"),
        reefer,
        t.integer("waterside_transfer_points", minimum=0, default=1),
        t.integer("landside_transfer_points", minimum=0, default=1),
        t.number("slot_length_m", positive=True, default=6.5),
        t.number("row_width_m", positive=True, default=2.9),
    )
