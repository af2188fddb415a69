"""The automatic stowage problem: a vessel, what is on board, the load list; and the plan.

The rules a plan keeps are in ``docs/stowage.md``; :mod:`.solver` makes plans and
:mod:`.validate` checks them. A problem is checked whole when it is built: every
error names the container, slot or port at fault.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Self

from opentos.errors import DomainError, InvalidValue
from opentos.model.container import Container
from opentos.model.dictread import DictReader
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.slots import BayRowTier
from opentos.model.vessel import JsonValue, VesselProfile

NO_VGM = "no VGM"
"""Reason for refusing a load-list box without a verified gross mass."""
NO_ROOM = "no room"
"""Reason for a box the planner could not place without breaking a hard rule."""


@dataclass(frozen=True, slots=True)
class StabilityLimits:
    """Limits of the loaded condition (see ``docs/stowage.md``)."""

    min_gm_m: float = 1.0
    max_trim_m: float = 2.0
    max_list_deg: float = 1.0

    def __post_init__(self) -> None:
        for name in ("min_gm_m", "max_trim_m", "max_list_deg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InvalidValue(f"stability limit {name} {value!r} is not a positive number")


@dataclass(frozen=True, slots=True)
class Stowed:
    """A box on board and its slot."""

    container: Container
    slot: BayRowTier


@dataclass(frozen=True, slots=True)
class StowageProblem:
    """A load plan to make for ``profile`` at ``port``; see ``docs/stowage.md``.

    Raises
    ------
    InvalidValue
        A port of discharge outside the rotation, a box twice, a slot that does not
        exist or does not take the box, two boxes in one cell, a floating box; the
        message names the box and the slot.
    """

    profile: VesselProfile
    port: UnLocode
    rotation: tuple[UnLocode, ...]
    on_board: tuple[Stowed, ...] = ()
    load: tuple[Container, ...] = ()
    limits: StabilityLimits = field(default_factory=StabilityLimits)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rotation", tuple(self.rotation))
        object.__setattr__(self, "on_board", tuple(self.on_board))
        object.__setattr__(self, "load", tuple(self.load))
        if not self.rotation:
            raise InvalidValue("the rotation (next ports of call) is empty")
        if len(set(self.rotation)) != len(self.rotation):
            raise InvalidValue(f"the rotation {[str(p) for p in self.rotation]} repeats a port")
        if self.port in self.rotation:
            raise InvalidValue(f"the rotation includes the port of loading {self.port}")
        seen: set[ContainerNumber] = set()
        for where, box in self._all_boxes():
            n = box.number
            if n in seen:
                raise InvalidValue(f"container {n} appears twice ({where})")
            seen.add(n)
            pod = box.port_of_discharge
            allowed = self.rotation if where == "load list" else (self.port, *self.rotation)
            if pod is None or pod not in allowed:
                ports = ", ".join(str(p) for p in allowed)
                raise InvalidValue(
                    f"container {n} ({where}): port of discharge {pod} is not one of {ports}"
                )
        taken: dict[tuple[int, int, int], ContainerNumber] = {}
        for s in self.on_board:
            try:
                cells = self.profile.cells(
                    s.slot.bay, s.slot.row, s.slot.tier, s.container.length_ft
                )
            except DomainError as exc:
                raise InvalidValue(f"container {s.container.number} on board: {exc}") from None
            for cell in cells:
                other = taken.get(cell)
                if other is not None:
                    raise InvalidValue(
                        f"containers {other} and {s.container.number} on board both take cell "
                        f"{BayRowTier(*cell)}"
                    )
                taken[cell] = s.container.number
        for s in self.on_board:
            for cell in self.profile.cells(
                s.slot.bay, s.slot.row, s.slot.tier, s.container.length_ft
            ):
                below = self.profile.below(cell)
                if below is not None and below not in taken:
                    raise InvalidValue(
                        f"container {s.container.number} on board at {s.slot} floats: cell "
                        f"{BayRowTier(*below)} below it is empty"
                    )

    def _all_boxes(self) -> Iterator[tuple[str, Container]]:
        for s in self.on_board:
            yield f"on board at {s.slot}", s.container
        for c in self.load:
            yield "load list", c

    def order(self, port: UnLocode | None) -> int:
        """Discharge order of ``port``: -1 for this port, 0 for the first of the rotation."""
        if port == self.port:
            return -1
        try:
            return self.rotation.index(port)
        except ValueError:
            raise InvalidValue(f"port {port} is not in the rotation") from None

    @property
    def discharge(self) -> tuple[Stowed, ...]:
        """On-board boxes discharged here."""
        return tuple(s for s in self.on_board if s.container.port_of_discharge == self.port)

    @property
    def restows(self) -> tuple[Stowed, ...]:
        """Boxes staying on board that stand above a box discharged here.

        They come off the ship to free the box below and are stowed again: the
        plan places them like load-list boxes (and cannot refuse them).
        """
        gone = {
            cell
            for s in self.discharge
            for cell in self.profile.cells(*_brt(s.slot), s.container.length_ft)
        }
        out: list[Stowed] = []
        for s in self._staying():
            for cell in self.profile.cells(*_brt(s.slot), s.container.length_ft):
                below = self.profile.below(cell)
                while below is not None and below not in gone:
                    below = self.profile.below(below)
                if below is not None:
                    out.append(s)
                    break
        return tuple(out)

    @property
    def remaining(self) -> tuple[Stowed, ...]:
        """On-board boxes that stay where they are: neither discharged nor restowed."""
        restow = {s.container.number for s in self.restows}
        return tuple(s for s in self._staying() if s.container.number not in restow)

    @property
    def to_place(self) -> tuple[Container, ...]:
        """The boxes the plan places: the load list, then the restows."""
        return self.load + tuple(s.container for s in self.restows)

    def _staying(self) -> Iterator[Stowed]:
        return (s for s in self.on_board if s.container.port_of_discharge != self.port)

    # --- plain form ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain JSON-compatible form; :meth:`from_dict` reads it back."""
        return {
            "profile": self.profile.to_dict(),
            "port": str(self.port),
            "rotation": [str(p) for p in self.rotation],
            "limits": {
                "min_gm_m": self.limits.min_gm_m,
                "max_trim_m": self.limits.max_trim_m,
                "max_list_deg": self.limits.max_list_deg,
            },
            "on_board": [
                {"slot": str(s.slot), "container": s.container.to_dict()} for s in self.on_board
            ],
            "load": [c.to_dict() for c in self.load],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Read :meth:`to_dict`'s form; errors name the key path."""
        r = DictReader(data, label="stowage problem")
        limits = r.dict_("limits")
        try:
            profile = VesselProfile.from_dict(_mapping(r.raw("profile")))
        except InvalidValue as exc:
            raise InvalidValue(f"stowage problem: profile: {exc}") from None
        on_board = []
        for item in r.dict_list("on_board"):
            slot = item.parsed("slot", BayRowTier.parse)
            on_board.append(Stowed(_container(item, "container"), slot))
        return cls(
            profile=profile,
            port=r.parsed("port", UnLocode.parse),
            rotation=tuple(UnLocode.parse(str(p)) for p in r.list_("rotation")),
            on_board=tuple(on_board),
            load=tuple(_container(r, "load", i) for i in range(len(r.list_("load")))),
            limits=StabilityLimits(
                limits.float_("min_gm_m"),
                limits.float_("max_trim_m"),
                limits.float_("max_list_deg"),
            ),
        )


@dataclass(frozen=True, slots=True)
class StowagePlan:
    """Where each loaded box goes, and which boxes were refused and why."""

    placements: tuple[tuple[ContainerNumber, BayRowTier], ...]
    refused: tuple[tuple[ContainerNumber, str], ...] = ()
    ballast: tuple[tuple[str, float], ...] = ()
    """Tonnes of ballast water per tank group (``aft``, ``mid``, ``fwd``, ``port``, ``stbd``)."""

    def slot_of(self) -> dict[ContainerNumber, BayRowTier]:
        """Placements as a dictionary."""
        return dict(self.placements)

    def to_dict(self) -> dict[str, JsonValue]:
        """Plain JSON form: slots as ``BBBRRTT`` text."""
        return {
            "placements": [{"container": str(n), "slot": str(s)} for n, s in self.placements],
            "refused": [{"container": str(n), "reason": why} for n, why in self.refused],
            "ballast_t": dict(self.ballast),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Read :meth:`to_dict`'s form."""
        r = DictReader(data, label="stowage plan")
        ballast = r.dict_("ballast_t")
        return cls(
            placements=tuple(
                (p.parsed("container", ContainerNumber.parse), p.parsed("slot", BayRowTier.parse))
                for p in r.dict_list("placements")
            ),
            refused=tuple(
                (p.parsed("container", ContainerNumber.parse), p.str_("reason"))
                for p in r.dict_list("refused")
            ),
            ballast=tuple((tank, ballast.float_(tank)) for tank in sorted(map(str, ballast.data))),
        )


def _brt(slot: BayRowTier) -> tuple[int, int, int]:
    return slot.bay, slot.row, slot.tier


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidValue(f"expected an object, got {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def _container(r: DictReader, key: str, index: int | None = None) -> Container:
    """The container at ``key`` (or ``key[index]``); errors gain the key path."""
    raw = r.raw(key)
    where = r.at(key)
    if index is not None:
        assert isinstance(raw, list)
        raw, where = raw[index], f"{where}[{index}]"
    try:
        return Container.from_dict(_mapping(raw))
    except InvalidValue as exc:
        raise InvalidValue(f"{where}: {exc}") from None


def weight_kg(container: Container) -> int:
    """The mass a plan counts for a box: its VGM, else its gross mass, else its tare."""
    w = container.weight_for_planning_kg
    if w is None:
        w = container.tare_kg
    if w is None:
        raise InvalidValue(f"container {container.number} has no VGM, gross mass or tare")
    return w


def final_state(problem: StowageProblem, plan: StowagePlan) -> list[Stowed]:
    """The remaining on-board boxes plus the placed ones (loads and restows) at their slots.

    Raises
    ------
    InvalidValue
        The plan places a box that is not on the load list.
    """
    by_number = {c.number: c for c in problem.to_place}
    out = list(problem.remaining)
    for number, slot in plan.placements:
        box = by_number.get(number)
        if box is None:
            raise InvalidValue(
                f"the plan places {number}, which is neither on the load list nor a restow"
            )
        out.append(Stowed(box, slot))
    return out
