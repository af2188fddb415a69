"""Truck pre-notifications: a haulier announces a truck that delivers or picks up boxes (COPINO).

A :class:`PreNotification` names the truck (licence plate, haulier, driver), when
it comes (a planned arrival and/or a time window) and, per box, a
:class:`PreNotifiedItem`: a named container, or for an empty pick-up only the
size type and the release order it is picked up on. Every type validates
itself on construction and gives a JSON-ready :meth:`to_dict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import InvalidValue
from opentos.model.container import Container, JsonValue
from opentos.model.iso_types import SizeType
from opentos.model.orders import check_aware, check_text, iso_or_none

_OPERATOR = re.compile(r"[A-Z0-9]{1,4}")


class PreNotificationKind(StrEnum):
    """What the truck comes for; values are the COPINO ``BGM`` document codes."""

    DELIVERY = "663"
    """The truck brings the boxes to the terminal (export, empty return)."""
    PICK_UP = "661"
    """The truck takes the boxes away (import, empty release)."""


@dataclass(frozen=True, slots=True)
class PreNotifiedItem:
    """One box the truck delivers or picks up: a known container, or an empty by size type.

    ``container`` holds what the haulier says of a named box (number, type,
    full/empty, weights, seals); ``iso_type`` alone is an unnamed empty the
    terminal chooses on the release order ``release``.
    """

    container: Container | None = None
    iso_type: SizeType | None = None
    booking: str | None = None
    release: str | None = None

    def __post_init__(self) -> None:
        if (self.container is None) == (self.iso_type is None):
            raise InvalidValue(
                "a pre-notified box needs either a container or (for an unnamed empty) "
                "a size type, not both nor neither"
            )
        if self.container is not None and not isinstance(self.container, Container):
            raise InvalidValue(f"pre-notified box {self.container!r} is not a Container")
        if self.iso_type is not None and not isinstance(self.iso_type, SizeType):
            raise InvalidValue(f"pre-notified size type {self.iso_type!r} is not a SizeType")
        what = f"pre-notified {self.label}"
        check_text(f"{what}: booking", self.booking, 35, optional=True)
        check_text(f"{what}: release", self.release, 35, optional=True)
        if self.iso_type is not None and self.release is None:
            raise InvalidValue(f"{what}: an unnamed empty needs its release reference")

    @property
    def label(self) -> str:
        """The container number, or ``empty 22G1`` for an unnamed box."""
        if self.container is not None:
            return str(self.container.number)
        return f"empty {self.iso_type}"

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "container": None if self.container is None else self.container.to_dict(),
            "iso_type": None if self.iso_type is None else self.iso_type.code,
            "booking": self.booking,
            "release": self.release,
        }


@dataclass(frozen=True, slots=True)
class PreNotification:
    """A haulier's announcement of one truck and the boxes it delivers or picks up."""

    reference: str
    kind: PreNotificationKind
    operator: str
    """The line whose boxes these are (``NAD+CA``)."""
    haulier: str
    truck: str
    """The truck's licence plate."""
    items: tuple[PreNotifiedItem, ...]
    driver: str | None = None
    planned_arrival: datetime | None = None
    earliest: datetime | None = None
    """Start of the time window the truck may arrive in."""
    latest: datetime | None = None
    """End of that time window."""
    issued: datetime | None = None

    def __post_init__(self) -> None:
        check_text("pre-notification reference", self.reference, 35)
        what = f"pre-notification {self.reference}"
        kind = self.kind
        if not isinstance(kind, PreNotificationKind):
            try:
                kind = PreNotificationKind(kind)
            except ValueError:
                allowed = ", ".join(k.value for k in PreNotificationKind)
                raise InvalidValue(f"{what}: kind {kind!r} must be one of {allowed}") from None
        object.__setattr__(self, "kind", kind)
        if not isinstance(self.operator, str) or not _OPERATOR.fullmatch(self.operator):
            raise InvalidValue(
                f"{what}: operator {self.operator!r} must be 1-4 capital letters or digits"
            )
        check_text(f"{what}: haulier", self.haulier, 35)
        check_text(f"{what}: truck licence plate", self.truck, 17)
        check_text(f"{what}: driver", self.driver, 35, optional=True)
        for name in ("planned_arrival", "earliest", "latest", "issued"):
            check_aware(f"{what}: {name.replace('_', ' ')}", getattr(self, name))
        self._check_window(what)
        items = tuple(self.items)
        object.__setattr__(self, "items", items)
        if not items:
            raise InvalidValue(f"{what} lists no container")
        seen: set[str] = set()
        for item in items:
            if item.container is None:
                if kind is PreNotificationKind.DELIVERY:
                    raise InvalidValue(
                        f"{what}: a delivery must name its containers ({item.label} is unnamed)"
                    )
                continue
            number = str(item.container.number)
            if number in seen:
                raise InvalidValue(f"{what}: container {number} is listed twice")
            seen.add(number)

    def _check_window(self, what: str) -> None:
        start, end, eta = self.earliest, self.latest, self.planned_arrival
        if start is not None and end is not None and end < start:
            raise InvalidValue(
                f"{what}: time window ends ({end.isoformat()}) before it starts "
                f"({start.isoformat()})"
            )
        if eta is not None and (
            (start is not None and eta < start) or (end is not None and eta > end)
        ):
            raise InvalidValue(
                f"{what}: planned arrival {eta.isoformat()} is outside its time window"
            )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "kind": self.kind.name.lower(),
            "code": self.kind.value,
            "operator": self.operator,
            "haulier": self.haulier,
            "truck": self.truck,
            "driver": self.driver,
            "planned_arrival": iso_or_none(self.planned_arrival),
            "earliest": iso_or_none(self.earliest),
            "latest": iso_or_none(self.latest),
            "issued": iso_or_none(self.issued),
            "items": [item.to_dict() for item in self.items],
        }
