"""The one seam between equipment control and machines: orders down, events up.

The ECS sends :data:`Order` objects through an :class:`EquipmentLink`; the
machines (the twin's SimPy processes, or an adapter to real equipment) report
:data:`EquipmentEvent` objects back to the handler the ECS subscribed. The
shapes follow VDA 5050, the industry's standard between a master control and
AGVs: an AGV order is a route of nodes with timed edges and an action at its
end; crane orders name what to pick where and where to put it. Nothing here
knows whether the machines are simulated.

Handovers are rendezvous: an AGV order ends with ``receive`` or ``deliver`` at
a handover node, and the crane meets it there by container number, at any of
the nodes within its reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from opentos.model.ids import ContainerNumber
from opentos.model.places import Place

AgvAction = Literal["receive", "deliver", "charge", "park", "halt"]
"""``halt``: stand still at the last node until repaired (a broken-down AGV)."""


@dataclass(frozen=True, slots=True)
class TimedStep:
    """Be at ``node`` from ``enter_s`` until ``leave_s`` (reached over ``edge_m`` metres)."""

    node: str
    enter_s: float
    leave_s: float
    edge_m: float


@dataclass(frozen=True, slots=True)
class AgvOrder:
    """Drive the route, then do ``action`` at its last node."""

    order_id: str
    agv: str
    steps: tuple[TimedStep, ...]
    action: AgvAction
    container: ContainerNumber | None = None
    instruction: str | None = None
    """The work instruction served, if any."""


@dataclass(frozen=True, slots=True)
class QuayCraneOrder:
    """Discharge ``container`` from ``vessel_place`` to the AGV at ``handover``, or load it.

    ``pair`` makes the main trolley's cycle a dual cycle: it carries this load
    out and brings that discharge back.
    """

    order_id: str
    crane: str
    kind: Literal["discharge", "load"]
    container: ContainerNumber
    vessel_place: Place
    bay_x_m: float
    instruction: str
    dual: bool = False
    """A load whose main-trolley cycle goes on to the next order's discharge slot."""


@dataclass(frozen=True, slots=True)
class YardCraneOrder:
    """Move ``container`` from ``source`` to ``target`` with a block's yard crane.

    Either side may be an AGV at a handover node (``agv_node``): stacking takes
    from it, retrieval puts onto it. A relocation goes yard to yard.
    """

    order_id: str
    crane: str
    kind: Literal["stack", "retrieve", "relocate"]
    container: ContainerNumber
    source: Place
    target: Place
    agv_node: str | None = None
    instruction: str | None = None


@dataclass(frozen=True, slots=True)
class TruckOrder:
    """Send a truck at the gate to a block's landside transfer area."""

    order_id: str
    truck: str
    block: str


Order = AgvOrder | QuayCraneOrder | YardCraneOrder | TruckOrder


@dataclass(frozen=True, slots=True)
class Moved:
    """A machine moved a container (the ledger has recorded it)."""

    at_s: float
    machine: str
    container: ContainerNumber
    source: Place | None
    target: Place | None
    instruction: str | None


@dataclass(frozen=True, slots=True)
class OrderDone:
    """A machine finished an order."""

    at_s: float
    machine: str
    order_id: str


@dataclass(frozen=True, slots=True)
class Arrived:
    """An AGV reached the last node of its route."""

    at_s: float
    agv: str
    node: str
    battery_pct: float


@dataclass(frozen=True, slots=True)
class BatteryState:
    """An AGV's state of charge (reported after charging, as VDA 5050 state messages do)."""

    at_s: float
    agv: str
    battery_pct: float


@dataclass(frozen=True, slots=True)
class TruckArrived:
    """A truck passed the gate in: to deliver ``container`` (export) or to collect it (import)."""

    at_s: float
    truck: str
    container: ContainerNumber
    kind: Literal["import", "export"]


@dataclass(frozen=True, slots=True)
class TruckLeft:
    """A truck passed the gate out."""

    at_s: float
    truck: str


@dataclass(frozen=True, slots=True)
class Fault:
    """A machine stopped (``cleared`` False) or is back (``cleared`` True)."""

    at_s: float
    machine: str
    kind: Literal["breakdown", "wind"]
    cleared: bool


@dataclass(frozen=True, slots=True)
class Gantry:
    """A quay crane's position along the quay: it stands at ``from_x_m`` (``to_x_m`` equal)
    or is gantrying from ``from_x_m`` to ``to_x_m``; reported at the start and the end of
    every gantry move, and once for every crane when the ECS connects."""

    at_s: float
    crane: str
    from_x_m: float
    to_x_m: float


EquipmentEvent = (
    Moved | OrderDone | Arrived | BatteryState | TruckArrived | TruckLeft | Fault | Gantry
)
EventHandler = Callable[[EquipmentEvent], None]


class EquipmentLink(Protocol):
    """Where orders go and events come from: the twin, or an adapter to real machines."""

    def send(self, order: Order) -> None:
        """Hand an order to its machine."""
        ...

    def cancel(self, machine: str, order_id: str) -> None:
        """Withdraw an order the machine has not finished (it stops where it is)."""
        ...

    def subscribe(self, handler: EventHandler) -> None:
        """Have ``handler`` called with every event, in order."""
        ...

    def now_s(self) -> float:
        """The current time in seconds (simulated in the twin, wall clock live)."""
        ...
