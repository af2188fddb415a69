"""Truck appointments as the terminal takes them: the slot rules, booking, changes, cancel,
close, check-in and no-shows, each one transaction.

A booking is checked against the slot rules (:func:`opentos.model.appointments.check_booking`,
with the slot's appointments read in the same transaction, so that two hauliers asking for
the last place of a slot cannot both have it: writers are serialised, and the second is
checked again against the first) and against what the terminal knows of each box:

- a pick-up (import or empty) names a box in the terminal, on no hold; an empty pick-up's
  box is empty; the yard block it stands in counts against the block's quota;
- a delivery (export or empty) names a box registered (booked) and not in the terminal
  yet; an export has its VGM, is not of an IMDG class the terminal refuses, and comes
  before its vessel's cut-off (``export_cutoff`` before the planned arrival);
- a delivery or an empty pick-up may name only a booking or release reference.

A haulier sees and changes only its own appointments; another's answers as an unknown one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from opentos.errors import BookingRefused, IllegalTransition, NotFound
from opentos.model.appointments import (
    Appointment,
    AppointmentState,
    GateMove,
    SlotRules,
    check_booking,
    check_in,
)
from opentos.model.container import FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.places import YardPlace
from opentos.model.visits import VesselVisit
from opentos.storage.store import Store, Transaction

RULES = ("slot_rules", "terminal")
"""The document (kind, reference) that holds the terminal's :class:`SlotRules`."""

PICK_UPS = frozenset({GateMove.PICK_UP_IMPORT, GateMove.PICK_UP_EMPTY})


def set_slot_rules(store: Store, rules: SlotRules) -> SlotRules:
    """Make ``rules`` the terminal's slot rules (appointments already booked stay)."""
    with store.transaction() as tx:
        tx.save_document(*RULES, None, dict(rules.to_dict()))
    return rules


def slot_rules(store: Store) -> SlotRules:
    """The terminal's slot rules.

    Raises
    ------
    NotFound
        The terminal has set none: it takes no appointments yet.
    """
    with store.transaction() as tx:
        return _rules(tx)


def _rules(tx: Transaction) -> SlotRules:
    data = tx.document(*RULES)
    if data is None:
        raise NotFound("the terminal has set no slot rules: it takes no appointments yet")
    return SlotRules.from_dict(data)


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now


def _block_of(
    tx: Transaction, rules: SlotRules, appointment: Appointment, number: ContainerNumber
) -> str | None:
    """Check box ``number`` for ``appointment``'s move; the yard block it counts against."""
    what = f"appointment {appointment.id}: container {number}"
    try:
        box = tx.container(number)
    except NotFound:
        raise BookingRefused(f"{what} is not known to this terminal (not booked)") from None
    where = tx.where(number)
    if appointment.move in PICK_UPS:
        if where is None:
            raise BookingRefused(f"{what} is not in the terminal")
        if box.holds:
            kinds = ", ".join(sorted(str(h.kind) for h in box.holds))
            raise BookingRefused(f"{what} is on hold ({kinds}); it cannot be picked up")
        if appointment.move is GateMove.PICK_UP_EMPTY and box.full_empty is not FullEmpty.EMPTY:
            raise BookingRefused(f"{what} is full; an empty pick-up takes an empty box")
        return where.slot.block if isinstance(where, YardPlace) else None
    if where is not None:
        raise BookingRefused(f"{what} is already in the terminal")
    if appointment.move is GateMove.DELIVER_EXPORT:
        if box.vgm_kg is None:
            raise BookingRefused(f"{what} has no verified gross mass (VGM)")
        refused = sorted(
            dg.imdg_class
            for dg in box.dangerous_goods
            if dg.imdg_class.split(".")[0] in rules.refused_imdg_classes
        )
        if refused:
            raise BookingRefused(
                f"{what} carries IMDG class {', '.join(refused)}, which this terminal does not "
                "take into its yard"
            )
    return None


def _check_cutoff(tx: Transaction, rules: SlotRules, appointment: Appointment) -> None:
    if appointment.visit is None:
        return
    visit = tx.visit(appointment.visit)
    if not isinstance(visit, VesselVisit):
        raise BookingRefused(
            f"appointment {appointment.id}: visit {appointment.visit} is not a vessel visit"
        )
    if visit.planned_arrival is None:
        return
    cutoff = visit.planned_arrival - rules.export_cutoff
    if appointment.slot + rules.slot_length > cutoff:
        raise BookingRefused(
            f"appointment {appointment.id}: the cut-off of {visit.id} is "
            f"{cutoff:%Y-%m-%d %H:%M} UTC ({rules.export_cutoff} before its arrival); "
            f"slot {appointment.slot.isoformat()} ends after it"
        )


def _booked(tx: Transaction, appointment: Appointment, now: datetime) -> Appointment:
    """Check ``appointment`` in ``tx`` (boxes, cut-off, slot) and save it with its blocks."""
    rules = _rules(tx)
    blocks = tuple(_block_of(tx, rules, appointment, n) for n in appointment.containers)
    checked = Appointment.from_dict({**appointment.to_dict(), "blocks": list(blocks)})
    if checked.move is GateMove.DELIVER_EXPORT:
        _check_cutoff(tx, rules, checked)
    check_booking(rules, tx.appointments(checked.slot), checked, now)
    tx.save_appointment(checked)
    return checked


def book(
    store: Store,
    *,
    haulier: str,
    move: GateMove,
    slot: datetime,
    truck: str,
    driver: str,
    containers: Sequence[ContainerNumber] = (),
    reference: str | None = None,
    group: str | None = None,
    visit: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a slot for ``haulier``'s truck; the new appointment.

    Raises
    ------
    InvalidValue
        A field is malformed (no time zone, a slot off the grid, no box and no reference).
    BookingRefused
        A box or the slot refuses it (see the module docstring); nothing was booked.
    NotFound
        The terminal has set no slot rules, or ``visit`` is unknown.
    """
    appointment = Appointment(
        id=f"AP-{uuid.uuid4().hex[:12].upper()}", haulier=haulier, truck=truck, driver=driver,
        move=move, slot=slot, containers=tuple(containers), blocks=(None,) * len(containers),
        reference=reference, group=group, visit=visit,
    )  # fmt: skip
    when = _now(now)
    # another booking committed meanwhile: check again against it
    return store.run_with_retry(lambda tx: _booked(tx, appointment, when), attempts=5)


def _own(tx: Transaction, appointment_id: str, haulier: str | None) -> Appointment:
    found = tx.appointment(appointment_id)
    if haulier is not None and found.haulier != haulier:
        raise NotFound(f"appointment {appointment_id!r} is not known to this terminal")
    return found


def change(
    store: Store,
    appointment_id: str,
    *,
    haulier: str | None = None,
    slot: datetime | None = None,
    truck: str | None = None,
    driver: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Move a booked appointment to another slot, or change its truck or driver; checked
    as a new booking (its own place does not count against it).

    Raises
    ------
    NotFound
        No such appointment (or, for ``haulier``, not one of its own).
    IllegalTransition
        It is not booked any more.
    BookingRefused
        The new slot refuses it; the appointment is as it was.
    """
    with store.transaction() as tx:
        found = _own(tx, appointment_id, haulier)
        if found.state is not AppointmentState.BOOKED:
            raise IllegalTransition(
                f"appointment {appointment_id} is {found.state}; only a booked one changes"
            )
        data = found.to_dict()
        if slot is not None:
            data["slot"] = slot.isoformat()
        if truck is not None:
            data["truck"] = truck
        if driver is not None:
            data["driver"] = driver
        return _booked(tx, Appointment.from_dict(data), _now(now))


def _advance(
    store: Store, appointment_id: str, state: AppointmentState, haulier: str | None
) -> Appointment:
    with store.transaction() as tx:
        done = _own(tx, appointment_id, haulier).advance(state)
        tx.save_appointment(done)
    return done


def cancel(store: Store, appointment_id: str, haulier: str | None = None) -> Appointment:
    """The haulier gives up its appointment (its place is free again).

    Raises
    ------
    NotFound
        No such appointment (or not one of ``haulier``'s).
    IllegalTransition
        It is not booked any more.
    """
    return _advance(store, appointment_id, AppointmentState.CANCELLED, haulier)


def close(store: Store, appointment_id: str) -> Appointment:
    """The terminal withdraws an appointment (see :func:`cancel` for the errors)."""
    return _advance(store, appointment_id, AppointmentState.CLOSED, None)


def arrive(store: Store, appointment_id: str, at: datetime) -> Appointment:
    """A truck checks in for its appointment at the gate.

    Raises
    ------
    BookingRefused
        Too early, too late, or the appointment is not booked; nothing changed.
    NotFound
        No such appointment.
    """
    with store.transaction() as tx:
        found = tx.appointment(appointment_id)
        check_in(_rules(tx), found, at)
        done = found.advance(AppointmentState.CHECKED_IN)
        tx.save_appointment(done)
    return done


def mark_no_shows(store: Store, now: datetime | None = None) -> list[Appointment]:
    """Mark every booked appointment whose check-in tolerance has passed as a no-show."""
    now = _now(now)
    with store.transaction() as tx:
        rules = _rules(tx)
        late = rules.slot_length + rules.late
        marked = []
        for found in store.appointments(end=now):
            if found.state is AppointmentState.BOOKED and found.slot + late < now:
                current = tx.appointment(found.id)
                if current.state is AppointmentState.BOOKED:
                    marked.append(current.advance(AppointmentState.NO_SHOW))
                    tx.save_appointment(marked[-1])
    return marked
