"""Machine motion times for the twin, from the kinematics preset.

Each crane cycle is split into the two legs the twin needs: the part before
the box changes hands at the far end and the part after it. Times that
depend on people or robots (spreader locking, the platform's twistlock
robot, handovers) vary by the preset's triangular factors, drawn from the
run's seeded generator; trolley and hoist motions are deterministic.
"""

from __future__ import annotations

import random

from opentos.model.equipment import Kinematics
from opentos.model.layout import YardBlock
from opentos.model.places import VesselPlace
from opentos.model.vessel import VesselProfile


class KinematicTiming:
    """The twin's :class:`~opentos.twin.machines.Timing` for one terminal and its calls."""

    def __init__(
        self,
        kinematics: Kinematics,
        profiles: dict[str, VesselProfile],
        blocks: dict[str, YardBlock],
    ) -> None:
        self.k = kinematics
        self._profiles = profiles
        self._blocks = blocks
        self._main: dict[tuple[VesselPlace, bool], tuple[float, float, float, float]] = {}

    def qc_main_legs(
        self, place: VesselPlace, loaded_out: bool, rng: random.Random
    ) -> tuple[float, float]:
        """(until the box changes hands at the slot, after it) for one main-trolley cycle."""
        key = (place, loaded_out)
        parts = self._main.get(key)
        if parts is None:
            slot = place.slot
            cycle = self.k.quay_crane.vessel_cycle(
                self._profiles[place.visit], slot.bay, slot.row, slot.tier, loaded_out=loaded_out
            )
            parts = (cycle.home_s, cycle.out_s, cycle.far_s, cycle.back_s)
            self._main[key] = parts
        home, out, far, back = parts
        vary = self.k.quay_crane.spreader_variation.sample(rng)
        if loaded_out:  # lock on the platform, out, unlock at the slot | back empty
            return (home * vary + out + far * vary, back)
        return (out + far * vary, back + home * vary)  # out empty, lock | back, unlock

    def qc_dual_move_s(
        self, load: VesselPlace, discharge: VesselPlace, rng: random.Random
    ) -> float:
        """Main trolley from a slot it has just loaded to the next discharge slot, locked.

        Hoist up empty to the travel height, trolley across the rows, hoist down,
        lock: the part of a dual cycle that replaces an empty return and an empty
        run out.
        """
        qc = self.k.quay_crane
        profile = self._profiles[load.visit]
        a, b = load.slot, discharge.slot
        out_a, height_a = qc.slot_geometry(profile, a.bay, a.row, a.tier)
        out_b, height_b = qc.slot_geometry(profile, b.bay, b.row, b.tier)
        travel = max(qc.travel_height_m(profile), height_a, height_b)
        hoist = qc.main_hoist_empty
        move = (
            hoist.time_for(travel - height_a)
            + qc.main_trolley.time_for(abs(out_a - out_b))
            + hoist.time_for(travel - height_b)
        )
        return move + qc.spreader_lock_s * qc.spreader_variation.sample(rng)

    def qc_portal_legs(self, loaded_out: bool, rng: random.Random) -> tuple[float, float]:
        """(until the box changes hands at the AGV, after it) for one portal-trolley cycle."""
        cycle = self.k.quay_crane.portal_cycle(0, loaded_out=loaded_out)
        vary = self.k.quay_crane.spreader_variation.sample(rng)
        if loaded_out:
            return (cycle.home_s * vary + cycle.out_s, cycle.back_s)
        return (cycle.out_s, cycle.back_s + cycle.home_s * vary)

    def qc_platform_s(self, rng: random.Random) -> float:
        """The platform's twistlock robot, per box."""
        qc = self.k.quay_crane
        return qc.platform_handling_s * qc.platform_handling_variation.sample(rng)

    def qc_gantry_s(self, distance_m: float) -> float:
        """The quay crane along the rail."""
        return self.k.quay_crane.gantry_time_s(distance_m)

    def armg_move_s(
        self, block: str, from_bay: int, to_bay: int, row: int, tier: int, loaded: bool
    ) -> float:
        """A yard crane's spreader to ``to_bay``/``row``/``tier`` (bay 0: the waterside end)."""
        b = self._blocks[block]
        yc = self.k.yard_crane
        end_row = (b.rows + 1) // 2
        return yc.move_time_s(from_bay, end_row, 1, to_bay, row, tier, loaded, b.tiers)

    def armg_lock_s(self, rng: random.Random) -> float:
        """Lock or unlock the yard crane's spreader."""
        yc = self.k.yard_crane
        return yc.lock_s * yc.spreader_variation.sample(rng)

    def handover_s(self, rng: random.Random) -> float:
        """Set a box down on an AGV or take it off, at a block's waterside end."""
        yc = self.k.yard_crane
        return yc.waterside_handover_s * yc.handover_variation.sample(rng)

    def agv_kwh(self, distance_m: float, loaded: bool) -> float:
        """Energy an AGV uses over ``distance_m``."""
        return self.k.agv.drive_energy_kwh(distance_m, loaded)
