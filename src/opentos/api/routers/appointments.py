"""Truck appointments (the vehicle booking system): hauliers book, change and cancel their
own; the gate checks trucks in and the terminal closes appointments; planners set the rules.

Each route calls one function of :mod:`opentos.operations.appointments` (one transaction).
A haulier sees and changes only its own appointments: another's answers 404 as an unknown
one does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from opentos.api.deps import Limit, StoreDep
from opentos.api.problems import WRITE_RESPONSES
from opentos.api.schemas import (
    AppointmentChange,
    AppointmentCheckIn,
    AppointmentCreate,
    AppointmentPublic,
    SlotRulesPublic,
)
from opentos.api.security import allow
from opentos.errors import InvalidValue, NotFound, PermissionDenied
from opentos.model.appointments import Appointment, GateMove, SlotRules
from opentos.model.ids import ContainerNumber
from opentos.operations import appointments as vbs
from opentos.operations.inquiry import MAX_RANGE
from opentos.operations.users import Role, User

router = APIRouter(tags=["appointments"], responses=WRITE_RESPONSES)

Booker = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.HAULIER))]
GateStaff = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE))]
RuleReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.HAULIER))]
RuleSetter = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER))]
AppointmentId = Annotated[str, Path(max_length=40)]


def _public(appointment: Appointment) -> AppointmentPublic:
    return AppointmentPublic.model_validate(appointment.to_dict())


def _haulier_of(user: User) -> str | None:
    """A haulier's own company (it sees only its appointments); ``None`` for terminal staff."""
    if user.role is not Role.HAULIER:
        return None
    if not user.party:
        raise PermissionDenied(f"user {user.name} is a haulier of no company")
    return user.party


def _rules_public(rules: SlotRules) -> SlotRulesPublic:
    return SlotRulesPublic.model_validate(rules.to_dict())


@router.get("/slot-rules", summary="The terminal's slot rules for truck appointments")
def get_slot_rules(_user: RuleReader, store: StoreDep) -> SlotRulesPublic:
    return _rules_public(vbs.slot_rules(store))


@router.put("/slot-rules", summary="Set the terminal's slot rules (appointments booked stay)")
def put_slot_rules(_user: RuleSetter, store: StoreDep, body: SlotRulesPublic) -> SlotRulesPublic:
    return _rules_public(vbs.set_slot_rules(store, SlotRules.from_dict(body.model_dump())))


@router.get("/appointments", summary="Truck appointments by slot (a haulier: its own)")
def list_appointments(
    user: Booker,
    store: StoreDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    state: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 50,
) -> list[AppointmentPublic]:
    start = start or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = end or start + timedelta(days=7)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidValue("from and to need a time zone")
    if not start < end <= start + MAX_RANGE:
        raise InvalidValue(
            f"from {start.isoformat()} to {end.isoformat()} is not a range of at most "
            f"{MAX_RANGE.days} days"
        )
    found = store.appointments(haulier=_haulier_of(user), start=start, end=end)
    return [_public(a) for a in found if state is None or str(a.state) == state][:limit]


@router.post(
    "/appointments",
    status_code=status.HTTP_201_CREATED,
    summary="Book a slot for a truck (checked against the slot rules and each box)",
)
def book(
    user: Booker, store: StoreDep, body: AppointmentCreate, response: Response
) -> AppointmentPublic:
    own = _haulier_of(user)
    if own is not None and body.haulier not in (None, own):
        raise PermissionDenied(f"a haulier books for itself, not for {body.haulier}")
    haulier = own or body.haulier
    if haulier is None:
        raise InvalidValue("name the haulier the appointment is for")
    made = vbs.book(
        store, haulier=haulier, move=GateMove(body.move), slot=body.slot, truck=body.truck,
        driver=body.driver, containers=[ContainerNumber.parse(n) for n in body.containers],
        reference=body.reference, group=body.group, visit=body.visit,
    )  # fmt: skip
    response.headers["Location"] = f"/appointments/{made.id}"
    return _public(made)


@router.get("/appointments/{appointment_id}", summary="One truck appointment")
def get_appointment(
    user: Booker, store: StoreDep, appointment_id: AppointmentId
) -> AppointmentPublic:
    found = store.appointment(appointment_id)
    own = _haulier_of(user)
    if own is not None and found.haulier != own:  # another haulier's: as if unknown
        raise NotFound(f"appointment {appointment_id!r} is not known to this terminal")
    return _public(found)


@router.patch("/appointments/{appointment_id}", summary="Another slot, truck or driver")
def change(
    user: Booker, store: StoreDep, appointment_id: AppointmentId, body: AppointmentChange
) -> AppointmentPublic:
    return _public(
        vbs.change(
            store,
            appointment_id,
            haulier=_haulier_of(user),
            slot=body.slot,
            truck=body.truck,
            driver=body.driver,
        )
    )


@router.delete("/appointments/{appointment_id}", summary="Cancel an appointment (the haulier)")
def cancel(user: Booker, store: StoreDep, appointment_id: AppointmentId) -> AppointmentPublic:
    return _public(vbs.cancel(store, appointment_id, haulier=_haulier_of(user)))


@router.post(
    "/appointments/{appointment_id}/close", summary="Withdraw an appointment (the terminal)"
)
def close(_user: GateStaff, store: StoreDep, appointment_id: AppointmentId) -> AppointmentPublic:
    return _public(vbs.close(store, appointment_id))


@router.post(
    "/appointments/{appointment_id}/check-in",
    summary="A truck at the gate for its appointment (within its tolerance)",
)
def check_in(
    _user: GateStaff, store: StoreDep, appointment_id: AppointmentId, body: AppointmentCheckIn
) -> AppointmentPublic:
    return _public(vbs.arrive(store, appointment_id, body.at or datetime.now(UTC)))
