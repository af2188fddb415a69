"""Bulk import of a stock-take: every container in the terminal and its place, from CSV.

A terminal going live on OpenTOS, or reconciling after an outage, loads its
inventory from a stock-take file. The file is read and checked whole first;
every problem is reported with its file line (counting blank lines), its
column and the value, and says what is allowed. Then it is applied in one
database transaction: all of it or, if anything fails or the process is
killed half-way, none of it. See ``docs/stocktake.md``.

Columns (header row required, order free; optional columns may be empty):

``number, iso_type, operator, full_empty, place`` (required), ``gross_weight_kg,
vgm_kg, tare_kg, port_of_loading, port_of_discharge, place_of_delivery,
reefer_set_point_c, imdg_class, un_number, packing_group`` (optional).

A stock-take records what was *found*: each box arrives in the ledger at its
place with no equipment and no work instruction (nobody moved it). A box found
on a truck or a rail wagon is present on that equipment; it is not a gate or
rail move. Equipment places must name equipment of the terminal; see
:func:`equipment_problem`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opentos.errors import (
    Conflict,
    DataImportError,
    IllegalMove,
    InvalidValue,
    OpenTosError,
    StorageError,
)
from opentos.model.container import (
    MAX_GROSS_KG,
    SET_POINT_MAX_C,
    SET_POINT_MIN_C,
    UN_NUMBER_MAX,
    Container,
    DangerousGoods,
    FullEmpty,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import ContainerKind, SizeType
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, parse_place
from opentos.storage.store import Store

REQUIRED = ("number", "iso_type", "operator", "full_empty", "place")
OPTIONAL = (
    "gross_weight_kg",
    "vgm_kg",
    "tare_kg",
    "port_of_loading",
    "port_of_discharge",
    "place_of_delivery",
    "reefer_set_point_c",
    "imdg_class",
    "un_number",
    "packing_group",
)
WEIGHTS = ("gross_weight_kg", "vgm_kg", "tare_kg")
PORTS = ("port_of_loading", "port_of_discharge", "place_of_delivery")
CHUNK = 2_000

TRUCK_ID = re.compile(r"TRK(?:-[A-Z0-9][A-Z0-9-]{0,35}|[0-9]{1,12})")
"""An external truck: ``TRK-`` and its number or licence plate (``TRK-0042``,
``TRK-LU-4521``), or ``TRK`` and digits as the twin names its trucks (``TRK00042``)."""
TRUCK_POSITIONS = 2
"""A truck chassis takes one 40'/45' box or two 20' boxes."""
WAGON_ID = re.compile(r"(?P<track>[A-Za-z0-9][A-Za-z0-9_.-]*)-W(?P<spot>[0-9]{1,3})")
"""A rail wagon: its rail track and its wagon spot on the track, ``R01-W07``."""
WAGON_POSITIONS = 3
"""A 60' container wagon takes up to three 20' boxes."""

_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_UN_NUMBER = re.compile(r"(?:UN)?([0-9]{4})")
_OPERATOR = re.compile(r"[A-Z0-9]{1,4}")
_LEDGER_PREFIX = re.compile(r"^event [0-9]+ of [0-9]+: ")


@dataclass(frozen=True, slots=True)
class StockTake:
    """A checked stock-take: containers, where each one is, and the file line of each row."""

    source: str
    containers: tuple[Container, ...]
    places: tuple[Place, ...]
    lines: tuple[int, ...] = ()
    """File line (1-based, blank lines counted) of each row; empty: rows on lines 2, 3, ..."""

    def line_of(self, row: int) -> int:
        """The file line of row ``row`` (0-based, in file order)."""
        return self.lines[row] if self.lines else row + 2


class _Bad(Exception):
    """A cell's problem, in the user's words (becomes ``line L, column C: message``)."""


def _required(value: str, what: str) -> str:
    if not value:
        raise _Bad(f"empty; {what}")
    return value


def _weight(value: str) -> int | None:
    if not value:
        return None
    if not _WHOLE.fullmatch(value) or not 1 <= int(value) <= MAX_GROSS_KG:
        raise _Bad(
            f"{value!r} must be a whole number of kilograms from 1 to {MAX_GROSS_KG} "
            "(leave it empty if not known)"
        )
    return int(value)


def _full_empty(value: str) -> FullEmpty:
    _required(value, "give F (full) or E (empty)")
    try:
        return FullEmpty(value.upper())
    except ValueError:
        raise _Bad(f"{value!r} is not one of F (full), E (empty)") from None


def _operator(value: str) -> str:
    _required(value, "give the line operator's code (1-4 letters or digits, e.g. MSC)")
    if not _OPERATOR.fullmatch(value.upper()):
        raise _Bad(f"{value!r} must be 1-4 letters or digits (the line operator's code, e.g. MSC)")
    return value.upper()


def _set_point(value: str) -> ReeferSetting | None:
    if not value:
        return None
    allowed = (
        f"a temperature in °C from {SET_POINT_MIN_C:g} to {SET_POINT_MAX_C:g}, e.g. -18 or 4.5"
    )
    if not _DECIMAL.fullmatch(value):
        raise _Bad(f"{value!r} must be {allowed}")
    try:
        return ReeferSetting(float(value))
    except InvalidValue:
        raise _Bad(f"{value!r} must be {allowed}") from None


def _un_number(value: str) -> int:
    match = _UN_NUMBER.fullmatch(value.upper())
    if match is None or not 1 <= int(match.group(1)) <= UN_NUMBER_MAX:
        raise _Bad(
            f"{value!r} must be a UN number of 4 digits from 0001 to {UN_NUMBER_MAX:04d} "
            "(e.g. 1203 or UN1203)"
        )
    return int(match.group(1))


def _packing_group(value: str) -> PackingGroup | None:
    if not value:
        return None
    try:
        return PackingGroup(value.upper())
    except ValueError:
        raise _Bad(f"{value!r} is not one of I, II, III (the IMDG packing group)") from None


def _model(parse: Callable[[str], object], value: str) -> object:
    """A model parser's value; its own message (which quotes the value) if it refuses it."""
    try:
        return parse(value)
    except (OpenTosError, ValueError) as exc:
        raise _Bad(str(exc)) from None


class _Row:
    """One data row being checked: its cells by column and the problems found in it."""

    def __init__(self, line: int, cells: dict[str, str], problems: list[str]) -> None:
        self.line = line
        self.cells = cells
        self.problems = problems
        self.ok = True

    def get(self, column: str, check: Callable[[str], object]) -> object:
        """``check`` applied to the cell; ``None`` (and a problem noted) if it refuses it."""
        try:
            return check(self.cells.get(column, ""))
        except _Bad as exc:
            self.bad(column, str(exc))
            return None

    def bad(self, column: str, message: str) -> None:
        self.problems.append(f"line {self.line}, column {column}: {message}")
        self.ok = False


def _header_problems(header: list[str], line: int) -> list[str]:
    problems: list[str] = []
    first: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(f"line {line}: header cell {position} is empty; name its column")
        elif name in first:
            problems.append(
                f"line {line}: column {name} appears twice (header cells {first[name]} "
                f"and {position})"
            )
        else:
            first[name] = position
    missing = [c for c in REQUIRED if c not in first]
    unknown = [c for c in first if c not in REQUIRED + OPTIONAL]
    if missing:
        problems.append(f"line {line}: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(
            f"line {line}: unknown column(s) {', '.join(repr(c) for c in unknown)}; the "
            f"columns are {', '.join(REQUIRED)} (required) and {', '.join(OPTIONAL)} (optional)"
        )
    return problems


def parse_stocktake(
    text: str, source: str = "stock-take", layout: TerminalLayout | None = None
) -> StockTake:
    """Read and check a stock-take CSV (see the module docstring).

    With ``layout``, equipment places are checked against the terminal's
    equipment too (:func:`equipment_problem`); :func:`import_stocktake` always
    checks them against the store's layout.

    Raises
    ------
    DataImportError
        Lists every problem with its line and column; nothing is imported.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header: list[str] | None = None
    header_line = 0
    problems: list[str] = []
    containers: list[Container] = []
    places: list[Place] = []
    lines: list[int] = []
    seen_numbers: dict[ContainerNumber, int] = {}
    seen_places: dict[Place, int] = {}
    rows = 0
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"line {line}: the CSV cannot be read further ({exc})")
            break
        if not any(cell.strip() for cell in raw):
            continue  # a blank line, or a spreadsheet's empty row
        if header is None:
            header = [cell.strip().lower() for cell in raw]
            header_line = line
            problems += _header_problems(header, line)
            if problems:
                raise DataImportError(source, problems)
            continue
        rows += 1
        if len(raw) > len(header):
            extra = raw[len(header) :]
            problems.append(
                f"line {line}: {len(raw)} cells, but the header (line {header_line}) names "
                f"{len(header)} columns; extra: {', '.join(repr(c) for c in extra[:3])}"
                + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
            )
            continue
        cells = {name: cell.strip() for name, cell in zip(header, raw, strict=False)}
        checked = _check_row(_Row(line, cells, problems), layout)
        if checked is None:
            continue
        container, place = checked
        number = container.number
        if number in seen_numbers:
            problems.append(
                f"line {line}, column number: {number} is also on line {seen_numbers[number]}"
            )
            continue
        if place in seen_places:
            problems.append(
                f"line {line}, column place: {place} is also on line {seen_places[place]}"
            )
            continue
        seen_numbers[number] = line
        seen_places[place] = line
        containers.append(container)
        places.append(place)
        lines.append(line)
    if header is None:
        problems.append(
            "the file is empty: expected a header row naming the columns "
            f"({', '.join(REQUIRED)}, ...) and a row per container"
        )
    elif rows == 0 and not problems:
        problems.append(f"no data rows: the file has only the header (line {header_line})")
    if problems:
        raise DataImportError(source, problems)
    return StockTake(source, tuple(containers), tuple(places), tuple(lines))


def _check_row(row: _Row, layout: TerminalLayout | None) -> tuple[Container, Place] | None:
    """The row's container and place, or ``None`` after noting each bad cell."""
    number = row.get(
        "number",
        lambda v: _model(
            ContainerNumber.parse,
            _required(v, "every row needs a container number (ISO 6346, e.g. MSCU1234565)"),
        ),
    )
    iso_type = row.get(
        "iso_type",
        lambda v: _model(
            SizeType.parse, _required(v, "give the ISO 6346 size-type code, e.g. 22G1 or 45R1")
        ),
    )
    operator = row.get("operator", _operator)
    full_empty = row.get("full_empty", _full_empty)
    place = row.get(
        "place",
        lambda v: _model(
            parse_place,
            _required(
                v,
                "give where the box is: yard:BLOCK.BBB.RR.T, vessel:VISIT:BBBRRTT or equipment:ID",
            ),
        ),
    )
    if layout is not None and isinstance(place, EquipmentPlace):
        problem = equipment_problem(layout, place)
        if problem is not None:
            row.bad("place", problem)
    weights = {name: row.get(name, _weight) for name in WEIGHTS}
    ports = {
        name: row.get(name, lambda v: _model(UnLocode.parse, v) if v else None) for name in PORTS
    }
    reefer = row.get("reefer_set_point_c", _set_point)
    if (
        reefer is not None
        and isinstance(iso_type, SizeType)
        and iso_type.kind is not ContainerKind.REEFER
    ):
        row.bad(
            "reefer_set_point_c",
            f"{row.cells['reefer_set_point_c']!r} is given, but size type {iso_type} "
            f"({iso_type.description}) is not a reefer; a set point needs a reefer type "
            "such as 22R1 or 45R1",
        )
    dangerous = _dangerous_goods(row)
    tare = weights["tare_kg"]
    for name in ("gross_weight_kg", "vgm_kg"):
        mass = weights[name]
        if isinstance(mass, int) and isinstance(tare, int) and mass < tare:
            row.bad(name, f"{mass} kg is less than the tare_kg {tare} kg")
    if not row.ok:
        return None
    assert isinstance(number, ContainerNumber)
    assert isinstance(iso_type, SizeType)
    assert isinstance(operator, str)
    assert isinstance(full_empty, FullEmpty)
    assert isinstance(place, Place)
    try:
        container = Container(
            number=number,
            iso_type=iso_type,
            operator=operator,
            full_empty=full_empty,
            gross_weight_kg=_as_int(weights["gross_weight_kg"]),
            vgm_kg=_as_int(weights["vgm_kg"]),
            tare_kg=_as_int(tare),
            port_of_loading=_as_locode(ports["port_of_loading"]),
            port_of_discharge=_as_locode(ports["port_of_discharge"]),
            place_of_delivery=_as_locode(ports["place_of_delivery"]),
            reefer=reefer if isinstance(reefer, ReeferSetting) else None,
            dangerous_goods=dangerous,
        )
    except InvalidValue as exc:  # every rule of Container is checked above; this is a guard
        row.problems.append(f"line {row.line}: {exc}")
        return None
    return container, place


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _as_locode(value: object) -> UnLocode | None:
    return value if isinstance(value, UnLocode) else None


def _dangerous_goods(row: _Row) -> tuple[DangerousGoods, ...]:
    """The row's IMDG entry, if it has one; each missing or bad cell noted under its column."""
    imdg = row.cells.get("imdg_class", "")
    un_text = row.cells.get("un_number", "")
    group_text = row.cells.get("packing_group", "")
    if not imdg:
        given = [c for c, v in (("un_number", un_text), ("packing_group", group_text)) if v]
        if given:
            row.bad(
                "imdg_class",
                f"empty, but {' and '.join(given)} is given; give the IMDG class (e.g. 3 or 2.1)",
            )
        return ()
    un_number: int | None = None
    if not un_text:
        row.bad("un_number", "empty; a row with an imdg_class needs its UN number (e.g. 1203)")
    else:
        un_number = _as_int(row.get("un_number", _un_number))
    group = row.get("packing_group", _packing_group)
    if un_number is None:
        return ()
    try:
        return (
            DangerousGoods(imdg, un_number, group if isinstance(group, PackingGroup) else None),
        )
    except InvalidValue as exc:
        row.bad("imdg_class", str(exc))
        return ()


# --- equipment ------------------------------------------------------------------------------


def _some(ids: Sequence[str]) -> str:
    """A few ids in full, many as a range with their number."""
    if len(ids) <= 4:
        return ", ".join(ids)
    return f"{ids[0]} .. {ids[-1]} ({len(ids)})"


def equipment_problem(layout: TerminalLayout, place: EquipmentPlace) -> str | None:
    """Why ``place`` is not equipment of the terminal, or ``None`` if it is.

    The rule (see ``docs/stocktake.md``):

    - the terminal's own machines are the stored layout's: a quay crane
      (position 1 its main trolley; a double-trolley crane also 2 and 3 its
      transfer platform, 4 its portal trolley), an AGV (position 1; 2 too on a
      twin-carry AGV), a yard crane (position 1);
    - an external truck is ``TRK-`` and its number or licence plate, or ``TRK``
      and digits (:data:`TRUCK_ID`), positions 1-2;
    - a rail wagon is named by a rail track of the layout and its wagon spot,
      ``R01-W07`` (spot 1 up to the wagons the track takes), positions 1-3.
    """
    name, position = place.equipment, place.position
    text = str(place)
    for qc in layout.quay_cranes:
        if qc.id == name:
            top = 4 if qc.kind == "double_trolley" else 1
            if position > top:
                where = (
                    "1 (main trolley), 2-3 (transfer platform) or 4 (portal trolley)"
                    if top == 4
                    else "1 (its trolley; a single-trolley crane has no platform)"
                )
                return f"{text!r}: {name} is a quay crane; it holds a box at position {where}"
            return None
    for agv in layout.agvs:
        if agv.id == name:
            top = 2 if agv.twin_carry else 1
            if position > top:
                spots = "1 or 2" if top == 2 else "1"
                return f"{text!r}: {name} is an AGV; it carries a box at position {spots}"
            return None
    for crane in layout.yard_cranes:
        if crane.id == name:
            if position > 1:
                return f"{text!r}: {name} is a yard crane; it holds one box (equipment:{name})"
            return None
    if TRUCK_ID.fullmatch(name):
        if position > TRUCK_POSITIONS:
            return f"{text!r}: a truck carries a box at position 1 or 2"
        return None
    wagon = WAGON_ID.fullmatch(name)
    tracks = {t.id: t for t in layout.rail_tracks}
    if wagon is not None and wagon.group("track") in tracks:
        track = tracks[wagon.group("track")]
        spot = int(wagon.group("spot"))
        if not 1 <= spot <= track.wagons:
            return (
                f"{text!r}: rail track {track.id} takes wagons at spots W1 to W{track.wagons}, "
                f"not W{spot}"
            )
        if position > WAGON_POSITIONS:
            return f"{text!r}: a rail wagon carries a box at position 1, 2 or 3"
        return None
    kinds = [
        f"quay cranes {_some([q.id for q in layout.quay_cranes])}" if layout.quay_cranes else "",
        f"AGVs {_some([a.id for a in layout.agvs])}" if layout.agvs else "",
        f"yard cranes {_some([y.id for y in layout.yard_cranes])}" if layout.yard_cranes else "",
        "trucks TRK-<number or plate>",
        (
            f"rail wagons <track>-W<spot> on tracks {_some([t.id for t in layout.rail_tracks])}"
            if layout.rail_tracks
            else ""
        ),
    ]
    return f"{text!r}: {name} is no equipment of this terminal; the equipment is: " + "; ".join(
        k for k in kinds if k
    )


def equipment_problems(take: StockTake, layout: TerminalLayout) -> list[str]:
    """Every equipment place of ``take`` that is not equipment of the terminal, by line."""
    problems: list[str] = []
    for row, place in enumerate(take.places):
        if isinstance(place, EquipmentPlace):
            problem = equipment_problem(layout, place)
            if problem is not None:
                problems.append(f"line {take.line_of(row)}, column place: {problem}")
    return problems


# --- applying ------------------------------------------------------------------------------


def _stack_order(take: StockTake) -> list[int]:
    """Indexes of the rows bottom tier first, so each box lands on its support."""

    def tier(i: int) -> int:
        slot = getattr(take.places[i], "slot", None)
        return int(getattr(slot, "tier", 0))

    return sorted(range(len(take.places)), key=lambda i: (tier(i), str(take.places[i])))


def import_stocktake(
    store: Store,
    take: StockTake,
    at: datetime,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Apply a stock-take in one transaction; returns the number of containers.

    Each box arrives at its place in a ledger event with ``equipment=None`` and
    ``work_instruction=None``: it was found there, nobody moved it.

    Raises
    ------
    DataImportError
        An equipment place names no equipment of the terminal, or a row breaks
        a rule of the ledger (the container is already in the terminal, the
        slot is taken or does not exist, ...); the problem names the row's file
        line. Nothing is imported.
    """
    problems = equipment_problems(take, store.layout)
    if problems:
        raise DataImportError(take.source, problems)
    order = _stack_order(take)
    with store.transaction() as tx:
        for start in range(0, len(order), CHUNK):
            chunk: Sequence[int] = order[start : start + CHUNK]
            boxes = [take.containers[i] for i in chunk]
            events = [
                MoveEvent(b.number, None, take.places[i], at, equipment=None, work_instruction=None)
                for b, i in zip(boxes, chunk, strict=True)
            ]
            try:
                # both name the failing box by its position in the chunk
                tx.register_many(boxes, source=f"stock-take {take.source}")
                tx.record(events)
            except (Conflict, StorageError):
                raise
            except OpenTosError as exc:
                index = exc.index if isinstance(exc, IllegalMove) else None
                raise _refused(take, chunk, exc, index) from None
            if on_progress is not None:
                on_progress(len(chunk))
    return len(order)


def _refused(
    take: StockTake, chunk: Sequence[int], exc: OpenTosError, index: int | None
) -> DataImportError:
    """The ledger's refusal as a problem naming the file line of the offending row.

    ``index`` is the failing position in ``chunk`` when the ledger gave it;
    otherwise the row is the one whose container the message names first.
    """
    message = _LEDGER_PREFIX.sub("", str(exc))
    row: int | None = None
    if index is not None and 0 <= index < len(chunk):
        row = chunk[index]
    else:
        named = [
            (message.find(str(take.containers[i].number)), i)
            for i in chunk
            if str(take.containers[i].number) in message
        ]
        if named:
            row = min(named)[1]
    if row is not None:
        return DataImportError(take.source, [f"line {take.line_of(row)}: {message}"])
    lines = sorted(take.line_of(i) for i in chunk)
    return DataImportError(
        take.source, [f"lines {lines[0]}-{lines[-1]} (applied together): {message}"]
    )


def read_stocktake(path: Path, layout: TerminalLayout | None = None) -> StockTake:
    """Read and check a stock-take file (:class:`DataImportError` if unreadable)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataImportError(str(path), [f"cannot read the file: {_reason(exc)}"]) from None
    return parse_stocktake(text, str(path), layout)


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"it is not UTF-8 text (byte {exc.start + 1} is {exc.object[exc.start]:#04x})"
    return exc.strerror or str(exc)
