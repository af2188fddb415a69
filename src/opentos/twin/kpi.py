"""KPIs of a twin run, computed from the ledger and the machines' log.

Definitions (../shared/DESIGN.md, counting physical boxes, i.e. moves):

- **gross crane rate**: moves / the crane's working hours, for each call it
  works from the vessel's berthing until the crane's last move on it;
- **net crane rate**: moves / (working hours - operational delays), where the
  delays are waiting for a neighbouring crane and breakdowns;
- **crane bound**: moves / the main trolley's own working and gantry time --
  the rate the crane's cycle would give if it never waited;
- **QC wait share** by cause: share of the crane's working hours its main
  trolley stood waiting, for an AGV (the platform full or the box not there)
  or for a neighbour;
- **berth productivity**: all quay moves / hours alongside (berthing to last move,
  summed over the calls);
- **AGV time split**: loaded and empty travel, waiting at handovers, charging,
  and idle (the rest), as shares of the run;
- **ARMG utilisation**: working time / the run, per crane and on average over
  the cranes that worked;
- **rehandle ratio**: relocations (yard to yard moves with no work
  instruction) / productive yard moves (stacking and retrieval);
- **truck turn time**: gate-in to gate-out, in minutes: mean, 95th percentile
  and maximum (``None`` without trucks).

The rules that read the ledger alone and are the same for a business ledger
(which event is a quay move and its crane; rates, ratios, the turn-time
summary) are :mod:`opentos.model.kpi`'s, shared with :mod:`opentos.operations.kpis`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from opentos.model.kpi import per_hour, quay_move, ratio, turn_time_summary
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, VesselPlace, YardPlace
from opentos.twin.machines import Log

JsonDict = dict[str, object]


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def kpis(
    events: Sequence[MoveEvent],
    log: Log,
    *,
    cranes: Sequence[str],
    agvs: Sequence[str],
    start_s: float,
    end_s: float,
    seconds_of: dict[int, float],
) -> JsonDict:
    """Every KPI of a run (see the module docstring), as JSON-ready values.

    ``seconds_of`` maps an event's sequence number to its time in seconds from
    the run's start (the ledger keeps UTC datetimes).
    """
    duration_s = max(end_s - start_s, 1e-9)
    moves: Counter[str] = Counter()
    alongside: dict[str, float] = {}
    last_move: dict[tuple[str, str], float] = {}
    relocations = 0
    productive = 0
    for event in events:
        src, dst = event.from_place, event.to_place
        at = seconds_of[event.seq]
        if src is None and isinstance(dst, VesselPlace):
            alongside.setdefault(dst.visit, at)
        crane_visit = quay_move(event)
        if crane_visit is not None:
            moves[crane_visit[0]] += 1
            last_move[crane_visit] = max(last_move.get(crane_visit, 0.0), at)
        if isinstance(src, YardPlace) and isinstance(dst, EquipmentPlace):
            if event.work_instruction is None:
                relocations += 1
            else:
                productive += 1
        elif (
            isinstance(dst, YardPlace)
            and isinstance(src, EquipmentPlace)
            and event.work_instruction
        ):
            productive += 1
    state_time: dict[tuple[str, str], float] = defaultdict(float)
    for crane, state, start, end in log.qc_states:
        state_time[(crane, state)] += end - start
    per_crane: JsonDict = {}
    total_moves = 0
    total_hours = 0.0
    for crane in cranes:
        n = moves[crane]
        total_moves += n
        hours = (
            sum(
                last - alongside.get(visit, start_s)
                for (c, visit), last in last_move.items()
                if c == crane
            )
            / 3600
        )
        total_hours += hours
        own_h = (state_time[(crane, "work")] + state_time[(crane, "gantry")]) / 3600
        delay_h = state_time[(crane, "wait_neighbour")] / 3600
        worked_s = max(hours * 3600, 1e-9)
        per_crane[crane] = {
            "moves": n,
            "hours": _r(hours, 3),
            "gross_moves_per_hour": per_hour(n, hours),
            "net_moves_per_hour": _r(n / (hours - delay_h)) if hours - delay_h > 0 else 0.0,
            "crane_bound_moves_per_hour": _r(n / own_h) if own_h else 0.0,
            "wait_share": {
                "agv": _r(state_time[(crane, "wait_agv")] / worked_s, 4),
                "neighbour": _r(state_time[(crane, "wait_neighbour")] / worked_s, 4),
            },
        }
    bound_hours = sum((state_time[(c, "work")] + state_time[(c, "gantry")]) / 3600 for c in cranes)
    agv_time: dict[str, float] = defaultdict(float)
    for _agv, state, start, end in log.agv_states:
        agv_time[state] += end - start
    fleet_s = duration_s * max(len(agvs), 1)
    split = {
        state: _r(agv_time[state] / fleet_s, 4)
        for state in ("loaded", "empty", "waiting", "charging")
    }
    split["idle"] = _r(max(0.0, 1 - sum(split.values())), 4)
    armg_work: dict[str, float] = defaultdict(float)
    for crane, state, start, end in log.armg_states:
        if state == "work":
            armg_work[crane] += end - start
    armg = {crane: _r(t / duration_s, 4) for crane, t in sorted(armg_work.items())}
    last_of_visit: dict[str, float] = {}
    for (_crane, visit), last in last_move.items():
        last_of_visit[visit] = max(last_of_visit.get(visit, 0.0), last)
    berth_hours = sum(last - alongside.get(v, start_s) for v, last in last_of_visit.items()) / 3600
    truck_turn = turn_time_summary((out - gate_in) / 60 for _, gate_in, out in log.truck_turns)
    return {
        "moves": total_moves,
        "duration_h": _r(duration_s / 3600, 3),
        "moves_per_qc_hour": per_hour(total_moves, total_hours),
        "crane_bound_moves_per_qc_hour": _r(total_moves / bound_hours) if bound_hours else 0.0,
        "ratio_to_crane_bound": _r(bound_hours / total_hours, 4) if total_hours else 0.0,
        "berth_moves_per_hour": per_hour(total_moves, berth_hours),
        "quay_cranes": per_crane,
        "agv_time_split": split,
        "armg_utilisation": {
            "mean_of_working_cranes": _r(sum(armg.values()) / len(armg), 4) if armg else 0.0,
            "cranes": armg,
        },
        "rehandle_ratio": ratio(relocations, productive),
        "relocations": relocations,
        "truck_turn_time_min": truck_turn,
    }
