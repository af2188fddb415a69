"""Bulk import of a stock-take: every container in the terminal and its place, from CSV.

A terminal going live on OpenTOS, or reconciling after an outage, loads its
inventory from a stock-take file. The file is read and checked whole first;
every problem is reported with its line and column. Then it is applied in one
database transaction: all of it or, if anything fails or the process is
killed half-way, none of it.

Columns (header row required, order free; optional columns may be empty):

``number, iso_type, operator, full_empty, place`` (required), ``gross_weight_kg,
vgm_kg, tare_kg, port_of_loading, port_of_discharge, place_of_delivery,
reefer_set_point_c, imdg_class, un_number, packing_group`` (optional).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from opentos.errors import DataImportError, OpenTosError
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.places import Place, parse_place
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
CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class StockTake:
    """A checked stock-take: containers and where each one is."""

    source: str
    containers: tuple[Container, ...]
    places: tuple[Place, ...]


def _cell(row: dict[str, str], name: str) -> str:
    return (row.get(name) or "").strip()


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


def parse_stocktake(text: str, source: str = "stock-take") -> StockTake:
    """Read and check a stock-take CSV (see the module docstring).

    Raises
    ------
    DataImportError
        Lists every problem with its line and column; nothing is imported.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    problems: list[str] = []
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(unknown)}")
    if problems:
        raise DataImportError(source, problems)
    containers: list[Container] = []
    places: list[Place] = []
    seen_numbers: dict[ContainerNumber, int] = {}
    seen_places: dict[Place, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): v for k, v in raw.items() if k is not None}
        column = "number"
        try:
            number = ContainerNumber.parse(_cell(row, "number"))
            column = "iso_type"
            iso_type = SizeType.parse(_cell(row, "iso_type"))
            column = "full_empty"
            full_empty = FullEmpty(_cell(row, "full_empty").upper())
            column = "place"
            place = parse_place(_cell(row, "place"))
            column = "weights"
            gross = _int_or_none(_cell(row, "gross_weight_kg"))
            vgm = _int_or_none(_cell(row, "vgm_kg"))
            tare = _int_or_none(_cell(row, "tare_kg"))
            column = "ports"
            ports = [
                UnLocode.parse(v) if v else None
                for v in (
                    _cell(row, "port_of_loading"),
                    _cell(row, "port_of_discharge"),
                    _cell(row, "place_of_delivery"),
                )
            ]
            column = "reefer_set_point_c"
            set_point = _cell(row, "reefer_set_point_c")
            reefer = ReeferSetting(float(set_point)) if set_point else None
            column = "imdg_class"
            imdg = _cell(row, "imdg_class")
            dangerous: tuple[DangerousGoods, ...] = ()
            if imdg:
                group = _cell(row, "packing_group")
                dangerous = (
                    DangerousGoods(
                        imdg,
                        int(_cell(row, "un_number")),
                        PackingGroup(group) if group else None,
                    ),
                )
            column = "operator"
            container = Container(
                number=number,
                iso_type=iso_type,
                operator=_cell(row, "operator").upper(),
                full_empty=full_empty,
                gross_weight_kg=gross,
                vgm_kg=vgm,
                tare_kg=tare,
                port_of_loading=ports[0],
                port_of_discharge=ports[1],
                place_of_delivery=ports[2],
                reefer=reefer,
                dangerous_goods=dangerous,
            )
        except (OpenTosError, ValueError) as exc:
            problems.append(f"line {line}, column {column}: {exc}")
            continue
        if number in seen_numbers:
            problems.append(f"line {line}: {number} is also on line {seen_numbers[number]}")
            continue
        if place in seen_places:
            problems.append(f"line {line}: place {place} is also on line {seen_places[place]}")
            continue
        seen_numbers[number] = line
        seen_places[place] = line
        containers.append(container)
        places.append(place)
    if problems:
        raise DataImportError(source, problems)
    return StockTake(source, tuple(containers), tuple(places))


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

    Raises
    ------
    DataImportError
        A row breaks a rule of the ledger (the container is already in the
        terminal, the slot is taken or does not exist, ...); nothing is imported.
    """
    order = _stack_order(take)
    line_of = {i: i + 2 for i in range(len(take.places))}
    with store.transaction() as tx:
        for start in range(0, len(order), CHUNK):
            chunk: Sequence[int] = order[start : start + CHUNK]
            tx.register_many([take.containers[i] for i in chunk])
            events = [MoveEvent(take.containers[i].number, None, take.places[i], at) for i in chunk]
            try:
                tx.record(events)
            except OpenTosError as exc:
                index = _failed_index(str(exc))
                where = f"line {line_of[chunk[index]]}" if index is not None else "a row"
                raise DataImportError(take.source, [f"{where}: {exc}"]) from None
            if on_progress is not None:
                on_progress(len(chunk))
    return len(order)


def _failed_index(message: str) -> int | None:
    """The 0-based index in a batch named by ``Inventory.apply_all``'s message."""
    if message.startswith("event "):
        head = message.split(" ", 2)[1]
        if head.isdigit():
            return int(head) - 1
    return None


def read_stocktake(path: Path) -> StockTake:
    """Read and check a stock-take file (:class:`DataImportError` if unreadable)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataImportError(str(path), [f"cannot read the file: {exc}"]) from None
    return parse_stocktake(text, str(path))
