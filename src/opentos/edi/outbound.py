"""Reports built from the ledger: COARRI after a call's moves, CODECO after gate moves.

The ledger is the truth (an event per container movement); these functions
read it and the containers' master data and return the domain reports the
message modules write:

- a *discharge* is an event leaving a :class:`~opentos.model.places.VesselPlace`
  of the visit for a place in the terminal, a *load* one arriving there from
  the terminal (arrivals on board and departures with the vessel are not moves
  of the terminal and are not reported);
- a *gate-in* is an event bringing a container from outside onto a truck, a
  *gate-out* one taking it off a truck to outside, made by that truck passing
  the gate (the event's ``equipment`` is the truck). A box a stock-take found
  on a truck or wagon is present on equipment: its event names no machine, and
  it is no gate move.

The departure bay plan (BAPLIE) is in :func:`departure_plan`, the cargo report
to customs of a call's import boxes (CUSCAR) in :func:`cargo_report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from opentos.errors import NotFound
from opentos.model.container import Container
from opentos.model.customs import CargoEquipment, CargoFlow, CargoReport, Consignment, GoodsItem
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveKind
from opentos.model.onboard import OnBoardPlan, Stowed
from opentos.model.orders import GateItem, GateReport, HandlingItem, HandlingReport, VesselCall
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.slots import BayRowTier
from opentos.model.visits import VesselVisit


def _container(
    containers: Mapping[ContainerNumber, Container], number: ContainerNumber
) -> Container:
    box = containers.get(number)
    if box is None:
        raise NotFound(f"container {number} is in the ledger but its master data are missing")
    return box


def vessel_call(visit: VesselVisit, port: UnLocode, kind: MoveKind) -> VesselCall:
    """The call as the reports name it: the inbound voyage for discharges, else outbound."""
    voyage = visit.voyage_in if kind is MoveKind.DISCHARGE else visit.voyage_out
    return VesselCall(
        visit.vessel_name,
        voyage or visit.voyage_out or visit.voyage_in or visit.id,
        visit.operator,
        visit.call_sign,
        visit.imo,
        port,
    )


def handling_reports(
    visit: VesselVisit,
    events: Iterable[MoveEvent],
    containers: Mapping[ContainerNumber, Container],
    *,
    port: UnLocode,
    reference: str,
    issued: datetime,
) -> list[HandlingReport]:
    """The discharge report and the load report of a call (each only if it has moves).

    References are ``reference`` + ``D`` or ``L``. A restowed box shows in both.
    """
    items: dict[MoveKind, list[HandlingItem]] = {MoveKind.DISCHARGE: [], MoveKind.LOAD: []}
    for event in events:
        src, dst = event.from_place, event.to_place
        if isinstance(src, VesselPlace) and src.visit == visit.id and dst is not None:
            kind, slot = MoveKind.DISCHARGE, src.slot
        elif isinstance(dst, VesselPlace) and dst.visit == visit.id and src is not None:
            kind, slot = MoveKind.LOAD, dst.slot
        else:
            continue
        box = _container(containers, event.container)
        items[kind].append(HandlingItem(box, kind, slot, event.at))
    return [
        HandlingReport(
            f"{reference}{'D' if kind is MoveKind.DISCHARGE else 'L'}",
            kind,
            vessel_call(visit, port, kind),
            tuple(found),
            issued,
        )
        for kind, found in items.items()
        if found
    ]


def gate_reports(
    events: Iterable[MoveEvent],
    containers: Mapping[ContainerNumber, Container],
    *,
    reference: str,
    issued: datetime,
    trucks: Mapping[str, tuple[str, str | None]] | None = None,
) -> list[GateReport]:
    """Gate-in and gate-out reports, one per line (container operator) and direction.

    ``trucks`` maps a truck's equipment id to its licence plate and haulier;
    without an entry the id is the plate. References are ``reference`` + ``I``
    or ``O`` + the operator.
    """
    trucks = trucks or {}
    grouped: dict[tuple[MoveKind, str], list[GateItem]] = {}
    for event in events:
        src, dst = event.from_place, event.to_place
        if src is None and isinstance(dst, EquipmentPlace):
            direction, truck = MoveKind.GATE_IN, dst.equipment
        elif dst is None and isinstance(src, EquipmentPlace):
            direction, truck = MoveKind.GATE_OUT, src.equipment
        else:
            continue
        if event.equipment != truck:
            continue  # found there by a stock-take (no machine), not a gate transaction
        box = _container(containers, event.container)
        plate, haulier = trucks.get(truck, (truck, None))
        item = GateItem(box, direction, event.at, plate, haulier)
        grouped.setdefault((direction, box.operator), []).append(item)
    return [
        GateReport(
            f"{reference}{'I' if direction is MoveKind.GATE_IN else 'O'}{operator}",
            direction,
            operator,
            tuple(items),
            issued,
        )
        for (direction, operator), items in sorted(grouped.items())
    ]


def on_board(visit_id: str, events: Iterable[MoveEvent]) -> dict[ContainerNumber, BayRowTier]:
    """Who is in which slot of the visit as it sails: ``events`` replayed in order.

    Boxes leaving with the vessel (an event from its slot to outside) stay in it.
    """
    slots: dict[ContainerNumber, BayRowTier] = {}
    for event in events:
        src, dst = event.from_place, event.to_place
        if isinstance(src, VesselPlace) and src.visit == visit_id and dst is not None:
            slots.pop(event.container, None)
        if isinstance(dst, VesselPlace) and dst.visit == visit_id:
            slots[event.container] = dst.slot
    return slots


def departure_plan(
    visit: VesselVisit,
    slots: Mapping[ContainerNumber, BayRowTier],
    containers: Mapping[ContainerNumber, Container],
    *,
    port: UnLocode,
    document_number: str,
    prepared: datetime,
    departed: datetime | None = None,
    next_port: UnLocode | None = None,
) -> OnBoardPlan:
    """The bay plan a vessel sails with: every box on board (``slots``, see :func:`on_board`)."""
    stowage = tuple(
        Stowed(slot, _container(containers, number))
        for number, slot in sorted(slots.items(), key=lambda item: (item[1], item[0]))
    )
    return OnBoardPlan(
        document_number,
        vessel_name=visit.vessel_name,
        imo_number=visit.imo,
        call_sign=visit.call_sign,
        carrier=visit.operator,
        voyage=visit.voyage_out or visit.voyage_in or visit.id,
        departure_port=port,
        next_port=next_port,
        arrived_at=visit.actual_berthing or visit.actual_arrival,
        departed_at=departed or visit.actual_departure,
        prepared_at=prepared,
        stowage=stowage,
    )


def import_boxes(
    visit_id: str,
    events: Iterable[MoveEvent],
    on_board: Mapping[ContainerNumber, BayRowTier],
    containers: Mapping[ContainerNumber, Container],
    port: UnLocode,
) -> list[ContainerNumber]:
    """The call's import boxes: those discharged from it, and those on board for ``port``.

    In number order; a box on board whose master data are missing is an error.
    """
    found = {
        e.container
        for e in events
        if isinstance(e.from_place, VesselPlace)
        and e.from_place.visit == visit_id
        and e.to_place is not None
        and not (isinstance(e.to_place, VesselPlace) and e.to_place.visit == visit_id)
    }
    for number in on_board:
        if _container(containers, number).port_of_discharge == port:
            found.add(number)
    return sorted(found, key=str)


def cargo_report(
    visit: VesselVisit,
    boxes: Sequence[Container],
    consignments: Iterable[Consignment],
    *,
    port: UnLocode,
    reference: str,
    issued: datetime,
) -> CargoReport:
    """The cargo report to customs of ``boxes`` (a call's import boxes, see :func:`import_boxes`).

    Every box is reported as equipment; the ``consignments`` the terminal knows
    (from the lines' cargo reports) are reported with the goods items in these
    boxes, the others left out. The report's reference is ``reference``.
    """
    numbers = {box.number for box in boxes}
    kept: dict[str, Consignment] = {}
    for consignment in consignments:
        goods = []
        for item in consignment.goods:
            inside = tuple(n for n in item.containers if n in numbers)
            if inside:
                goods.append(
                    GoodsItem(
                        inside, item.description,
                        item.gross_weight_kg if inside == item.containers else None,
                        item.packages if inside == item.containers else None,
                        item.package_type if inside == item.containers else None,
                    )
                )  # fmt: skip
        if goods:
            kept[consignment.bill_of_lading] = Consignment(
                consignment.bill_of_lading, tuple(goods), consignment.shipper, consignment.consignee
            )
    return CargoReport(
        reference,
        vessel_call(visit, port, MoveKind.DISCHARGE),
        tuple(
            CargoEquipment(box.number, box.iso_type, box.full_empty, CargoFlow.IMPORT, box.seals)
            for box in boxes
        ),
        tuple(kept.values()),
        visit.actual_arrival or visit.planned_arrival,
        issued,
    )
