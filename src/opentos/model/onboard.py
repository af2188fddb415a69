"""A vessel's on-board plan: which box is in which slot as the vessel leaves a port.

An :class:`OnBoardPlan` is what a bay plan (BAPLIE) tells the next port: the
vessel and voyage, the port it left and the port it calls next, and for every
reported slot (ISO 9711 bay-row-tier) the container in it with what the
terminal needs to discharge or restow it: ISO type, operator, full or empty,
weights, ports, reefer set point, dangerous goods and out-of-gauge dimensions.

A slot may hold more than one box (a bundle of flats, two 20-foot boxes
reported at one 40-foot position), so one slot may appear in several
:class:`Stowed` entries. A slot reported without a container (non-container
cargo, or a position the sender reports as empty) is a :class:`Stowed` with
``container=None``; it may carry a description and a weight. Slots that
cannot be used are listed apart: *lost* slots (taken by a box next to them,
an over-width or over-height one) and *blocked* slots (closed for another
reason). The stowage is kept in slot order (bay, row, tier), the order of a
bay plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import InvalidValue
from opentos.model.container import MAX_GROSS_KG, Container, JsonValue
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.slots import BayRowTier

_IMO = re.compile(r"\d{7}")
_CODE = re.compile(r"[A-Z0-9]{1,10}")


class PlanFunction(StrEnum):
    """What the plan does to earlier ones (EDIFACT message function, code list 1225)."""

    ORIGINAL = "9"
    REPLACEMENT = "5"
    ADDITION = "2"
    DELETION = "3"


def _text(what: str, value: object, max_len: int = 35, *, empty: bool = True) -> None:
    if not isinstance(value, str):
        raise InvalidValue(f"{what} {value!r} must be text")
    if value != value.strip() or len(value) > max_len or (not empty and not value):
        raise InvalidValue(
            f"{what} {value!r} must be {'1-' if not empty else 'up to '}{max_len} characters "
            "without surrounding blanks"
        )


def _aware(what: str, value: datetime | None) -> None:
    if value is None:
        return
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidValue(f"{what} {value!r} must be a datetime with a time zone")


def _slot_key(stowed: Stowed) -> tuple[int, int, int]:
    s = stowed.slot
    return (s.bay, s.row, s.tier)


@dataclass(frozen=True, slots=True)
class Stowed:
    """One entry of a bay plan: a slot and the box in it (or none).

    ``handling`` holds the SMDG handling codes given for the box (``HAN`` in
    BAPLIE 3, ``FTX+HAN`` in BAPLIE 2): stow away from heat, on deck only ...
    ``description`` and ``weight_kg`` describe what fills a slot that has no
    container (non-container cargo); a box carries its own weights.
    """

    slot: BayRowTier
    container: Container | None = None
    handling: tuple[str, ...] = ()
    description: str = ""
    weight_kg: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.slot, BayRowTier):
            raise InvalidValue(f"stowed slot {self.slot!r} must be a BayRowTier")
        if self.container is not None and not isinstance(self.container, Container):
            raise InvalidValue(f"slot {self.slot}: {self.container!r} is not a Container")
        handling = tuple(self.handling)
        for code in handling:
            if not isinstance(code, str) or not _CODE.fullmatch(code):
                raise InvalidValue(
                    f"slot {self.slot}: handling code {code!r} must be 1-10 capital letters "
                    "or digits"
                )
        object.__setattr__(self, "handling", handling)
        _text(f"slot {self.slot}: description", self.description, 70)
        weight = self.weight_kg
        if weight is not None:
            if self.container is not None:
                raise InvalidValue(
                    f"slot {self.slot}: weight_kg {weight!r} is for a slot without a container; "
                    f"the weights of {self.container.number} belong to the container"
                )
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int)
                or not (0 < weight <= MAX_GROSS_KG)
            ):
                raise InvalidValue(
                    f"slot {self.slot}: weight_kg {weight!r} must be an integer 1-{MAX_GROSS_KG}"
                )

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-ready dict: slot code, container record (or None), handling, cargo."""
        return {
            "slot": str(self.slot),
            "container": None if self.container is None else self.container.to_dict(),
            "handling": list(self.handling),
            "description": self.description,
            "weight_kg": self.weight_kg,
        }


@dataclass(frozen=True, slots=True)
class OnBoardPlan:
    """A vessel's bay plan as it leaves ``departure_port`` for ``next_port``.

    ``imo_number`` (seven digits) and ``call_sign`` identify the vessel; an
    EDIFACT bay plan carries one of them, the IMO number when both are known.
    ``full`` is False for a partial plan, whose scope (``LOADONLY`` …) is
    ``partial_scope``. Times are aware datetimes: ``arrived_at`` and
    ``departed_at`` at the departure port, ``next_port_eta`` at the next one,
    ``prepared_at`` when the plan was made.
    """

    document_number: str
    vessel_name: str = ""
    imo_number: str | None = None
    call_sign: str | None = None
    carrier: str = ""
    voyage: str = ""
    departure_port: UnLocode | None = None
    next_port: UnLocode | None = None
    arrived_at: datetime | None = None
    departed_at: datetime | None = None
    next_port_eta: datetime | None = None
    prepared_at: datetime | None = None
    function: PlanFunction = PlanFunction.ORIGINAL
    full: bool = True
    partial_scope: str = ""
    stowage: tuple[Stowed, ...] = ()
    lost_slots: tuple[BayRowTier, ...] = ()
    blocked_slots: tuple[BayRowTier, ...] = ()

    def __post_init__(self) -> None:
        _text("document number", self.document_number, empty=False)
        _text("vessel name", self.vessel_name)
        if self.imo_number is not None and (
            not isinstance(self.imo_number, str) or not _IMO.fullmatch(self.imo_number)
        ):
            raise InvalidValue(f"IMO number {self.imo_number!r} must be 7 digits")
        if self.call_sign is not None:
            _text("call sign", self.call_sign, 17, empty=False)
        _text("carrier", self.carrier, 17)
        _text("voyage", self.voyage, 17)
        for name in ("departure_port", "next_port"):
            port = getattr(self, name)
            if port is not None and not isinstance(port, UnLocode):
                raise InvalidValue(f"{name} {port!r} must be a UnLocode")
        _aware("arrived_at", self.arrived_at)
        _aware("departed_at", self.departed_at)
        _aware("next_port_eta", self.next_port_eta)
        _aware("prepared_at", self.prepared_at)
        if isinstance(self.function, PlanFunction):
            function = self.function
        else:
            try:
                function = PlanFunction(self.function)
            except ValueError:
                raise InvalidValue(
                    f"plan function {self.function!r} must be one of "
                    + ", ".join(repr(f.value) for f in PlanFunction)
                ) from None
        object.__setattr__(self, "function", function)
        if not isinstance(self.full, bool):
            raise InvalidValue(f"full {self.full!r} must be True or False")
        _text("partial scope", self.partial_scope)
        if self.full and self.partial_scope:
            raise InvalidValue(
                f"partial scope {self.partial_scope!r} given for a full plan; set full=False"
            )
        self._check_stowage()

    def _check_stowage(self) -> None:
        stowage = tuple(self.stowage)
        for item in stowage:
            if not isinstance(item, Stowed):
                raise InvalidValue(f"stowage holds {item!r}, not a Stowed")
        # A bay plan lists slots in bay-row-tier order; sorted() is stable, so the
        # boxes of one slot keep their order.
        stowage = tuple(sorted(stowage, key=_slot_key))
        object.__setattr__(self, "stowage", stowage)
        where: dict[ContainerNumber, BayRowTier] = {}
        occupied: set[BayRowTier] = set()
        vacant: set[BayRowTier] = set()
        for item in stowage:
            box = item.container
            if box is None:
                if item.slot in vacant:
                    raise InvalidValue(f"slot {item.slot} is reported twice without a container")
                vacant.add(item.slot)
                continue
            occupied.add(item.slot)
            first = where.get(box.number)
            if first is not None:
                raise InvalidValue(
                    f"container {box.number} is stowed twice, in slots {first} and {item.slot}"
                )
            where[box.number] = item.slot
        both = vacant & occupied
        if both:
            slot = min(both)
            raise InvalidValue(f"slot {slot} is reported both without and with a container")
        unusable: dict[BayRowTier, str] = {}
        for name in ("lost_slots", "blocked_slots"):
            slots = tuple(getattr(self, name))
            for slot in slots:
                if not isinstance(slot, BayRowTier):
                    raise InvalidValue(f"{name} holds {slot!r}, not a BayRowTier")
                if slot in unusable:
                    raise InvalidValue(
                        f"slot {slot} is listed twice (in {unusable[slot]} and {name})"
                    )
                unusable[slot] = name
                if slot in occupied:
                    raise InvalidValue(f"slot {slot} is in {name} but holds a container")
            object.__setattr__(self, name, slots)

    @property
    def containers(self) -> Iterator[Container]:
        """Every container on board, in slot order."""
        return (s.container for s in self.stowage if s.container is not None)

    def by_slot(self) -> dict[BayRowTier, tuple[Container, ...]]:
        """The boxes in each reported slot (an empty tuple for a slot without one)."""
        out: dict[BayRowTier, tuple[Container, ...]] = {}
        for item in self.stowage:
            held = out.get(item.slot, ())
            out[item.slot] = (*held, item.container) if item.container is not None else held
        return out

    def slot_of(self) -> Mapping[ContainerNumber, BayRowTier]:
        """The slot of each container on board."""
        return {s.container.number: s.slot for s in self.stowage if s.container is not None}

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-ready dict of the plan: header, every stowed entry, lost and blocked slots."""

        def when(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        def port(value: UnLocode | None) -> str | None:
            return None if value is None else str(value)

        return {
            "document_number": self.document_number,
            "function": self.function.value,
            "full": self.full,
            "partial_scope": self.partial_scope,
            "vessel_name": self.vessel_name,
            "imo_number": self.imo_number,
            "call_sign": self.call_sign,
            "carrier": self.carrier,
            "voyage": self.voyage,
            "departure_port": port(self.departure_port),
            "next_port": port(self.next_port),
            "arrived_at": when(self.arrived_at),
            "departed_at": when(self.departed_at),
            "next_port_eta": when(self.next_port_eta),
            "prepared_at": when(self.prepared_at),
            "stowage": [s.to_dict() for s in self.stowage],
            "lost_slots": [str(s) for s in self.lost_slots],
            "blocked_slots": [str(s) for s in self.blocked_slots],
        }
