"""The twin's machines as SimPy processes: quay cranes, AGVs and yard cranes.

Each machine executes the orders the ECS sends it, records every container
transfer in the ledger (which checks it), reports events back through the
link, and writes what it did to the :class:`Log` the KPIs and the
independent checks are computed from.

A double-trolley quay crane is two processes sharing a transfer platform of
two positions: the main trolley works between the ship and the platform, the
portal trolley between the platform and the AGVs under the crane. Both take
the crane's orders in sequence. The crane gantries between bays as a whole
(both trolleys stop) and keeps ``min_gap_m`` to its neighbours on the rail.

Ledger places of a quay crane: ``equipment:QC01`` the main trolley,
``equipment:QC01:2`` and ``:3`` the platform, ``equipment:QC01:4`` the portal
trolley. A yard crane carries one box (``equipment:A05-W``), an AGV one
(``equipment:AGV07``).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol, cast

import simpy

from opentos.control.link import (
    AgvOrder,
    Arrived,
    BatteryState,
    EquipmentEvent,
    Fault,
    Gantry,
    Moved,
    OrderDone,
    QuayCraneOrder,
    TruckArrived,
    TruckLeft,
    TruckOrder,
    YardCraneOrder,
)
from opentos.model.equipment import AgvKinematics, TruckKinematics
from opentos.model.ids import ContainerNumber
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, VesselPlace, YardPlace
from opentos.model.terminal import Terminal
from opentos.twin.arrivals import TruckArrival
from opentos.twin.handover import Handovers

Process = Generator[simpy.Event, Any, None]


class Timing(Protocol):
    """Durations of machine motions, in seconds (:class:`~opentos.twin.timing.KinematicTiming`)."""

    def qc_main_legs(
        self, place: VesselPlace, loaded_out: bool, rng: random.Random
    ) -> tuple[float, float]:
        """Main trolley: until the box changes hands at the slot, and after."""
        ...

    def qc_dual_move_s(
        self, load: VesselPlace, discharge: VesselPlace, rng: random.Random
    ) -> float:
        """Main trolley from a slot just loaded to the next discharge slot, locked on."""
        ...

    def qc_portal_legs(self, loaded_out: bool, rng: random.Random) -> tuple[float, float]:
        """Portal trolley: until the box changes hands at the AGV, and after."""
        ...

    def qc_platform_s(self, rng: random.Random) -> float:
        """Twistlock robot on the platform, per box."""
        ...

    def qc_gantry_s(self, distance_m: float) -> float:
        """The crane along the quay."""
        ...

    def armg_move_s(
        self, block: str, from_bay: int, to_bay: int, row: int, tier: int, loaded: bool
    ) -> float:
        """A yard crane to ``to_bay``/``row``/``tier`` (bay 0: the waterside end)."""
        ...

    def armg_lock_s(self, rng: random.Random) -> float:
        """Lock or unlock a yard crane's spreader in a stack."""
        ...

    def handover_s(self, rng: random.Random) -> float:
        """Set a box on an AGV or take it off."""
        ...

    def agv_kwh(self, distance_m: float, loaded: bool) -> float:
        """Energy an AGV uses over ``distance_m``."""
        ...


@dataclass
class Log:
    """What the machines did, for KPIs and independent checks (times in seconds)."""

    agv_nodes: list[tuple[str, str, float, float]] = field(default_factory=list)
    """(agv, node, entered, left)."""
    agv_edges: list[tuple[str, str, str, float, float]] = field(default_factory=list)
    """(agv, from node, to node, entered, left)."""
    agv_states: list[tuple[str, str, float, float]] = field(default_factory=list)
    """(agv, state, start, end) with state loaded, empty, waiting, charging."""
    qc_positions: list[tuple[float, str, float]] = field(default_factory=list)
    """(time, crane, x): where a crane is when each gantry move starts and ends; between
    two entries of one crane it is somewhere between their positions."""
    qc_states: list[tuple[str, str, float, float]] = field(default_factory=list)
    """(crane, state, start, end) of the main trolley: work, gantry, wait_agv, wait_neighbour."""
    qc_moves: list[tuple[str, float, str]] = field(default_factory=list)
    """(crane, time, kind) for every box the main trolley put down on ship or platform."""
    armg_states: list[tuple[str, str, float, float]] = field(default_factory=list)
    """(crane, state, start, end) with state work or wait."""
    armg_positions: list[tuple[float, str, str, float]] = field(default_factory=list)
    """(time, block, crane, rail position) when a yard crane starts and ends each move."""
    truck_turns: list[tuple[str, float, float]] = field(default_factory=list)
    """(truck, gate in, gate out)."""


class Machines:
    """Shared context of the machines: clock, ledger, log, handovers, event sink."""

    def __init__(
        self,
        env: simpy.Environment,
        terminal: Terminal,
        timing: Timing,
        rng: random.Random,
        emit: Callable[[EquipmentEvent], None],
        clock: Callable[[float], Any],
    ) -> None:
        self.env = env
        self.terminal = terminal
        self.timing = timing
        self.rng = rng
        self.emit = emit
        self.log = Log()
        self.handovers = Handovers(env)
        self._clock = clock

    def transfer(
        self,
        machine: str,
        container: ContainerNumber,
        source: Place | None,
        target: Place | None,
        instruction: str | None,
    ) -> None:
        """Record a container transfer in the ledger (checked) and report it."""
        self.terminal.record(
            [
                MoveEvent(
                    container,
                    source,
                    target,
                    self._clock(self.env.now),
                    equipment=machine,
                    work_instruction=instruction,
                )
            ]
        )
        self.emit(Moved(self.env.now, machine, container, source, target, instruction))


class Agv:
    """An AGV: follows timed routes, then hands over, charges or parks."""

    def __init__(self, ctx: Machines, agv_id: str, node: str, kinematics: AgvKinematics) -> None:
        self.ctx = ctx
        self.id = agv_id
        self.node = node
        self.since = 0.0
        self.k = kinematics
        self.capacity_kwh = kinematics.battery_kwh
        self.energy_kwh = kinematics.battery_kwh
        self._drawn_until = 0.0
        self.orders: simpy.Store = simpy.Store(ctx.env)
        self.place = EquipmentPlace(agv_id)
        self.loaded = False
        self.current: str | None = None
        """The order being followed."""
        self.order: AgvOrder | None = None
        """That order itself (read by :meth:`position_at`)."""
        self.cancelled = False
        self.dwelling = False
        self.in_action = False
        """At its goal, handing over, charging or halted."""
        self.repaired: simpy.Event | None = None
        """Set while broken down; succeeds when repaired."""
        self.process = ctx.env.process(self.run())

    @property
    def battery_pct(self) -> float:
        """State of charge."""
        return 100.0 * self.energy_kwh / self.capacity_kwh

    def _idle_draw(self) -> None:
        """Standing draws ``idle_kw`` (drives add their own energy on each edge)."""
        now = self.ctx.env.now
        self.energy_kwh -= self.k.idle_energy_kwh(max(0.0, now - self._drawn_until))
        self._drawn_until = now

    def cancel(self, order_id: str) -> None:
        """Stop following ``order_id`` at the next node (where it stands, or the end of the
        edge it is on), as the router's ``cancel`` assumes; a queued order is dropped."""
        if self.current == order_id:
            self.cancelled = True
            if self.dwelling:
                self.process.interrupt("cancel")
        else:
            self.orders.items[:] = [o for o in self.orders.items if o.order_id != order_id]

    def _dwell(self, until_s: float) -> Generator[simpy.Event, Any, bool]:
        """Stand at the current node until ``until_s``; True if cancelled meanwhile."""
        env = self.ctx.env
        while env.now < until_s and not self.cancelled:
            self.dwelling = True
            try:
                yield env.timeout(until_s - env.now)
            except simpy.Interrupt:
                pass
            finally:
                self.dwelling = False
        return self.cancelled

    def run(self) -> Process:
        """Take orders one by one."""
        env = self.ctx.env
        log = self.ctx.log
        while True:
            order: AgvOrder = yield self.orders.get()
            self.current = order.order_id
            self.order = order
            self.cancelled = False
            self._idle_draw()
            steps = order.steps
            if len(steps) > 1 and (yield from self._dwell(steps[0].leave_s)):
                self.current = self.order = None
                continue
            depart = env.now
            state = "loaded" if self.loaded else "empty"
            if len(steps) > 1:
                log.agv_nodes.append((self.id, self.node, self.since, depart))
            stopped = False
            for previous, step in pairwise(steps):
                if step.enter_s > env.now:
                    yield env.timeout(step.enter_s - env.now)
                log.agv_edges.append(
                    (self.id, previous.node, step.node, previous.leave_s, step.enter_s)
                )
                self.energy_kwh -= self.ctx.timing.agv_kwh(step.edge_m, self.loaded)
                self.node = step.node
                self.since = step.enter_s
                if step is steps[-1]:
                    break
                if (yield from self._dwell(step.leave_s)):
                    stopped = True
                    break
                log.agv_nodes.append((self.id, step.node, step.enter_s, step.leave_s))
            self._drawn_until = env.now
            if env.now > depart:
                log.agv_states.append((self.id, state, depart, env.now))
            if stopped or self.cancelled:
                self.current = self.order = None
                continue
            self.ctx.emit(Arrived(env.now, self.id, self.node, self.battery_pct))
            self.in_action = True
            if order.action in ("receive", "deliver"):
                assert order.container is not None
                started = env.now
                waiting = self.ctx.handovers.announce(
                    self.id, self.node, order.container, order.action == "deliver"
                )
                yield waiting.done
                self.loaded = order.action == "receive"
                log.agv_states.append((self.id, "waiting", started, env.now))
            elif order.action == "charge":
                started = env.now
                if self.battery_pct < self.k.charge_stop_pct:
                    yield env.timeout(self.k.charge_time_s(self.battery_pct))
                    self.energy_kwh = self.capacity_kwh * self.k.charge_stop_pct / 100
                    self._drawn_until = env.now
                log.agv_states.append((self.id, "charging", started, env.now))
                self.ctx.emit(BatteryState(env.now, self.id, self.battery_pct))
            elif order.action == "halt":
                started = env.now
                assert self.repaired is not None
                yield self.repaired
                self.repaired = None
                log.agv_states.append((self.id, "broken", started, env.now))
                self.ctx.emit(Fault(env.now, self.id, "breakdown", cleared=True))
            self.in_action = False
            self.current = self.order = None
            self._idle_draw()
            self.ctx.emit(OrderDone(env.now, self.id, order.order_id))

    def position_at(self, now_s: float) -> tuple[str, str, float]:
        """Where the AGV is at ``now_s`` (not before the last event): ``(from, to, fraction)``
        on the edge it drives along by its timed route, or ``(node, node, 0.0)`` standing."""
        order = self.order
        if order is not None and not self.in_action:
            for previous, step in pairwise(order.steps):
                if now_s < previous.leave_s:
                    return (previous.node, previous.node, 0.0)
                if now_s < step.enter_s:
                    span = step.enter_s - previous.leave_s
                    return (previous.node, step.node, (now_s - previous.leave_s) / span)
        return (self.node, self.node, 0.0)

    def activity(self) -> str:
        """``loaded`` or ``empty`` while driving, ``waiting`` at a handover, ``charging``,
        ``broken`` while halted for repair, ``idle`` otherwise."""
        order = self.order
        if order is None:
            return "idle"
        if self.in_action:
            return {"charge": "charging", "halt": "broken"}.get(order.action, "waiting")
        return "loaded" if self.loaded else "empty"

    def close_log(self, end_s: float) -> None:
        """Record where the AGV stood at the end of the run."""
        self.ctx.log.agv_nodes.append((self.id, self.node, self.since, end_s))


class QuayCrane:
    """A double-trolley quay crane working its orders in sequence."""

    def __init__(
        self,
        ctx: Machines,
        crane_id: str,
        x_m: float,
        handovers_at: Callable[[float], list[str]],
        min_gap_m: float,
    ) -> None:
        self.ctx = ctx
        self.id = crane_id
        self.x_m = x_m
        self.span = (x_m, x_m)
        """Quay positions the crane holds: where it stands, or the stretch it is moving along."""
        self.handovers_at = handovers_at
        """The AGV hand-over nodes the crane reaches when it stands at a position."""
        self.min_gap_m = min_gap_m
        self.neighbours: list[QuayCrane] = []
        self.moved = ctx.env.event()
        env = ctx.env
        self.main_orders: simpy.Store = simpy.Store(env)
        self.portal_orders: simpy.Store = simpy.Store(env)
        self.ready: dict[str, simpy.Event] = {}
        self.free_positions = deque([2, 3])
        self.gantry_done: simpy.Event = env.event()
        self.gantry_done.succeed()
        self.main_place = EquipmentPlace(crane_id)
        self.portal_place = EquipmentPlace(crane_id, 4)
        self.platform_slots = simpy.Resource(env, capacity=2)
        self.portal_finished = 0
        """Orders the portal trolley has finished with, in sequence."""
        self.portal_progress: simpy.Event = env.event()
        self.main_doing = "idle"
        """What the main trolley is doing or waiting for (for a stalled run's report)."""
        self.portal_doing = "idle"
        self.gantry_motion: tuple[float, float, float, float] | None = None
        """``(from x, to x, start, end)`` while the crane gantries (read by :meth:`x_at`)."""
        ctx.log.qc_positions.append((0.0, crane_id, x_m))
        env.process(self.main_trolley())
        env.process(self.portal_trolley())

    def send(self, order: QuayCraneOrder) -> None:
        """Queue an order for both trolleys."""
        self.ready[order.order_id] = self.ctx.env.event()
        self.main_orders.put(order)
        self.portal_orders.put(order)

    def _state(self, state: str, start: float) -> None:
        if self.ctx.env.now > start:
            self.ctx.log.qc_states.append((self.id, state, start, self.ctx.env.now))

    def _gantry(self, x_m: float, index: int) -> Process:
        """Move the crane to ``x_m`` before order ``index`` (counted from 0)."""
        env = self.ctx.env
        if abs(x_m - self.x_m) < 0.5:
            return
        started = env.now
        while self.portal_finished < index:  # the portal hands over where the crane stands
            self.main_doing = f"waiting for the portal to finish order {self.portal_finished + 1}"
            yield self.portal_progress
        self._state("wait_agv", started)
        started = env.now
        while not self._clear(x_m):
            in_way = ", ".join(
                f"{n.id} at x={n.x_m:.1f} m" for n in self.neighbours if not self._clear_of(n, x_m)
            )
            self.main_doing = f"at x={self.x_m:.1f} m, waiting to gantry to x={x_m:.1f} m: {in_way}"
            blockers = [n.moved for n in self.neighbours]
            yield env.any_of(blockers)
        self.main_doing = f"gantry to x={x_m:.1f} m"
        self._state("wait_neighbour", started)
        started = env.now
        self.gantry_done = env.event()
        self.span = (min(self.x_m, x_m), max(self.x_m, x_m))
        self.ctx.log.qc_positions.append((env.now, self.id, self.x_m))
        self.ctx.emit(Gantry(env.now, self.id, self.x_m, x_m))
        duration_s = self.ctx.timing.qc_gantry_s(abs(x_m - self.x_m))
        self.gantry_motion = (self.x_m, x_m, env.now, env.now + duration_s)
        yield env.timeout(duration_s)
        self.gantry_motion = None
        self.x_m = x_m
        self.span = (x_m, x_m)
        self.ctx.log.qc_positions.append((env.now, self.id, x_m))
        self.ctx.emit(Gantry(env.now, self.id, x_m, x_m))
        self.gantry_done.succeed()
        moved, self.moved = self.moved, env.event()
        moved.succeed()
        self._state("gantry", started)

    def x_at(self, now_s: float) -> float:
        """Where along the quay the crane is at ``now_s`` (not before the last event)."""
        if self.gantry_motion is None:
            return self.x_m
        start_x, end_x, start_s, end_s = self.gantry_motion
        share = (
            min(max((now_s - start_s) / (end_s - start_s), 0.0), 1.0) if end_s > start_s else 1.0
        )
        return start_x + (end_x - start_x) * share

    def _clear(self, x_m: float) -> bool:
        """True if moving to ``x_m`` keeps ``min_gap_m`` to the span each neighbour holds."""
        return all(self._clear_of(other, x_m) for other in self.neighbours)

    def _clear_of(self, other: QuayCrane, x_m: float) -> bool:
        lo, hi = min(self.x_m, x_m), max(self.x_m, x_m)
        if other.x_m <= self.x_m and other.span[1] > lo - self.min_gap_m:
            return False
        return not (other.x_m > self.x_m and other.span[0] < hi + self.min_gap_m)

    def main_trolley(self) -> Process:
        """Ship side: vessel slot <-> platform, in sequence."""
        env = self.ctx.env
        timing = self.ctx.timing
        index = 0
        at_slot: VesselPlace | None = None
        """Where the main trolley stands after the load half of a dual cycle."""
        while True:
            self.main_doing = "idle: no order"
            order: QuayCraneOrder = yield self.main_orders.get()
            assert isinstance(order.vessel_place, VesselPlace)
            yield from self._gantry(order.bay_x_m, index)
            index += 1
            what = f"{order.kind} {order.container} ({order.instruction})"
            self.main_doing = f"at x={self.x_m:.1f} m, {what}"
            if order.kind == "discharge":
                started = env.now
                first, second = timing.qc_main_legs(order.vessel_place, False, self.ctx.rng)
                if at_slot is not None:  # the second half of a dual cycle
                    first = timing.qc_dual_move_s(at_slot, order.vessel_place, self.ctx.rng)
                    at_slot = None
                    self.ctx.log.qc_moves.append((self.id, env.now, "dual"))
                yield env.timeout(first)
                self.ctx.transfer(
                    self.id, order.container, order.vessel_place, self.main_place, order.instruction
                )
                yield env.timeout(second)
                self._state("work", started)
                started = env.now
                slot = self.platform_slots.request()
                self.main_doing = f"at x={self.x_m:.1f} m, {what}: waiting for a platform place"
                yield slot
                self._state("wait_agv", started)
                self.main_doing = f"at x={self.x_m:.1f} m, {what}: landed on the platform"
                position = EquipmentPlace(self.id, self.free_positions.popleft())
                self.ctx.transfer(
                    self.id, order.container, self.main_place, position, order.instruction
                )
                self.ctx.log.qc_moves.append((self.id, env.now, "discharge"))
                env.process(self._robot(order, position, slot))
            else:
                started = env.now
                self.main_doing = (
                    f"at x={self.x_m:.1f} m, {what}: waiting for the box on the platform"
                )
                box = yield self.ready[order.order_id]
                self._state("wait_agv", started)
                started = env.now
                position, slot = box
                self.ctx.transfer(
                    self.id, order.container, position, self.main_place, order.instruction
                )
                self.free_positions.append(position.position)
                self.platform_slots.release(slot)
                first, second = timing.qc_main_legs(order.vessel_place, True, self.ctx.rng)
                yield env.timeout(first)
                self.ctx.transfer(
                    self.id, order.container, self.main_place, order.vessel_place, order.instruction
                )
                self.ctx.log.qc_moves.append((self.id, env.now, "load"))
                if order.dual:
                    at_slot = order.vessel_place  # go on to the next discharge from here
                else:
                    yield env.timeout(second)
                self._state("work", started)
                self.ctx.emit(OrderDone(env.now, self.id, order.order_id))

    def _robot(self, order: QuayCraneOrder, position: EquipmentPlace, slot: Any) -> Process:
        """The twistlock robot handles a box on the platform; then it is ready."""
        yield self.ctx.env.timeout(self.ctx.timing.qc_platform_s(self.ctx.rng))
        self.ready[order.order_id].succeed((position, slot))

    def _portal_done(self) -> None:
        self.portal_finished += 1
        progress, self.portal_progress = self.portal_progress, self.ctx.env.event()
        progress.succeed()

    def portal_trolley(self) -> Process:
        """Land side: platform <-> AGVs, in sequence."""
        env = self.ctx.env
        timing = self.ctx.timing
        handovers = self.ctx.handovers
        while True:
            self.portal_doing = "idle: no order"
            order: QuayCraneOrder = yield self.portal_orders.get()
            what = f"{order.kind} {order.container} ({order.instruction})"
            if order.kind == "discharge":
                self.portal_doing = f"{what}: waiting for the box on the platform"
                position, slot = yield self.ready[order.order_id]
                self.portal_doing = f"{what}: waiting for the gantry"
                yield self.gantry_done
                self.ctx.transfer(
                    self.id, order.container, position, self.portal_place, order.instruction
                )
                self.free_positions.append(position.position)
                self.platform_slots.release(slot)
                first, second = timing.qc_portal_legs(True, self.ctx.rng)
                yield env.timeout(first)
                self.portal_doing = f"{what}: waiting for an AGV to take the box"
                waiting = yield handovers.wait_for(
                    order.container, self.handovers_at(order.bay_x_m), delivering=False
                )
                self.ctx.transfer(
                    self.id,
                    order.container,
                    self.portal_place,
                    EquipmentPlace(waiting.agv),
                    order.instruction,
                )
                handovers.finish(waiting)
                self._portal_done()
                yield env.timeout(second)
                self.ctx.emit(OrderDone(env.now, self.id, order.order_id))
            else:
                first, second = timing.qc_portal_legs(False, self.ctx.rng)
                yield env.timeout(first)
                self.portal_doing = f"{what}: waiting for the AGV bringing the box"
                waiting = yield handovers.wait_for(
                    order.container, self.handovers_at(order.bay_x_m), delivering=True
                )
                self.portal_doing = f"{what}: waiting for the gantry"
                yield self.gantry_done
                self.ctx.transfer(
                    self.id,
                    order.container,
                    EquipmentPlace(waiting.agv),
                    self.portal_place,
                    order.instruction,
                )
                handovers.finish(waiting)
                yield env.timeout(second)
                slot = self.platform_slots.request()
                self.portal_doing = f"{what}: waiting for a platform place"
                yield slot
                position = EquipmentPlace(self.id, self.free_positions.popleft())
                self.ctx.transfer(
                    self.id, order.container, self.portal_place, position, order.instruction
                )
                self.ctx.log.qc_moves.append((self.id, env.now, "platform"))
                env.process(self._robot(order, position, slot))
                self._portal_done()


class BlockRail:
    """The rail two yard cranes of a block share: where each stands and what it has claimed.

    Positions are in bay numbers (odd 20' bays, even 40' bays) with the transfer
    areas beyond the stacking bays: the waterside crane hands over at
    ``-separation``, the landside one at ``2 * bays + separation``, so a crane at
    its own end never stands in the other's way. Before each order a crane
    claims the whole stretch the order will cover and waits until the other
    crane's claim is ``separation`` away; an idle crane in the way is pushed back
    to its end; if both wait for each other, the landside crane gives way.
    """

    def __init__(self, env: simpy.Environment, bays: int, separation: int) -> None:
        self.env = env
        self.bays = bays
        self.separation = separation
        self.cranes: dict[str, YardCrane] = {}
        self.changed: simpy.Event = env.event()

    def end_of(self, side: str) -> int:
        """Rail position of a side's transfer area."""
        return -self.separation if side == "waterside" else 2 * self.bays + self.separation

    def notify(self) -> None:
        """Wake every crane waiting for the rail."""
        changed, self.changed = self.changed, self.env.event()
        changed.succeed()

    def other(self, crane: YardCrane) -> YardCrane | None:
        """The block's other crane, if it has one."""
        return next((c for c in self.cranes.values() if c is not crane), None)

    def clear(self, crane: YardCrane, lo: int, hi: int) -> bool:
        """True if ``crane`` may claim [lo, hi] (the other crane's claim is far enough)."""
        other = self.other(crane)
        if other is None:
            return True
        if crane.side == "waterside":
            return other.span[0] >= hi + self.separation
        return other.span[1] <= lo - self.separation


class YardCrane:
    """One of a block's ARMGs: one order at a time, handing over at its own end."""

    def __init__(
        self,
        ctx: Machines,
        crane_id: str,
        block: str,
        side: str,
        handover_nodes: tuple[str, ...],
        rail: BlockRail,
    ) -> None:
        self.ctx = ctx
        self.id = crane_id
        self.block = block
        self.side = side
        self.rail = rail
        self.home = rail.end_of(side)
        self.pos = self.home
        self.span = (self.home, self.home)
        self.handover_nodes = handover_nodes
        self.orders: simpy.Store = simpy.Store(ctx.env)
        self.place = EquipmentPlace(crane_id)
        self.busy = False
        self.waiting = False
        self.doing = "idle: no order"
        """What the crane is doing or waiting for (for a stalled run's report)."""
        self.pushed: simpy.Event = ctx.env.event()
        self.repaired: simpy.Event | None = None
        """Set while the crane is stopped (breakdown or wind); succeeds when it may go on."""
        self._sleeping = False
        self.motion: tuple[int, int, float, float] | None = None
        """``(from, to, start, planned end)`` rail positions while the crane moves; a stop
        makes it end later (read by :meth:`pos_at`)."""
        rail.cranes[crane_id] = self
        ctx.log.armg_positions.append((0.0, block, crane_id, float(self.pos)))
        self.process = ctx.env.process(self.run())

    def stop(self, until: simpy.Event) -> None:
        """Stop where it is until ``until`` succeeds (a breakdown, or a wind alarm)."""
        self.repaired = until
        if self._sleeping:
            self.process.interrupt("stop")

    def _sleep(self, duration_s: float) -> Process:
        """Spend ``duration_s`` of motion, paused while the crane is stopped."""
        env = self.ctx.env
        left = duration_s
        while True:
            if self.repaired is not None:
                stopped = env.now
                yield self.repaired
                self.repaired = None
                self.ctx.log.armg_states.append((self.id, "stopped", stopped, env.now))
            if left <= 0:
                return
            started = env.now
            self._sleeping = True
            try:
                yield env.timeout(left)
                left = 0.0
            except simpy.Interrupt:
                left -= env.now - started
            finally:
                self._sleeping = False

    def pos_at(self, now_s: float) -> float:
        """The crane's rail position (in bays) at ``now_s``, on the way if it moves."""
        if self.motion is None:
            return float(self.pos)
        start, end, start_s, end_s = self.motion
        share = (
            min(max((now_s - start_s) / (end_s - start_s), 0.0), 1.0) if end_s > start_s else 1.0
        )
        return start + (end - start) * share

    def _timing_bay(self, pos: int) -> int:
        """The kinematics' bay for a rail position (the ends are bay 0 and 2 * bays)."""
        return min(max(pos, 0), 2 * self.rail.bays)

    def _go(self, pos: int, row: int, tier: int, loaded: bool) -> Process:
        timing = self.ctx.timing
        env = self.ctx.env
        log = self.ctx.log
        log.armg_positions.append((env.now, self.block, self.id, float(self.pos)))
        duration_s = timing.armg_move_s(
            self.block, self._timing_bay(self.pos), self._timing_bay(pos), row, tier, loaded
        )
        self.motion = (self.pos, pos, env.now, env.now + duration_s)
        yield from self._sleep(duration_s)
        self.motion = None
        self.pos = pos
        log.armg_positions.append((env.now, self.block, self.id, float(self.pos)))
        if pos != self.home:  # lock or unlock in the stack
            yield from self._sleep(timing.armg_lock_s(self.ctx.rng))

    def _claim(self, lo: int, hi: int) -> Process:
        """Wait until [lo, hi] is clear, pushing an idle crane out of the way."""
        rail = self.rail
        self.waiting = True
        rail.notify()  # the other crane may be waiting on us: let it look again
        while not rail.clear(self, lo, hi):
            other = rail.other(self)
            assert other is not None
            if not other.busy and not other.pushed.triggered:
                other.pushed.succeed()
            elif other.waiting and self.side == "landside" and self.pos != self.home:
                yield from self._retreat()
                continue
            yield rail.changed
        self.waiting = False
        self.span = (min(lo, self.pos), max(hi, self.pos))
        rail.notify()

    def _retreat(self) -> Process:
        """Back to this crane's own end, out of the other crane's way."""
        self.span = (min(self.pos, self.home), max(self.pos, self.home))
        self.rail.notify()
        yield from self._go(self.home, 1, 1, loaded=self.carrying)
        self.span = (self.home, self.home)
        self.rail.notify()

    carrying = False

    def run(self) -> Process:
        """Take orders one by one; when pushed while idle, go home."""
        env = self.ctx.env
        get = self.orders.get()
        while True:
            yield get | self.pushed
            if not get.triggered:
                self.pushed = env.event()
                self.busy = True
                yield from self._retreat()
                self.busy = False
                continue
            order = cast(YardCraneOrder, get.value)
            get = self.orders.get()
            if self.pushed.triggered:
                self.pushed = env.event()
            self.busy = True
            self.doing = f"{order.kind} {order.container} ({order.order_id})"
            yield from self._work(order)
            self.busy = False
            self.doing = "idle: no order"
            self.span = (self.pos, self.pos)
            self.rail.notify()
            self.ctx.emit(OrderDone(env.now, self.id, order.order_id))

    def _position(self, place: Place) -> int:
        return place.slot.bay if isinstance(place, YardPlace) else self.home

    def _work(self, order: YardCraneOrder) -> Process:
        env = self.ctx.env
        handovers = self.ctx.handovers
        log = self.ctx.log
        stops = [self.pos, self._position(order.source), self._position(order.target)]
        started = env.now
        what = f"{order.kind} {order.container} ({order.order_id})"
        self.doing = f"{what}: waiting for the rail (the block's other crane)"
        yield from self._claim(min(stops), max(stops))
        self.doing = what
        log.armg_states.append((self.id, "wait", started, env.now))
        started = env.now
        if isinstance(order.source, YardPlace):
            s = order.source.slot
            yield from self._go(s.bay, s.row, s.tier, loaded=False)
            self.ctx.transfer(self.id, order.container, order.source, self.place, order.instruction)
        else:
            yield from self._go(self.home, 1, 1, loaded=False)
            log.armg_states.append((self.id, "work", started, env.now))
            started = env.now
            self.doing = f"{what}: waiting for the vehicle bringing the box"
            waiting = yield handovers.wait_for(
                order.container, self.handover_nodes, delivering=True
            )
            self.doing = what
            log.armg_states.append((self.id, "wait", started, env.now))
            started = env.now
            yield from self._sleep(self.ctx.timing.handover_s(self.ctx.rng))
            self.ctx.transfer(
                self.id, order.container, EquipmentPlace(waiting.agv), self.place, order.instruction
            )
            handovers.finish(waiting)
        self.carrying = True
        if isinstance(order.target, YardPlace):
            t = order.target.slot
            yield from self._go(t.bay, t.row, t.tier, loaded=True)
            self.ctx.transfer(self.id, order.container, self.place, order.target, order.instruction)
            self.carrying = False
            log.armg_states.append((self.id, "work", started, env.now))
        else:
            yield from self._go(self.home, 1, 1, loaded=True)
            log.armg_states.append((self.id, "work", started, env.now))
            started = env.now
            self.doing = f"{what}: waiting for the vehicle to take the box"
            waiting = yield handovers.wait_for(
                order.container, self.handover_nodes, delivering=False
            )
            self.doing = what
            log.armg_states.append((self.id, "wait", started, env.now))
            yield from self._sleep(self.ctx.timing.handover_s(self.ctx.rng))
            self.ctx.transfer(
                self.id, order.container, self.place, EquipmentPlace(waiting.agv), order.instruction
            )
            self.carrying = False
            handovers.finish(waiting)


class Truck:
    """An external truck: through the gate, to a block's landside end, back out."""

    def __init__(
        self,
        ctx: Machines,
        arrival: TruckArrival,
        kinematics: TruckKinematics,
        lanes: Callable[[str], tuple[simpy.Resource, list[str]]],
        distance_m: Callable[[str], float],
    ) -> None:
        self.ctx = ctx
        self.arrival = arrival
        self.id = arrival.truck
        self.k = kinematics
        self.lanes = lanes
        self.distance_m = distance_m
        self.orders: simpy.Store = simpy.Store(ctx.env)
        self.place = EquipmentPlace(arrival.truck)
        ctx.env.process(self.run())

    def run(self) -> Process:
        """Gate in, drive, hand over, drive back, gate out."""
        env = self.ctx.env
        rng = self.ctx.rng
        arrival = self.arrival
        if arrival.at_s > env.now:
            yield env.timeout(arrival.at_s - env.now)
        yield env.timeout(self.k.gate_in_s * self.k.variation.sample(rng))
        gate_in = env.now
        if arrival.kind == "export":
            self.ctx.transfer(self.id, arrival.container, None, self.place, None)
        self.ctx.emit(TruckArrived(env.now, self.id, arrival.container, arrival.kind))
        order: TruckOrder = yield self.orders.get()
        distance = self.distance_m(order.block)
        yield env.timeout(self.k.drive_time_s(distance))
        lane_resource, free = self.lanes(order.block)
        with lane_resource.request() as lane:
            yield lane
            node = free.pop()  # the resource guarantees a free transfer lane
            waiting = self.ctx.handovers.announce(
                self.id, node, arrival.container, arrival.kind == "export"
            )
            yield waiting.done
            free.append(node)
        yield env.timeout(self.k.drive_time_s(distance))
        yield env.timeout(self.k.gate_out_s * self.k.variation.sample(rng))
        if arrival.kind == "import":
            self.ctx.transfer(self.id, arrival.container, self.place, None, None)
        self.ctx.log.truck_turns.append((self.id, gate_in, env.now))
        self.ctx.emit(TruckLeft(env.now, self.id))
