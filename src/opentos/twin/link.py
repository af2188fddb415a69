"""The twin's side of the equipment link, and the SimPy clock it runs on."""

from __future__ import annotations

import simpy
import simpy.rt

from opentos.control.link import (
    AgvOrder,
    EquipmentEvent,
    EventHandler,
    Order,
    QuayCraneOrder,
    TruckOrder,
    YardCraneOrder,
)
from opentos.errors import InvalidValue
from opentos.twin.machines import Agv, QuayCrane, Truck, YardCrane


class TwinLink:
    """The :class:`~opentos.control.link.EquipmentLink` to the twin's machines."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.handlers: list[EventHandler] = []
        self.agvs: dict[str, Agv] = {}
        self.quay_cranes: dict[str, QuayCrane] = {}
        self.yard_cranes: dict[str, YardCrane] = {}
        self.trucks: dict[str, Truck] = {}

    def send(self, order: Order) -> None:
        """Hand an order to its machine's queue."""
        if isinstance(order, AgvOrder):
            self.agvs[order.agv].orders.put(order)
        elif isinstance(order, QuayCraneOrder):
            self.quay_cranes[order.crane].send(order)
        elif isinstance(order, YardCraneOrder):
            self.yard_cranes[order.crane].orders.put(order)
        elif isinstance(order, TruckOrder):
            self.trucks[order.truck].orders.put(order)

    def cancel(self, machine: str, order_id: str) -> None:
        """Withdraw an AGV's order: it stops at its next node (only AGVs take cancels)."""
        agv = self.agvs.get(machine)
        if agv is None:
            raise InvalidValue(f"cancel {order_id}: {machine} is not an AGV")
        agv.cancel(order_id)

    def subscribe(self, handler: EventHandler) -> None:
        """Call ``handler`` with every event."""
        self.handlers.append(handler)

    def emit(self, event: EquipmentEvent) -> None:
        """Deliver an event to every subscriber."""
        for handler in self.handlers:
            handler(event)

    def now_s(self) -> float:
        """Simulated seconds."""
        return float(self.env.now)


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes (for the speed figure)."""

    def __init__(self) -> None:
        super().__init__()
        self.steps = 0

    def step(self) -> None:
        """Process the next event."""
        self.steps += 1
        super().step()


class RealtimeCountingEnvironment(simpy.rt.RealtimeEnvironment, CountingEnvironment):
    """A :class:`CountingEnvironment` whose clock keeps pace with the wall clock.

    One simulated second takes ``factor`` real seconds; with ``strict`` off a run
    that falls behind goes on as fast as it can instead of failing.
    """

    def __init__(self, factor: float, strict: bool = False) -> None:
        if not factor > 0:
            raise InvalidValue(f"Expected factor > 0, got {factor}.")
        simpy.rt.RealtimeEnvironment.__init__(self, 0, factor, strict)
        self.steps = 0

    def step(self) -> None:
        """Wait for the next event's time on the wall clock, then process it."""
        self.steps += 1
        simpy.rt.RealtimeEnvironment.step(self)
