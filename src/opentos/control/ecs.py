"""The equipment control system: turns a call's crane sequences into machine orders.

:class:`EquipmentControl` is event driven: it sends orders through an
:class:`~opentos.control.link.EquipmentLink` and reacts to the events the
machines report. It knows nothing of the twin; the same object would drive
real machines through another link.

What it decides, and the rules that keep the terminal free of deadlock:

- **Quay cranes** get their whole work sequence at the start and work it in
  order. Each crane has a few handover positions (spurs of the guide path);
  they are granted only to the AGVs serving the crane's next unfinished jobs
  in sequence (``handover_window``), so an AGV for a later job can never take
  the place of the one the crane is waiting for.
- **AGVs** are dispatched by a pluggable policy over a snapshot (idle AGVs,
  dispatchable jobs, each with the time it became dispatchable, oldest first).
  One AGV is kept in reserve: the last free AGV takes only a job whose earlier
  jobs all have AGVs and whose quay crane can reach it past its neighbours
  (the cranes report their gantry moves), so some AGV always makes progress.
  Routes come from the conflict-free router. An AGV never
  waits on a handover spur for permission to go on: if the spur it needs
  next is not free (or not yet granted) it parks on a parking spur and
  retries when something changes. Idle AGVs leave handover spurs.
- **Yard cranes** get one order at a time, chosen when the crane is idle:
  first a stacking job whose AGV is already at the block, then a retrieval
  whose AGV is on its way (with the relocations it needs, done first, each a
  ledger move). Slots are allocated at the moment the order is given, so no
  other move can invalidate them. A dig-out claims the box and every blocker
  its plan moves until its lift is done: the block's other crane touches no
  claimed box and stacks nothing on a claimed box's stack.
- **Batteries** (Qianwan's shallow charge, shallow discharge): an idle AGV
  below ``charge_start_pct`` goes to a free charger and charges up to the
  preset's stop level; an AGV below ``min_battery_pct`` gets no work.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from opentos.control.dispatch import (
    AgvState,
    DispatchPolicy,
    DispatchSnapshot,
    TransportJob,
)
from opentos.control.link import (
    AgvAction,
    AgvOrder,
    Arrived,
    BatteryState,
    EquipmentEvent,
    EquipmentLink,
    Fault,
    Gantry,
    Moved,
    OrderDone,
    QuayCraneOrder,
    TimedStep,
    TruckArrived,
    TruckOrder,
    YardCraneOrder,
)
from opentos.control.quay import CraneJob, instruction_id
from opentos.control.routing import Route, Router
from opentos.control.yard import YardFull, YardView, allocate, plan_retrieval
from opentos.model.container import Container
from opentos.model.guidepath import GuidePath
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.places import EquipmentPlace, VesselPlace, YardPlace
from opentos.model.slots import YardSlot


@dataclass(frozen=True, slots=True)
class EcsSettings:
    """Tuning of the ECS rules (see the module docstring)."""

    handover_window: int = 2
    """Next unfinished jobs of a quay crane that may hold its handover spurs."""
    fetch_window: int = 9
    """Next unfinished jobs of a quay crane whose loads may be fetched from the yard.

    Measured on zim-chicago with 38 AGVs (fcfs): 4 gives 83 % of the crane bound, 8
    94 %, 9 and 10 95 %, 12 86 % (AGVs tied up by loads far ahead starve the discharges).
    """
    charge_start_pct: float = 40.0
    """An idle AGV below this state of charge goes to a charger (the preset's start level)."""
    min_battery_pct: float = 20.0
    """No work for an AGV below this (the preset's floor)."""
    blocks_considered: int = 6
    """Nearest blocks among which a discharged box's block is chosen (least busy first)."""


@dataclass(eq=False)
class Job:
    """A quay move and its progress through the ECS."""

    crane_job: CraneJob
    instruction: str
    vessel_place: VesselPlace
    block: str | None = None
    yard_place: YardPlace | None = None
    agv: str | None = None
    qc_done: bool = False
    """The box has passed the quay crane's handover."""
    finished: bool = False
    visit: str = ""
    active: bool = False
    """The vessel is alongside: the job may be worked."""
    retrieve_queued: bool = False
    released_s: float | None = None
    """When the job first became dispatchable: jobs are offered to the AGVs oldest first."""

    @property
    def kind(self) -> Literal["discharge", "load"]:
        """Discharge or load."""
        return self.crane_job.move.kind

    @property
    def container(self) -> ContainerNumber:
        """The box moved."""
        return self.crane_job.move.container

    @property
    def crane(self) -> str:
        """The quay crane."""
        return self.crane_job.crane


AgvPhase = Literal[
    "idle", "to_pickup", "to_dropoff", "waiting_spur", "to_park", "parked", "charging", "down"
]


@dataclass(eq=False)
class AgvInfo:
    """What the ECS knows of one AGV."""

    id: str
    node: str
    battery_pct: float = 100.0
    phase: AgvPhase = "idle"
    job: Job | None = None
    loaded: bool = False
    free_at_s: float = 0.0
    moving: bool = False
    """Driving a route: it can get no new route until it arrives."""
    order: str | None = None
    """The last order sent to it."""
    last_order: AgvOrder | None = None
    stuck: AgvOrder | None = None
    """An order it could not be given again after a re-plan; retried on every event."""
    stuck_at_s: float = 0.0
    halt_node: str | None = None


@dataclass(eq=False)
class CraneTask:
    """Work waiting for a block's yard crane."""

    kind: Literal["stack", "retrieve"]
    job: Job
    ready: bool = False


@dataclass(frozen=True, slots=True)
class TruckTask:
    """A truck at a block's landside end: collect an import box, or deliver an export box."""

    truck: str
    container: ContainerNumber
    kind: Literal["import", "export"]


@dataclass(eq=False)
class BlockState:
    """A block's two yard cranes and their queues."""

    block: str
    crane: str
    spurs: tuple[str, ...]
    landside: str | None = None
    tasks: list[CraneTask] = field(default_factory=list)
    busy: bool = False
    truck_tasks: deque[TruckTask] = field(default_factory=deque)
    landside_busy: bool = False
    retrieving: ContainerNumber | None = None
    """The box the waterside crane is digging out (relocations, then the lift)."""
    landside_retrieving: TruckTask | None = None
    down: bool = False
    """The waterside crane is stopped (breakdown or wind): no new boxes are sent here."""
    landside_down: bool = False


class EquipmentControl:
    """The ECS for one or more vessel calls at a terminal."""

    def __init__(
        self,
        link: EquipmentLink,
        layout: TerminalLayout,
        path: GuidePath,
        router: Router,
        policy: DispatchPolicy,
        yard: YardView,
        containers: Mapping[ContainerNumber, Container],
        agvs: Mapping[str, str],
        agv_speed_m_s: float,
        settings: EcsSettings | None = None,
        battery_pct: float = 100.0,
        *,
        qc_min_spacing_m: float = 0.0,
    ) -> None:
        self.link = link
        self.layout = layout
        self.path = path
        self.router = router
        self.policy = policy
        self.yard = yard
        self.containers = containers
        self.settings = settings or EcsSettings()
        self._speed = agv_speed_m_s
        self.agvs = {agv_id: AgvInfo(agv_id, node) for agv_id, node in agvs.items()}
        for agv in self.agvs.values():
            agv.battery_pct = battery_pct
        self.jobs: dict[str, Job] = {}
        self._by_container: dict[ContainerNumber, Job] = {}
        self._remaining: dict[str, deque[Job]] = {}
        self._spur_owner: dict[str, str] = {}
        self.blocks: dict[str, BlockState] = {}
        for crane in layout.yard_cranes:
            if crane.side == "waterside":
                self.blocks[crane.block] = BlockState(
                    crane.block, crane.id, tuple(path.block_handovers(crane.block))
                )
        for crane in layout.yard_cranes:
            if crane.side == "landside" and crane.block in self.blocks:
                self.blocks[crane.block].landside = crane.id
        self._crane_block = {state.crane: state.block for state in self.blocks.values()}
        self._landside_block = {
            state.landside: state.block for state in self.blocks.values() if state.landside
        }
        self._order_ids = itertools.count(1)
        self.unfinished = 0
        self._by_visit: dict[str, list[Job]] = {}
        self._reserved: dict[str, tuple[YardSlot, ...]] = {}
        """Yard slots (and so their stacks) that orders on their way will take from or put on."""
        self._claims: dict[ContainerNumber, str] = {}
        """Boxes a dig-out in progress will touch (the box retrieved and every blocker its plan
        moves), by the dig-out (block and crane side): no other order touches them."""
        self._claim_ends: dict[str, str] = {}
        """The lift that ends a dig-out, by order id: its claims go when it is done."""
        self._truck_job: dict[ContainerNumber, TruckTask] = {}
        self._early_trucks: dict[ContainerNumber, TruckArrived] = {}
        """Import trucks through the gate before their box is landed: they wait there."""
        self._qc_spacing_m = qc_min_spacing_m
        rail = sorted(layout.quay_cranes, key=lambda q: q.rail_position_m)
        self._qc_span: dict[str, tuple[float, float]] = {
            q.id: (q.rail_position_m, q.rail_position_m) for q in rail
        }
        """Where each quay crane stands, or the stretch it is gantrying along."""
        self._qc_neighbours: dict[str, tuple[str | None, str | None]] = {
            q.id: (
                rail[i - 1].id if i else None,
                rail[i + 1].id if i + 1 < len(rail) else None,
            )
            for i, q in enumerate(rail)
        }

    # -- set-up ----------------------------------------------------------------

    def add_call(
        self,
        visit: str,
        sequences: Mapping[str, Sequence[CraneJob]],
        yard_places: Mapping[ContainerNumber, YardPlace],
    ) -> None:
        """Take a call's crane sequences; its work starts at :meth:`vessel_alongside`."""
        jobs = self._by_visit.setdefault(visit, [])
        for crane, crane_jobs in sequences.items():
            queue = self._remaining.setdefault(crane, deque())
            for cj in crane_jobs:
                instruction = instruction_id(visit, crane, cj.sequence)
                job = Job(cj, instruction, VesselPlace(visit, cj.move.slot), visit=visit)
                if cj.move.kind == "load":
                    job.yard_place = yard_places[cj.move.container]
                    job.block = job.yard_place.slot.block
                self.jobs[instruction] = job
                self._by_container[cj.move.container] = job
                queue.append(job)
                jobs.append(job)
                self.unfinished += 1

    def start(self) -> None:
        """Subscribe to the machines' events."""
        self.link.subscribe(self.on_event)
        self._step()

    def vessel_alongside(self, visit: str) -> None:
        """The vessel is all fast: hand its quay cranes their sequences and start work."""
        for job in self._by_visit[visit]:
            job.active = True
            self.link.send(
                QuayCraneOrder(
                    self._order_id("QC"),
                    job.crane,
                    job.kind,
                    job.container,
                    job.vessel_place,
                    job.crane_job.bay_x_m,
                    job.instruction,
                    dual=job.crane_job.dual,
                )
            )
        self._step()

    def call_done(self, visit: str) -> bool:
        """Every move of the call is done."""
        return all(job.finished for job in self._by_visit[visit])

    @property
    def finished(self) -> bool:
        """Every quay move is done."""
        return self.unfinished == 0

    def moves_left(self) -> list[str]:
        """The quay moves not done, each crane's in sequence order, as short lines."""
        left = []
        for crane in sorted(self._remaining):
            for job in self._by_visit_order(crane):
                where = "" if job.agv is None else f", {job.agv}"
                left.append(f"{job.instruction} {job.kind} {job.container}{where}")
        return left

    def _by_visit_order(self, crane: str) -> list[Job]:
        return [
            j
            for jobs in self._by_visit.values()
            for j in jobs
            if j.crane == crane and not j.finished
        ]

    def machine_states(self) -> dict[str, str]:
        """What the ECS last knew of each AGV and each block with work waiting."""
        states: dict[str, str] = {}
        for agv in sorted(self.agvs.values(), key=lambda a: a.id):
            job = agv.job
            what = ""
            if job is not None:
                box = "with" if agv.loaded else "for"
                what = f", {box} {job.kind} {job.container} ({job.instruction})"
            states[agv.id] = f"{agv.phase} at {agv.node}{what}, battery {agv.battery_pct:.0f} %" + (
                ", re-route pending" if agv.stuck is not None else ""
            )
        for block in sorted(self.blocks):
            state = self.blocks[block]
            queued = [
                f"{t.kind} {t.job.container}{'' if t.ready else ' (not ready)'}"
                for t in state.tasks
            ]
            parts = []
            if state.retrieving is not None:
                parts.append(f"waterside digging out {state.retrieving}")
            if state.landside_retrieving is not None:
                parts.append(f"landside digging out {state.landside_retrieving.container}")
            if queued:
                parts.append("waterside queue: " + ", ".join(queued[:5]))
            if state.truck_tasks:
                trucks = [f"{t.kind} {t.container}" for t in list(state.truck_tasks)[:5]]
                parts.append("landside queue: " + ", ".join(trucks))
            if parts:
                states[f"block {block}"] = "; ".join(parts)
        return states

    # -- events ----------------------------------------------------------------

    def on_event(self, event: EquipmentEvent) -> None:
        """React to a machine's event, then dispatch and retry what waits."""
        if isinstance(event, Moved):
            self.yard.apply(event.container, event.source, event.target)
            self._on_moved(event)
            early = self._early_trucks.get(event.container)
            if early is not None and isinstance(event.target, YardPlace):
                del self._early_trucks[event.container]
                self._on_truck(early)
        elif isinstance(event, Arrived):
            agv = self.agvs[event.agv]
            agv.node = event.node
            agv.battery_pct = event.battery_pct
            agv.moving = False
            self._on_arrived(agv)
        elif isinstance(event, TruckArrived):
            self._on_truck(event)
        elif isinstance(event, BatteryState):
            self.agvs[event.agv].battery_pct = event.battery_pct
        elif isinstance(event, OrderDone):
            self._on_done(event)
        elif isinstance(event, Fault):
            self._on_fault(event)
        elif isinstance(event, Gantry):
            lo, hi = sorted((event.from_x_m, event.to_x_m))
            self._qc_span[event.crane] = (lo, hi)
        self._step()

    def _on_moved(self, event: Moved) -> None:
        source, target = event.source, event.target
        job = self._by_container.get(event.container)
        if job is None:
            return
        if isinstance(target, EquipmentPlace) and target.equipment in self.agvs:
            agv = self.agvs[target.equipment]
            agv.loaded = True
            if job.kind == "discharge":
                job.qc_done = True
                self._advance_crane(job.crane)
            self._send_loaded(agv)
        elif isinstance(source, EquipmentPlace) and source.equipment in self.agvs:
            agv = self.agvs[source.equipment]
            agv.loaded = False
            agv.job = None
            agv.phase = "idle"
            agv.free_at_s = event.at_s
            if job.kind == "load":
                job.qc_done = True
                self._advance_crane(job.crane)
        done = (job.kind == "load" and isinstance(target, VesselPlace)) or (
            job.kind == "discharge" and isinstance(target, YardPlace)
        )
        if done and not job.finished:
            job.finished = True
            self.unfinished -= 1

    def _on_fault(self, event: Fault) -> None:
        """A yard crane stopped or is back (a wind alarm is every crane of the yard).

        Orders already given wait and finish after the fault; new discharges and
        export deliveries go to blocks whose crane works, so no box is lost and
        the quay keeps working where it can.
        """
        agv = self.agvs.get(event.machine)
        if agv is not None:
            if event.cleared:
                self._agv_repaired(agv)
            else:
                self._agv_broken(agv, event.at_s)
            return
        down = not event.cleared
        for state in self.blocks.values():
            if event.machine in ("yard", state.crane):
                state.down = down
            if event.machine in ("yard", state.landside):
                state.landside_down = down
            if not down:
                self._start_crane(state)
                self._start_landside(state)

    def _on_arrived(self, agv: AgvInfo) -> None:
        if agv.phase == "to_park":
            agv.phase = "parked"
        elif agv.phase == "to_dropoff" and agv.job is not None and agv.job.kind == "discharge":
            self._mark_ready(agv.job, "stack")

    def _on_done(self, event: OrderDone) -> None:
        self._reserved.pop(event.order_id, None)
        holder = self._claim_ends.pop(event.order_id, None)
        if holder is not None:
            self._claims = {box: h for box, h in self._claims.items() if h != holder}
        block = self._crane_block.get(event.machine)
        if block is not None:
            state = self.blocks[block]
            state.busy = False
            self._start_crane(state)
            self._start_landside(state)
            return
        block = self._landside_block.get(event.machine)
        if block is not None:
            state = self.blocks[block]
            state.landside_busy = False
            self._start_landside(state)
            self._start_crane(state)
            return
        agv = self.agvs.get(event.machine)
        if agv is not None and agv.phase == "charging" and event.order_id == agv.order:
            agv.phase = "idle"
            agv.free_at_s = event.at_s

    # -- quay side ----------------------------------------------------------------

    def _advance_crane(self, crane: str) -> None:
        queue = self._remaining[crane]
        while queue and queue[0].qc_done:
            queue.popleft()

    def _in_window(self, job: Job, size: int) -> bool:
        queue = self._remaining[job.crane]
        return any(j is job for j in itertools.islice(queue, size))

    def _quay_spurs(self, job: Job) -> list[str]:
        """The hand-over spurs the quay crane reaches where it will work this job."""
        return self.path.quay_handovers_near(job.crane_job.bay_x_m)

    def _free_spur(self, spurs: Sequence[str]) -> list[str]:
        return [s for s in spurs if s not in self._spur_owner]

    # -- dispatching ---------------------------------------------------------------

    def _step(self) -> None:
        self._retry_stuck()
        self._retry_waiting()
        self._dispatch()
        self._clear_spurs()

    def _dispatchable(self) -> list[Job]:
        out = []
        for queue in self._remaining.values():
            for i, job in enumerate(queue):
                if i >= self.settings.fetch_window:
                    break
                if not job.active:
                    break
                if job.agv is not None or job.qc_done:
                    continue
                in_window = i < self.settings.handover_window
                if job.kind == "load" or in_window:
                    out.append(job)
        now = self.link.now_s()
        for job in out:
            if job.released_s is None:
                job.released_s = now
        return out

    def _dispatch(self) -> None:
        """Offer the dispatchable jobs to the idle AGVs, keeping one AGV in reserve.

        An AGV given a job that waits on earlier jobs of its crane (a load fetched
        ahead, a discharge behind one nobody serves) is tied up until those are done;
        so is one given a job whose crane cannot get there while a neighbour stands in
        its way. Such jobs are only given while another AGV stays free: the last free
        AGV takes only a job whose earlier jobs all have AGVs and whose crane can get
        there now, so some AGV always makes progress (with one AGV, the only way).
        """
        jobs = self._dispatchable()
        while jobs:
            idle = [
                a
                for a in self.agvs.values()
                if a.phase in ("idle", "parked") and a.job is None and not a.moving
            ]
            if not idle:
                return
            free = sum(1 for a in self.agvs.values() if a.job is None and a.phase != "down")
            if free <= 1:
                jobs = [j for j in jobs if self._progresses(j)]
            started = self._assign(jobs, idle, reserve=free > 1)
            if not started:
                return
            jobs = [j for j in jobs if j.agv is None]

    def _progresses(self, job: Job) -> bool:
        """Its AGV will not be tied up: every earlier job of its crane has an AGV, and
        the crane can get to it without a neighbour moving out of its way."""
        xs = []
        for earlier in self._remaining[job.crane]:
            xs.append(earlier.crane_job.bay_x_m)
            if earlier is job:
                break
            if earlier.agv is None and not earlier.qc_done:
                return False
        return self._qc_can_reach(job.crane, xs)

    def _qc_can_reach(self, crane: str, xs: Sequence[float]) -> bool:
        """The crane can gantry through ``xs`` keeping its spacing to where its neighbours
        stand now (or are gantrying along)."""
        if not self._qc_spacing_m or crane not in self._qc_span:
            return True
        here_lo, here_hi = self._qc_span[crane]
        lo, hi = min(here_lo, *xs), max(here_hi, *xs)
        left, right = self._qc_neighbours[crane]
        gap = self._qc_spacing_m
        if left is not None and self._qc_span[left][1] > lo - gap:
            return False
        return not (right is not None and self._qc_span[right][0] < hi + gap)

    def _assign(self, jobs: list[Job], idle: list[AgvInfo], *, reserve: bool) -> int:
        """Run the policy once; start its assignments (while ``reserve``, stop before the
        last free AGV would take a job that does not progress). Returns how many started."""
        if not jobs or not idle:
            return 0
        now = self.link.now_s()
        transport = []
        for job in jobs:
            if job.kind == "discharge":
                pickup = self._quay_spurs(job)[0]
                dropoff = self.blocks[self._nearest_blocks(pickup)[0]].spurs[0]
            else:
                assert job.block is not None
                pickup = self.blocks[job.block].spurs[0]
                dropoff = self._quay_spurs(job)[0]
            # Released times, not "now" for all: otherwise every policy breaks the tie by
            # crane name and the first crane's jobs starve the others (with few AGVs, until
            # the first crane needs a starved neighbour out of its way: a deadlock).
            released = now if job.released_s is None else job.released_s
            transport.append(
                TransportJob(
                    job.instruction,
                    job.kind,
                    pickup,
                    dropoff,
                    released,
                    released,
                    job.crane,
                    job.crane_job.sequence,
                )
            )
        snapshot = DispatchSnapshot(
            now,
            tuple(
                AgvState(a.id, a.node, max(now, a.free_at_s), a.battery_pct)
                for a in sorted(idle, key=lambda a: a.id)
            ),
            tuple(transport),
            min_battery_pct=self.settings.min_battery_pct,
        )
        started = 0
        for assignment in self.policy.assign(snapshot, self._travel_s):
            job = self.jobs[assignment.job]
            if reserve:
                free = sum(1 for a in self.agvs.values() if a.job is None and a.phase != "down")
                if free <= 1 and not self._progresses(job):
                    break  # the caller offers the rest again, to jobs that progress only
            if self._start_job(self.agvs[assignment.agv], job):
                started += 1
        return started

    def _travel_s(self, a: str, b: str) -> float:
        return self.path.distance_m(a, b) / self._speed

    def _start_job(self, agv: AgvInfo, job: Job) -> bool:
        if job.kind == "discharge":
            spurs = self._free_spur(self._quay_spurs(job))
        else:
            assert job.block is not None
            spurs = self._free_spur(self.blocks[job.block].spurs)
        for spur in spurs:
            if self._drive(agv, spur, "receive", job):
                self._spur_owner[spur] = agv.id
                agv.job = job
                agv.phase = "to_pickup"
                job.agv = agv.id
                if job.kind == "load" and not job.retrieve_queued:
                    assert job.block is not None
                    job.retrieve_queued = True
                    self.blocks[job.block].tasks.append(CraneTask("retrieve", job, ready=True))
                    self._start_crane(self.blocks[job.block])
                return True
        return False

    def _send_loaded(self, agv: AgvInfo) -> None:
        """An AGV just got its box: take it on, or park until it can."""
        job = agv.job
        assert job is not None
        if job.kind == "discharge":
            if job.block is None:
                job.block = self._choose_block(agv.node, job.container)
            spurs = self._free_spur(self.blocks[job.block].spurs)
        elif self._in_window(job, self.settings.handover_window):
            spurs = self._free_spur(self._quay_spurs(job))
        else:
            spurs = []
        for spur in spurs:
            if self._drive(agv, spur, "deliver", job):
                self._spur_owner[spur] = agv.id
                agv.phase = "to_dropoff"
                if job.kind == "discharge":
                    assert job.block is not None
                    tasks = self.blocks[job.block].tasks
                    if not any(t.job is job and t.kind == "stack" for t in tasks):
                        tasks.append(CraneTask("stack", job))
                return
        self._park(agv, "waiting_spur")

    # -- AGV breakdowns ----------------------------------------------------------------

    def _agv_broken(self, agv: AgvInfo, at_s: float) -> None:
        """Stop a broken-down AGV where it blocks nobody, re-route the others around it.

        It stops at the first node of its route that no other AGV is already committed
        to enter (its goal spur at the latest), and holds it until repaired. An empty
        AGV's job goes back to dispatch; a loaded one keeps its box for after the repair.
        """
        agv.stuck = None
        job = agv.job
        for spur, owner in list(self._spur_owner.items()):
            if owner == agv.id and spur != agv.node:
                del self._spur_owner[spur]
        if job is not None and not agv.loaded:
            job.agv = None
            agv.job = None
        if job is not None and agv.loaded and job.kind == "discharge" and job.block:
            tasks = self.blocks[job.block].tasks
            tasks[:] = [t for t in tasks if not (t.job is job and t.kind == "stack")]
        agv.phase = "down"
        order = agv.last_order
        if not agv.moving or order is None:
            agv.halt_node = agv.node
            self._send_halt(agv, (TimedStep(agv.node, at_s, math.inf, 0.0),))
            return
        committed = set()
        for other in self.agvs:
            if other == agv.id:
                continue
            position = self.router.position(other, at_s)
            if position is not None:
                if position.node is not None:
                    committed.add(position.node)
                elif position.edge is not None:
                    committed.add(position.edge.to_node)
        node1, t1 = self.router.cancel(agv.id, at_s)
        route_nodes = [s.node for s in order.steps]
        after = route_nodes[route_nodes.index(node1) :] if node1 in route_nodes else [node1]
        stop = next((n for n in after if n not in committed), after[-1])
        victims = [v for v in self.router.routes_conflicting_with_block(stop, at_s) if v != agv.id]
        restart = {v: self.router.cancel(v, at_s) for v in victims}
        self.link.cancel(agv.id, order.order_id)
        route = self.router.plan(agv.id, node1, t1, stop) if stop != node1 else None
        if route is None:
            stop = node1
            steps: tuple[TimedStep, ...] = (TimedStep(node1, t1, math.inf, 0.0),)
        else:
            steps = _timed_steps(route)
        agv.halt_node = stop
        self._send_halt(agv, steps)
        for victim, (node, t) in restart.items():
            self._reroute(self.agvs[victim], node, t)

    def _send_halt(self, agv: AgvInfo, steps: tuple[TimedStep, ...]) -> None:
        agv.order = self._order_id("AGV")
        agv.last_order = AgvOrder(agv.order, agv.id, steps, "halt")
        agv.moving = len(steps) > 1
        self.link.send(agv.last_order)

    def _reroute(self, agv: AgvInfo, node: str, at_s: float) -> None:
        """Give an AGV its last order again from where it stops, around a blocked node."""
        order = agv.last_order
        assert order is not None
        self.link.cancel(agv.id, order.order_id)
        agv.node = node
        agv.stuck = order
        agv.stuck_at_s = at_s
        agv.moving = False
        self._retry_stuck()

    def _retry_stuck(self) -> None:
        for agv in sorted(self.agvs.values(), key=lambda a: a.id):
            order = agv.stuck
            if order is None:
                continue
            at = max(self.link.now_s(), agv.stuck_at_s)
            route = self.router.plan(agv.id, agv.node, at, order.steps[-1].node)
            if route is None:
                continue
            agv.stuck = None
            agv.moving = True
            agv.order = self._order_id("AGV")
            agv.last_order = AgvOrder(
                agv.order,
                agv.id,
                _timed_steps(route),
                order.action,
                order.container,
                order.instruction,
            )
            self.link.send(agv.last_order)

    def _agv_repaired(self, agv: AgvInfo) -> None:
        """Back in service where it halted: deliver its box, or take new work."""
        if agv.halt_node is not None:
            agv.node = agv.halt_node
        agv.moving = False
        agv.free_at_s = self.link.now_s()
        if agv.loaded and agv.job is not None:
            agv.phase = "waiting_spur"
            self._send_loaded(agv)
        else:
            agv.phase = "idle"

    def _retry_waiting(self) -> None:
        for agv in sorted(self.agvs.values(), key=lambda a: a.id):
            if agv.phase == "waiting_spur" and agv.job is not None and not agv.moving:
                self._send_loaded(agv)

    def _clear_spurs(self) -> None:
        """Idle AGVs leave handover spurs (they would block the next handover)."""
        for agv in self.agvs.values():
            if agv.phase != "idle" or agv.job is not None or agv.moving:
                continue
            if agv.battery_pct < self.settings.charge_start_pct and self._charge(agv):
                continue
            if self.path.node(agv.node).kind in ("qc_handover", "block_handover"):
                self._park(agv, "to_park")

    def _park(self, agv: AgvInfo, phase: AgvPhase) -> None:
        here = self.path.node(agv.node)
        if here.kind == "parking" and agv.phase in ("parked", "waiting_spur"):
            agv.phase = phase if phase == "waiting_spur" else "parked"
            return
        parkings = sorted(
            self.path.parkings(), key=lambda p: (self.path.distance_m(agv.node, p), p)
        )
        for node in parkings:
            if node in self._spur_owner:
                continue
            if self._drive(agv, node, "park", agv.job):
                agv.phase = phase
                self._spur_owner[node] = agv.id
                return
        agv.phase = phase

    def _charge(self, agv: AgvInfo) -> bool:
        for node in sorted(self.path.chargers(), key=lambda c: self.path.distance_m(agv.node, c)):
            if node in self._spur_owner:
                continue
            if self._drive(agv, node, "charge", None):
                self._spur_owner[node] = agv.id
                agv.phase = "charging"
                return True
        return False

    def _release_spur(self, node: str) -> None:
        self._spur_owner.pop(node, None)

    def _drive(self, agv: AgvInfo, goal: str, action: AgvAction, job: Job | None) -> bool:
        now = self.link.now_s()
        route = self.router.plan(agv.id, agv.node, now, goal)
        if route is None:
            return False
        if agv.node in self._spur_owner and self._spur_owner[agv.node] == agv.id:
            self._release_spur(agv.node)
        agv.moving = True
        agv.order = self._order_id("AGV")
        order = AgvOrder(
            agv.order,
            agv.id,
            _timed_steps(route),
            action,
            None if job is None else job.container,
            None if job is None else job.instruction,
        )
        agv.last_order = order
        self.link.send(order)
        return True

    def _nearest_blocks(self, node: str) -> list[str]:
        return sorted(
            self.blocks,
            key=lambda b: (self.path.distance_m(node, self.blocks[b].spurs[0]), b),
        )

    def _choose_block(self, node: str, container: ContainerNumber) -> str:
        """The least busy of the nearest blocks that has a legal slot for the box now."""
        box = self.containers[container]
        ranked = self._nearest_blocks(node)
        working = [b for b in ranked if not self.blocks[b].down]
        candidates = []
        for block in working or ranked:
            try:
                allocate(self.yard, box, group="import", blocks=[block])
            except YardFull:
                continue
            candidates.append(block)
            if len(candidates) == self.settings.blocks_considered:
                break
        if not candidates:
            raise YardFull(f"no block has a slot for {container}", container)
        load = {
            b: len(self.blocks[b].tasks) + (1 if self.blocks[b].busy else 0) for b in candidates
        }
        return min(candidates, key=lambda b: (load[b], candidates.index(b)))

    # -- yard cranes ---------------------------------------------------------------

    def _mark_ready(self, job: Job, kind: str) -> None:
        assert job.block is not None
        state = self.blocks[job.block]
        for task in state.tasks:
            if task.job is job and task.kind == kind:
                task.ready = True
        self._start_crane(state)

    def _covered_soon(self, container: ContainerNumber) -> bool:
        """An order on its way touches a slot above ``container`` (a box may land on it).

        Its dig-out is then planned only once that order is done, so that the box
        landing on top is relocated first instead of being found there at the lift.
        """
        slot = self.yard.where(container)
        if slot is None:
            return False
        return any(
            s.block == slot.block
            and s.row == slot.row
            and abs(s.bay - slot.bay) <= 1
            and s.tier > slot.tier
            for slots in self._reserved.values()
            for s in slots
        )

    def _reserved_slots(self, holder: str | None = None) -> list[YardSlot]:
        """Slots no new order may put a box on: those of orders on their way, and those of
        boxes claimed by dig-outs other than ``holder`` (their stacks are being dug out)."""
        slots = [slot for slots in self._reserved.values() for slot in slots]
        for box, owner in self._claims.items():
            where = self.yard.where(box)
            if owner != holder and where is not None:
                slots.append(where)
        return slots

    def _dig_boxes(self, container: ContainerNumber, holder: str) -> set[ContainerNumber]:
        """The boxes digging ``container`` out touches now: itself and the blockers moved."""
        plan = plan_retrieval(self.yard, container, reserved=self._reserved_slots(holder))
        return {container} | {box for box, _, _ in plan}

    def _claimable(self, container: ContainerNumber, holder: str) -> bool:
        """No other dig-out holds a claim on a box that digging ``container`` out touches."""
        if self._claims.get(container, holder) != holder:
            return False  # also when the box is itself a blocker being moved by the other
        block = holder.partition("/")[0] + "/"
        if all(owner == holder or not owner.startswith(block) for owner in self._claims.values()):
            return True  # the block's other crane claims nothing: no plan needed
        return all(
            self._claims.get(box, holder) == holder for box in self._dig_boxes(container, holder)
        )

    def _start_crane(self, state: BlockState) -> None:
        """Give the block's idle waterside crane its next order (see the module docstring)."""
        if state.busy:
            return
        if state.retrieving is not None:
            if self._covered_soon(state.retrieving):
                return  # wait: a box is on its way onto the stack being dug out
            job = self._by_container[state.retrieving]
            order = self._next_retrieval(state, job.container, job.instruction, job.agv)
            if order is not None:
                self._send_crane(state, order)
            return
        task = next((t for t in state.tasks if t.kind == "stack" and t.ready), None)
        if task is None:
            task = next(
                (
                    t
                    for t in state.tasks
                    if t.kind == "retrieve"
                    and t.ready
                    and not self._covered_soon(t.job.container)
                    and self._claimable(t.job.container, _holder(state.block, "waterside"))
                ),
                None,
            )
        if task is None:
            return
        state.tasks.remove(task)
        job = task.job
        if task.kind == "stack":
            slot = allocate(
                self.yard,
                self.containers[job.container],
                group="import",
                blocks=[state.block],
                reserved=self._reserved_slots(_holder(state.block, "waterside")),
            )
            job.yard_place = YardPlace(slot)
            self._send_crane(
                state,
                YardCraneOrder(
                    self._order_id("YC"),
                    state.crane,
                    "stack",
                    job.container,
                    EquipmentPlace(job.agv or "?"),
                    job.yard_place,
                    instruction=job.instruction,
                ),
            )
            return
        state.retrieving = job.container
        order = self._next_retrieval(state, job.container, job.instruction, job.agv)
        assert order is not None  # claimable, checked above
        self._send_crane(state, order)

    def _next_retrieval(
        self,
        state: BlockState,
        container: ContainerNumber,
        instruction: str | None,
        vehicle: str | None,
    ) -> YardCraneOrder | None:
        """The next relocation to dig ``container`` out, or its lift when nothing is on it.

        Planned afresh each time: the block's other crane may have changed the stacks.
        Every box the plan touches is claimed for this dig-out until its lift is done;
        ``None`` (wait) if the other crane's dig-out holds a claim on one of them.
        """
        waterside = state.retrieving == container
        crane = state.crane if waterside else state.landside
        assert crane is not None
        holder = _holder(state.block, "waterside" if waterside else "landside")
        relocations = plan_retrieval(self.yard, container, reserved=self._reserved_slots(holder))
        touched = [container] + [box for box, _, _ in relocations]
        if any(self._claims.get(box, holder) != holder for box in touched):
            return None
        for box in touched:
            self._claims[box] = holder
        if relocations:
            box, source, target = relocations[0]
            return YardCraneOrder(self._order_id("YC"), crane, "relocate", box, source, target)
        slot = self.yard.where(container)
        assert slot is not None
        if waterside:
            state.retrieving = None
        else:
            state.landside_retrieving = None
        order = YardCraneOrder(
            self._order_id("YC"),
            crane,
            "retrieve",
            container,
            YardPlace(slot),
            EquipmentPlace(vehicle or "?"),
            instruction=instruction,
        )
        self._claim_ends[order.order_id] = holder
        return order

    def _send_crane(self, state: BlockState, order: YardCraneOrder) -> None:
        if order.crane == state.crane:
            state.busy = True
        else:
            state.landside_busy = True
        self._reserved[order.order_id] = tuple(
            p.slot for p in (order.source, order.target) if isinstance(p, YardPlace)
        )
        self.link.send(order)

    # -- trucks ----------------------------------------------------------------------

    def _on_truck(self, event: TruckArrived) -> None:
        """A truck is through the gate: send it to a block and queue its landside job."""
        if event.kind == "import":
            slot = self.yard.where(event.container)
            if slot is None:
                if event.container not in self.containers:
                    raise YardFull(
                        f"import {event.container} for {event.truck} is not in the terminal"
                    )
                # Not landed yet (its vessel is still working, or a yard crane is moving
                # it from one stack to another): the truck waits at the gate.
                self._early_trucks[event.container] = event
                return
            block = slot.block
        else:
            block = self._truck_block(event.container)
        task = TruckTask(event.truck, event.container, event.kind)
        self._truck_job[event.container] = task
        state = self.blocks[block]
        state.truck_tasks.append(task)
        self.link.send(TruckOrder(self._order_id("TRK"), event.truck, block))
        self._start_landside(state)

    def _truck_block(self, container: ContainerNumber) -> str:
        """The least busy block (landside) with a legal slot for an export box now."""
        box = self.containers[container]
        load = {
            b: len(s.truck_tasks) + (1 if s.landside_busy else 0) for b, s in self.blocks.items()
        }
        ranked = sorted(
            self.blocks,
            key=lambda b: (self.blocks[b].landside_down, load[b], self.yard.fill(b), b),
        )
        for block in ranked:
            try:
                allocate(self.yard, box, group="export", blocks=[block], prefer_bay_near="landside")
            except YardFull:
                continue
            return block
        raise YardFull(f"no block has a slot for export {container}", container)

    def _start_landside(self, state: BlockState) -> None:
        """Give the block's idle landside crane its next truck job, first come first served."""
        if state.landside is None or state.landside_busy:
            return
        holder = _holder(state.block, "landside")
        if state.landside_retrieving is not None:
            task = state.landside_retrieving
            if self._covered_soon(task.container):
                return  # wait: a box is on its way onto the stack being dug out
            order = self._next_retrieval(state, task.container, None, task.truck)
            if order is not None:
                self._send_crane(state, order)
            return
        if not state.truck_tasks:
            return
        first = state.truck_tasks[0]
        if first.kind == "import" and (
            self._covered_soon(first.container) or not self._claimable(first.container, holder)
        ):
            return  # wait: the box or a blocker over it is the waterside crane's to move
        task = state.truck_tasks.popleft()
        if task.kind == "export":
            slot = allocate(
                self.yard,
                self.containers[task.container],
                group="export",
                blocks=[state.block],
                prefer_bay_near="landside",
                reserved=self._reserved_slots(_holder(state.block, "landside")),
            )
            self._send_crane(
                state,
                YardCraneOrder(
                    self._order_id("YC"),
                    state.landside,
                    "stack",
                    task.container,
                    EquipmentPlace(task.truck),
                    YardPlace(slot),
                ),
            )
            return
        state.landside_retrieving = task
        order = self._next_retrieval(state, task.container, None, task.truck)
        assert order is not None  # claimable, checked above
        self._send_crane(state, order)

    def _order_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._order_ids):06d}"


def _holder(block: str, side: Literal["waterside", "landside"]) -> str:
    """The key of a block crane's dig-out in the claims."""
    return f"{block}/{side}"


def _timed_steps(route: Route) -> tuple[TimedStep, ...]:
    return tuple(
        TimedStep(
            step.node,
            step.enter_s,
            step.leave_s if math.isfinite(step.leave_s) else math.inf,
            0.0 if step.via_edge is None else step.via_edge.length_m,
        )
        for step in route.steps
    )
