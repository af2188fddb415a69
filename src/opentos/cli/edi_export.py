"""Writing the terminal's messages from the ledger: COARRI, CODECO, departure BAPLIE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from opentos.edi.envelope import MessageHeader, write_interchange
from opentos.edi.messages import coarri, codeco
from opentos.edi.messages.baplie import VERSIONS, baplie_interchange
from opentos.edi.messages.equipment import spec_for
from opentos.edi.outbound import departure_plan, gate_reports, handling_reports
from opentos.edi.structure import MessageSpec
from opentos.edi.syntax import Segment
from opentos.errors import InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.visits import TruckVisit, VesselVisit
from opentos.storage.store import Store


def _vessel_visit(store: Store, visit_id: str | None, kind: str) -> VesselVisit:
    if visit_id is None:
        raise InvalidValue(f"{kind.upper()} needs --visit (a vessel visit)")
    visit = store.visit(visit_id)
    if not isinstance(visit, VesselVisit):
        raise InvalidValue(f"visit {visit_id!r} is a {visit.kind} visit, not a vessel visit")
    return visit


def _header(spec: MessageSpec, number: int) -> MessageHeader:
    return MessageHeader(
        str(number), spec.type, spec.version[0], spec.version[1:], "UN",
        spec.association.split("|")[0],
    )  # fmt: skip


def export_interchange(
    store: Store,
    kind: str,
    *,
    visit: str | None,
    version: str | None,
    sender: str,
    recipient: str | None,
    next_port: str | None,
    prepared: datetime | None = None,
) -> str:
    """The interchange text of ``kind`` (coarri, codeco, baplie) from the store's ledger."""
    now = prepared or datetime.now(UTC)
    port = UnLocode.parse(store.layout.un_locode)
    head = store.head()
    reference = f"{kind[:2].upper()}{head}"[:14]
    if kind == "baplie":
        vessel = _vessel_visit(store, visit, kind)
        slots = {n: p.slot for n, p in store.on_visit(vessel.id) if isinstance(p, VesselPlace)}
        chosen = version or "2.2"
        if chosen not in VERSIONS:
            raise InvalidValue(f"BAPLIE version {chosen!r} must be one of {', '.join(VERSIONS)}")
        plan = departure_plan(
            vessel,
            slots,
            store.containers(list(slots)),
            port=port,
            document_number=reference,
            prepared=now,
            departed=vessel.actual_departure or vessel.planned_departure or now,
            next_port=UnLocode.parse(next_port) if next_port else None,
        )
        return baplie_interchange(
            plan,
            sender=sender,
            recipient=recipient or vessel.operator,
            reference=reference,
            prepared=now,
            version=chosen,
        )
    if kind == "coarri":
        vessel = _vessel_visit(store, visit, kind)
        spec = spec_for(coarri.SPECS, version or "D00B")
        events = store.events(place_prefix=f"vessel:{vessel.id}:")
        reports = handling_reports(
            vessel, events, _masters(store, events), port=port, reference=reference, issued=now
        )
        if not reports:
            raise NotFound(f"visit {vessel.id} has no discharges or loads in the ledger")
        bodies = [coarri.write_coarri(r, spec.version) for r in reports]
        to = recipient or vessel.operator
    elif kind == "codeco":
        spec = spec_for(codeco.SPECS, version or "D00B")
        trucks: set[str] | None = None
        plates: dict[str, tuple[str, str | None]] = {}
        if visit is not None:
            truck_visit = store.visit(visit)
            if not isinstance(truck_visit, TruckVisit):
                raise InvalidValue(f"visit {visit!r} is not a truck visit")
            trucks = {truck_visit.id, truck_visit.licence_plate}
            plates[truck_visit.id] = (truck_visit.licence_plate, truck_visit.haulier)
        events = [
            e
            for e in store.events(from_or_to_outside=True)
            if trucks is None or _truck_of(e) in trucks
        ]
        gate = gate_reports(
            events,
            _masters(store, events),
            reference=reference,
            issued=now,
            trucks=plates,
        )
        if not gate:
            raise NotFound("no gate moves in the ledger" + (f" for {visit}" if visit else ""))
        bodies = [codeco.write_codeco(r, spec.version) for r in gate]
        to = recipient or (gate[0].operator if len({r.operator for r in gate}) == 1 else "LINES")
    else:
        raise InvalidValue(f"cannot export {kind!r}: coarri, codeco or baplie")
    return _interchange(spec, bodies, sender, to, reference, now)


def _masters(store: Store, events: Sequence[MoveEvent]) -> dict[ContainerNumber, Container]:
    """Master data of the containers the events move."""
    return store.containers(sorted({e.container for e in events}))


def _truck_of(event: MoveEvent) -> str | None:
    for place in (event.from_place, event.to_place):
        if isinstance(place, EquipmentPlace):
            return place.equipment
    return None


def _interchange(
    spec: MessageSpec,
    bodies: Sequence[list[Segment]],
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
) -> str:
    messages = [(_header(spec, i), body) for i, body in enumerate(bodies, start=1)]
    return write_interchange(
        messages, sender=sender, recipient=recipient, reference=reference, prepared=prepared
    )
