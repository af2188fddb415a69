"""Interchanges in and out: importing a read interchange in one transaction, writing the
terminal's messages from the ledger.

What :func:`import_document` does with each message:

- BAPLIE: the containers' master data are registered (or updated), and each
  container not yet on board is placed in its slot on the vessel visit (a
  ledger ARRIVE event at the message's time). A container already in that slot
  is left as it is; one elsewhere in the terminal is an error.
- VERMAS: the verified gross mass is set on known containers.
- COPRAR, COPARN, MOVINS, COPINO: the orders, bookings, releases, stowage
  instructions and truck pre-notifications are kept as documents (the latest
  of each reference wins), and the containers COPRAR names are registered with
  the line's data (COPINO registers nothing: a haulier is not the line).
- IFTSAI: the schedule's call at the terminal's port (the layout's UN/LOCODE,
  or ``port``) creates the planned vessel visit, or updates the planned arrival
  and departure of the visit of that vessel and voyage while it is planned.
  A new visit takes the vessel class of an earlier visit of the same vessel,
  else ``vessel_class`` (a standard class); without either it is refused.
- CUSRES: each customs decision is kept as a document by its reference (the
  latest version of a reference wins), with the status it gives each container;
  holds and releases are not applied here.
- CUSCAR: a line's cargo report is kept as a document of the vessel visit (found
  as for COPRAR), so that the terminal's own CUSCAR can carry its B/Ls and goods.
- COARRI and CODECO are what the terminal sends; importing one is refused.

An interchange with any error is refused whole. The same interchange imported
again (same sender and reference, same bytes) changes nothing; the same
reference with other content is refused.

:func:`export_interchange` writes COARRI, CODECO, the departure BAPLIE and the
import CUSCAR from the ledger; the same content exported again is the same
interchange, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from opentos.edi.api import DecodedMessage, Document, read_document
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
from opentos.edi.problems import DEFAULT_MAX_PROBLEMS, DEFAULT_MAX_SEGMENTS, Severity
from opentos.errors import DomainError, EdiError, IllegalMove, InvalidValue, NotFound
from opentos.model.container import Container
from opentos.model.customs import CargoReport, Consignment, CustomsResponse
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.ledger import MoveEvent
from opentos.model.onboard import OnBoardPlan
from opentos.model.orders import Booking, LoadDischargeOrder
from opentos.model.places import EquipmentPlace, VesselPlace
from opentos.model.prenotification import PreNotification
from opentos.model.schedule import Schedule, planned_visits
from opentos.model.slots import BayRowTier
from opentos.model.stowage_instructions import StowageInstructions, VesselIdKind
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import standard_class
from opentos.model.vgm import VgmDeclaration, apply_vgm
from opentos.model.visits import TruckVisit, VesselVisit, VisitPhase
from opentos.storage.store import Store, Transaction


@dataclass(slots=True)
class ImportSummary:
    """What an import did."""

    key: str
    already_imported: bool = False
    containers: int = 0
    placed: int = 0
    bundled: int = 0
    vgm: int = 0
    documents: list[str] = field(default_factory=list)
    visits: list[str] = field(default_factory=list)
    """Vessel visits a schedule created or changed: ``V1 created``, ``V1 updated``."""

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "already_imported": self.already_imported,
            "containers": self.containers,
            "placed": self.placed,
            "bundled": self.bundled,
            "vgm": self.vgm,
            "documents": list(self.documents),
            "visits": list(self.visits),
        }


@dataclass(frozen=True, slots=True)
class _Options:
    visit_id: str | None
    port: UnLocode | None
    vessel_class: str | None


def import_document(
    store: Store,
    document: Document,
    *,
    visit_id: str | None = None,
    at: datetime | None = None,
    port: UnLocode | None = None,
    vessel_class: str | None = None,
) -> ImportSummary:
    """Apply ``document`` whole or not at all; see the module docstring.

    ``port`` is the terminal's UN/LOCODE for schedules (default: the layout's);
    ``vessel_class`` the standard class of vessels a schedule brings that the
    terminal has no visit of.
    """
    options = _Options(visit_id, port, vessel_class)
    if document.errors:
        raise EdiError(document.interchange.problems.source, [str(p) for p in document.errors])
    when = at or datetime.now(UTC)
    summary = ImportSummary(document.key)
    source = document.interchange.problems.source
    with store.transaction() as tx:
        seen = tx.interchange(document.key)
        if seen is not None:
            if seen.digest != document.digest:
                raise EdiError(
                    source,
                    [
                        f"interchange {document.key} was imported on "
                        f"{seen.imported_at:%Y-%m-%d %H:%M} UTC with other content; "
                        "a corrected interchange needs a new reference"
                    ],
                )
            summary.already_imported = True
            return summary
        for message in document.messages:
            _apply(tx, store, document, message, options, when, summary, source)
        tx.record_interchange(
            document.key,
            document.digest,
            ",".join(m.header.type for m in document.messages)[:200],
            when,
            summary.to_dict(),
        )
    return summary


@dataclass(frozen=True, slots=True)
class InterchangeImport:
    """An interchange read and imported: what the import did, and the problems a lenient
    reading let pass."""

    summary: ImportSummary
    warnings: tuple[str, ...]


def import_interchange(
    store: Store,
    data: bytes | str,
    *,
    source: str = "interchange",
    strict: bool = True,
    visit_id: str | None = None,
    at: datetime | None = None,
    port: UnLocode | None = None,
    vessel_class: str | None = None,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> InterchangeImport:
    """Read ``data`` (an EDIFACT interchange named ``source``) and apply it with
    :func:`import_document`: whole or not at all, once only.

    A ``strict`` reading makes every problem an error and stops at the first; a
    lenient one refuses an interchange with errors only, and answers its warnings.

    Raises
    ------
    EdiError
        The interchange breaks the syntax, a message's structure or its guide (or a
        strict reading found a warning), a reading limit was reached, or it cannot be
        applied; the problems name the segment, the element and the value.
    DomainError
        The ledger refuses what the interchange places (a box in two places).
    """
    document = read_document(
        data, strict=strict, source=source, max_problems=max_problems, max_segments=max_segments
    )
    summary = import_document(
        store, document, visit_id=visit_id, at=at, port=port, vessel_class=vessel_class
    )
    warnings = tuple(str(p) for p in document.problems if p.severity is Severity.WARNING)
    return InterchangeImport(summary, warnings)


def _apply(
    tx: Transaction,
    store: Store,
    document: Document,
    message: DecodedMessage,
    options: _Options,
    when: datetime,
    summary: ImportSummary,
    source: str,
) -> None:
    visit_id = options.visit_id
    content = message.content
    kind = message.header.type
    where = f"message {message.header.reference} ({kind})"
    if kind in ("COARRI", "CODECO"):
        raise EdiError(source, [f"{where}: OpenTOS sends {kind}; it does not import it"])
    if isinstance(content, OnBoardPlan):
        _apply_bayplan(tx, store, content, visit_id, when, summary, document, where)
    elif isinstance(content, LoadDischargeOrder):
        visit = _find_visit(
            store, source, where, visit_id, content.vessel.vessel_name,
            content.vessel.voyage, content.vessel.call_sign, content.vessel.imo,
        )  # fmt: skip
        _register(tx, document, [item.container for item in content.items], where)
        summary.containers += len(content.items)
        _document(tx, summary, f"{content.kind}_order", content.reference, visit.id, content)
    elif isinstance(content, Booking):
        _document(tx, summary, str(content.kind.name.lower()), content.reference, None, content)
    elif isinstance(content, PreNotification):
        _document(tx, summary, "pre_notification", content.reference, None, content)
    elif isinstance(content, Schedule):
        port = options.port or UnLocode.parse(store.layout.un_locode)
        _apply_schedule(tx, store, content, port, options.vessel_class, summary, source, where)
    elif isinstance(content, StowageInstructions):
        by_imo = content.vessel_id_kind is VesselIdKind.IMO
        visit = _find_visit(
            store, source, where, visit_id, content.vessel_name, content.voyage,
            None if by_imo else content.vessel_id, content.vessel_id if by_imo else None,
        )  # fmt: skip
        _document(tx, summary, "stowage_instructions", content.message_id, visit.id, content)
    elif isinstance(content, CargoReport):
        vessel = content.vessel
        visit = _find_visit(
            store, source, where, visit_id, vessel.vessel_name, vessel.voyage, vessel.call_sign,
            vessel.imo,
        )  # fmt: skip
        _document(tx, summary, "cargo_report", content.reference, visit.id, content)
    elif isinstance(content, CustomsResponse):
        _document(tx, summary, "customs_response", content.reference, None, content)
    elif isinstance(content, tuple) and all(isinstance(d, VgmDeclaration) for d in content):
        _apply_vgm(tx, store, content, summary, source, where)
    else:
        raise EdiError(source, [f"{where}: nothing to import from it"])


def _document(
    tx: Transaction, summary: ImportSummary, kind: str, reference: str, visit: str | None,
    content: LoadDischargeOrder | Booking | StowageInstructions | PreNotification
    | CargoReport | CustomsResponse,
) -> None:  # fmt: skip
    tx.save_document(kind, reference, visit, dict(content.to_dict()))
    summary.documents.append(f"{kind}:{reference}")


def _find_visit(
    store: Store,
    source: str,
    where: str,
    visit_id: str | None,
    name: str | None,
    voyage: str | None,
    call_sign: str | None,
    imo: str | None,
) -> VesselVisit:
    """The vessel visit named by ``--visit``, else the one matching vessel and voyage."""
    if visit_id is not None:
        try:
            visit = store.visit(visit_id)
        except NotFound:
            raise EdiError(source, [f"{where}: no visit {visit_id!r}"]) from None
        if not isinstance(visit, VesselVisit):
            raise EdiError(source, [f"{where}: visit {visit_id!r} is not a vessel visit"])
        return visit
    matches = [
        v
        for v in store.visits()
        if isinstance(v, VesselVisit)
        and _same_vessel(v, name, call_sign, imo)
        and (not voyage or voyage in (v.voyage_in, v.voyage_out))
    ]
    if len(matches) == 1:
        return matches[0]
    what = f"vessel {name or call_sign or imo or '?'} voyage {voyage or '?'}"
    if not matches:
        raise EdiError(
            source, [f"{where}: no vessel visit for {what}; add the visit or give --visit"]
        )
    ids = ", ".join(v.id for v in matches)
    raise EdiError(source, [f"{where}: {what} matches visits {ids}; give --visit"])


def _same_vessel(
    visit: VesselVisit, name: str | None, call_sign: str | None, imo: str | None
) -> bool:
    if imo and visit.imo:
        return imo == visit.imo
    if call_sign and visit.call_sign:
        return call_sign == visit.call_sign
    return bool(name) and (name or "").strip().upper() == visit.vessel_name.strip().upper()


def _apply_bayplan(
    tx: Transaction,
    store: Store,
    plan: OnBoardPlan,
    visit_id: str | None,
    when: datetime,
    summary: ImportSummary,
    document: Document,
    where: str,
) -> None:
    source = document.interchange.problems.source
    visit = _find_visit(
        store, source, where, visit_id, plan.vessel_name, plan.voyage, plan.call_sign,
        plan.imo_number,
    )  # fmt: skip
    containers = [s.container for s in plan.stowage if s.container is not None]
    _register(tx, document, containers, where)
    summary.containers += len(containers)
    at = plan.prepared_at or when
    events: list[MoveEvent] = []
    taken: set[BayRowTier] = set()
    for stowed in plan.stowage:
        box = stowed.container
        if box is None:
            continue
        if stowed.slot in taken:
            # a bundle (flats stacked as one unit): the ledger tracks it by its first box
            summary.bundled += 1
            continue
        taken.add(stowed.slot)
        place = VesselPlace(visit.id, stowed.slot)
        now = tx.where(box.number)
        if now == place:
            continue
        if now is not None:
            raise EdiError(
                source,
                [
                    _at(
                        document,
                        box.number,
                        f"{box.number} for slot {stowed.slot} is already at {now}",
                    )
                ],
            )
        events.append(MoveEvent(box.number, None, place, at))
    # each stack bottom-up, whatever the file's order: a 40' lands on the 20's under it
    events.sort(key=_stack_order)
    try:
        tx.record(events)
    except IllegalMove as exc:
        if exc.index is None:
            raise
        number = events[exc.index].container
        raise EdiError(source, [_at(document, number, str(exc))]) from None
    summary.placed += len(events)


def _register(
    tx: Transaction, document: Document, containers: Sequence[Container], where: str
) -> None:
    """Register the message's boxes; a refusal names the segment of the box refused."""
    source = document.interchange.problems.source
    try:
        tx.register_many(containers, source=f"EDI {source}, {where}")
    except IllegalMove as exc:
        if exc.index is None:
            raise
        raise EdiError(source, [_at(document, containers[exc.index].number, str(exc))]) from None


def _stack_order(event: MoveEvent) -> tuple[int, str]:
    place = event.to_place
    assert isinstance(place, VesselPlace)
    return place.slot.tier, place._text


def _at(document: Document, number: ContainerNumber, message: str) -> str:
    """``message`` prefixed with the segment that named the container."""
    seg = document.segment_with("EQD", str(number))
    if seg is None:
        return message
    return f"segment {seg.number} (EQD), container {number}: {message}"


def _apply_vgm(
    tx: Transaction,
    store: Store,
    declarations: Sequence[VgmDeclaration],
    summary: ImportSummary,
    source: str,
    where: str,
) -> None:
    known = store.containers([d.container for d in declarations])
    updated: list[Container] = []
    for declaration in declarations:
        box = known.get(declaration.container)
        if box is None:
            raise EdiError(
                source,
                [f"{where}: VGM for {declaration.container}, a container this terminal "
                 "does not know"],
            )  # fmt: skip
        updated.append(apply_vgm(box, declaration))
    tx.register_many(updated, source=f"EDI {source}, {where}")
    summary.vgm += len(updated)


def _apply_schedule(
    tx: Transaction,
    store: Store,
    schedule: Schedule,
    port: UnLocode,
    vessel_class: str | None,
    summary: ImportSummary,
    source: str,
    where: str,
) -> None:
    """Create or update the planned visit of the schedule's call at ``port``."""
    calls = schedule.calls_at(port)
    if not calls:
        return
    vessel = schedule.vessel
    what = f"vessel {vessel.vessel_name} voyage {vessel.voyage}"
    if len(calls) > 1:
        raise EdiError(
            source, [f"{where}: {what} calls at {port} {len(calls)} times; OpenTOS plans one visit"]
        )
    (call,) = calls
    visits = [v for v in store.visits() if isinstance(v, VesselVisit)]
    same = [v for v in visits if _same_vessel(v, vessel.vessel_name, vessel.call_sign, vessel.imo)]
    matches = [v for v in same if vessel.voyage in (v.voyage_in, v.voyage_out)]
    if len(matches) > 1:
        ids = ", ".join(v.id for v in matches)
        raise EdiError(source, [f"{where}: {what} matches visits {ids}; OpenTOS updates one"])
    try:
        if matches:
            visit = matches[0]
            if visit.phase is not VisitPhase.PLANNED:
                return  # the call is under way: its actual times rule, not the schedule
            updated = replace(
                visit,
                planned_arrival=call.eta or visit.planned_arrival,
                planned_departure=call.etd or visit.planned_departure,
            )
            if updated != visit:
                tx.add_visit(updated)
                summary.visits.append(f"{visit.id} updated")
            return
        profile = _profile(same, vessel_class, source, where, vessel.vessel_name)
        (planned,) = planned_visits(schedule, port, profile)
    except DomainError as exc:
        raise EdiError(source, [f"{where}: {what} at {port}: {exc}"]) from None
    if any(v.id == planned.id for v in store.visits()):
        raise EdiError(
            source, [f"{where}: visit {planned.id} exists and is not {what}; rename it first"]
        )
    tx.add_visit(planned)
    summary.visits.append(f"{planned.id} created")


def _profile(
    same_vessel: Sequence[VesselVisit],
    vessel_class: str | None,
    source: str,
    where: str,
    name: str,
) -> VesselProfile:
    """The vessel class of a new visit: the vessel's last visit's, else ``vessel_class``."""
    if same_vessel:
        return max(same_vessel, key=lambda v: v.planned_arrival or _EPOCH).profile
    if vessel_class is None:
        raise EdiError(
            source,
            [f"{where}: the terminal has no visit of vessel {name} to take its vessel class "
             "from; give --vessel-class"],
        )  # fmt: skip
    try:
        return standard_class(vessel_class)
    except NotFound as exc:
        raise EdiError(source, [f"{where}: {exc}"]) from None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- writing the terminal's messages -----------------------------------------------------------


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
    # a truck visit's id is its equipment id in the ledger (operations.moves): report its plate
    plates = {
        v.id: (v.licence_plate, v.haulier) for v in store.visits() if isinstance(v, TruckVisit)
    }
    if visit is not None:
        truck_visit = store.visit(visit)
        if not isinstance(truck_visit, TruckVisit):
            raise InvalidValue(f"visit {visit!r} is not a truck visit")
        trucks = {truck_visit.id, truck_visit.licence_plate}
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
