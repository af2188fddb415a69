"""Writing the terminal's messages from the ledger: COARRI, CODECO, departure BAPLIE, CUSCAR."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from opentos.edi.messages import coarri, codeco, cuscar
from opentos.edi.messages.baplie import VERSIONS, baplie_interchange
from opentos.edi.messages.equipment import message_interchange, spec_for
from opentos.edi.outbound import (
    cargo_report,
    departure_plan,
    gate_reports,
    handling_reports,
    import_boxes,
)
from opentos.errors import InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.customs import Consignment
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


_PREFIXES = {"baplie": "BAP", "coarri": "COA", "codeco": "COD", "cuscar": "CUS"}
_CANONICAL_REFERENCE = "REF"
_CANONICAL_TIME = datetime(2000, 1, 1, tzinfo=UTC)
"""The reference and time every export is first written with, to digest its content alone."""

Render = Callable[[str, datetime], str]


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
    """The interchange text of ``kind`` (coarri, codeco, baplie, cuscar) from the store's ledger.

    Its UNB reference is kept in the store (:meth:`Store.export_reference`): the same
    message, version and content exported again gets the reference and preparation
    time it had the first time, so the interchange is the same byte for byte; anything
    else gets a new reference (``BAP``, ``COA``, ``COD`` or ``CUS`` + a number).
    """
    now = prepared or datetime.now(UTC)
    if kind not in _PREFIXES:
        raise InvalidValue(f"cannot export {kind!r}: coarri, codeco, baplie or cuscar")
    message, chosen, render = _renderer(
        store, kind, visit=visit, version=version, sender=sender, recipient=recipient,
        next_port=next_port,
    )  # fmt: skip
    canonical = render(_CANONICAL_REFERENCE, _CANONICAL_TIME)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    record = store.export_reference(message, chosen, visit, digest, _PREFIXES[kind], now)
    return render(record.reference, record.exported_at)


def _renderer(
    store: Store,
    kind: str,
    *,
    visit: str | None,
    version: str | None,
    sender: str,
    recipient: str | None,
    next_port: str | None,
) -> tuple[str, str, Render]:
    """The message type, version and a function writing it with a reference and time."""
    port = UnLocode.parse(store.layout.un_locode)
    if kind == "baplie":
        vessel = _vessel_visit(store, visit, kind)
        slots = {n: p.slot for n, p in store.on_visit(vessel.id) if isinstance(p, VesselPlace)}
        chosen = version or "2.2"
        if chosen not in VERSIONS:
            raise InvalidValue(f"BAPLIE version {chosen!r} must be one of {', '.join(VERSIONS)}")
        boxes = store.containers(list(slots))
        to_port = UnLocode.parse(next_port) if next_port else None

        def baplie(reference: str, at: datetime) -> str:
            plan = departure_plan(
                vessel, slots, boxes, port=port, document_number=reference, prepared=at,
                departed=vessel.actual_departure or vessel.planned_departure or at,
                next_port=to_port,
            )  # fmt: skip
            return baplie_interchange(
                plan, sender=sender, recipient=recipient or vessel.operator,
                reference=reference, prepared=at, version=chosen,
            )  # fmt: skip

        return "BAPLIE", chosen, baplie
    if kind == "cuscar":
        return _cuscar(store, port, visit, version, sender, recipient)
    if kind == "coarri":
        vessel = _vessel_visit(store, visit, kind)
        written = version or "D00B"
        spec_for(coarri.SPECS, written)  # refuses an unknown version before any work
        events = store.events(place_prefix=f"vessel:{vessel.id}:")
        masters = _masters(store, events)
        if not handling_reports(
            vessel,
            events,
            masters,
            port=port,
            reference=_CANONICAL_REFERENCE,
            issued=_CANONICAL_TIME,
        ):
            raise NotFound(f"visit {vessel.id} has no discharges or loads in the ledger")
        to = recipient or vessel.operator

        def coarri_text(reference: str, at: datetime) -> str:
            reports = handling_reports(
                vessel, events, masters, port=port, reference=reference, issued=at
            )
            bodies = [coarri.write_coarri(r, written) for r in reports]
            return message_interchange(
                coarri.SPECS,
                written,
                bodies,
                sender=sender,
                recipient=to,
                reference=reference,
                prepared=at,
            )

        return "COARRI", written, coarri_text
    written = version or "D00B"
    spec_for(codeco.SPECS, written)  # refuses an unknown version before any work
    trucks: set[str] | None = None
    plates: dict[str, tuple[str, str | None]] = {}
    if visit is not None:
        truck_visit = store.visit(visit)
        if not isinstance(truck_visit, TruckVisit):
            raise InvalidValue(f"visit {visit!r} is not a truck visit")
        trucks = {truck_visit.id, truck_visit.licence_plate}
        plates[truck_visit.id] = (truck_visit.licence_plate, truck_visit.haulier)
    gate_events = [
        e for e in store.events(from_or_to_outside=True) if trucks is None or _truck_of(e) in trucks
    ]
    gate_masters = _masters(store, gate_events)
    found = gate_reports(
        gate_events,
        gate_masters,
        reference=_CANONICAL_REFERENCE,
        issued=_CANONICAL_TIME,
        trucks=plates,
    )
    if not found:
        raise NotFound("no gate moves in the ledger" + (f" for {visit}" if visit else ""))
    to = recipient or (found[0].operator if len({r.operator for r in found}) == 1 else "LINES")

    def codeco_text(reference: str, at: datetime) -> str:
        reports = gate_reports(
            gate_events, gate_masters, reference=reference, issued=at, trucks=plates
        )
        bodies = [codeco.write_codeco(r, written) for r in reports]
        return message_interchange(
            codeco.SPECS,
            written,
            bodies,
            sender=sender,
            recipient=to,
            reference=reference,
            prepared=at,
        )

    return "CODECO", written, codeco_text


def _cuscar(
    store: Store,
    port: UnLocode,
    visit: str | None,
    version: str | None,
    sender: str,
    recipient: str | None,
) -> tuple[str, str, Render]:
    """The cargo report of a call's import boxes, with the B/Ls of the lines' CUSCARs kept."""
    vessel = _vessel_visit(store, visit, "cuscar")
    spec = spec_for(cuscar.SPECS, version or "D95B")
    slots = {n: p.slot for n, p in store.on_visit(vessel.id) if isinstance(p, VesselPlace)}
    events = store.events(place_prefix=f"vessel:{vessel.id}:")
    masters = store.containers(sorted({e.container for e in events} | set(slots), key=str))
    numbers = import_boxes(vessel.id, events, slots, masters, port)
    if not numbers:
        raise NotFound(f"visit {vessel.id} has no import boxes (discharged or on board for {port})")
    boxes = [masters[n] for n in numbers if n in masters]
    consignments = [
        Consignment.from_dict(c)
        for doc in store.documents("cargo_report", vessel.id)
        for c in _consignment_dicts(doc)
    ]
    to = recipient or "CUSTOMS"

    def cuscar_text(reference: str, at: datetime) -> str:
        report = cargo_report(
            vessel, boxes, consignments, port=port, reference=reference, issued=at
        )
        return cuscar.cuscar_interchange(
            report, sender=sender, recipient=to, reference=reference, prepared=at,
            version=spec.version,
        )  # fmt: skip

    return "CUSCAR", spec.version, cuscar_text


def _consignment_dicts(doc: object) -> list[dict[str, object]]:
    found = doc.get("consignments") if isinstance(doc, dict) else None
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _masters(store: Store, events: Sequence[MoveEvent]) -> dict[ContainerNumber, Container]:
    """Master data of the containers the events move."""
    return store.containers(sorted({e.container for e in events}))


def _truck_of(event: MoveEvent) -> str | None:
    for place in (event.from_place, event.to_place):
        if isinstance(place, EquipmentPlace):
            return place.equipment
    return None
