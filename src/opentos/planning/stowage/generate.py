"""Generated stowage problems: a vessel class, boxes on board at arrival, a load list.

For tests and benchmarks. Same arguments, same problem. The arrival state keeps
every hard rule (boxes for later ports lower, stack weights and heights within
limits, reefers on plugs), so a plan's violations are the plan's own.

The load list mix (by count): 35 % 20' (5 % of them reefers), 60 % 40' (a
third standard, 60 % high cube, 7 % reefer high cube), 5 % 45' high cube; 15 %
empties; 3 % of full boxes carry dangerous goods; 0.5 % are out-of-gauge flat
racks; 1 % have no VGM yet. Full boxes weigh their tare plus a triangular
cargo mass (20': 2-24 t, mode 10 t; 40'/45': 3-26 t, mode 11 t).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from opentos.errors import InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.slots import BayRowTier
from opentos.model.vessel import VesselProfile
from opentos.model.vessel_classes import vessel_class
from opentos.planning.stowage.problem import StowageProblem, Stowed

PORT = "CNTAO"
PORTS = ("KRPUS", "JPTYO", "USLAX", "USOAK", "CAVAN", "SGSIN", "NLRTM", "DEHAM", "BEANR")
_OPERATORS = ("COS", "MSC", "MAE", "CMA", "ONE", "HLC", "EGL", "ZIM")
_DG = (("3", 1263), ("9", 3082), ("8", 1789), ("2.1", 1950), ("6.1", 2810), ("4.1", 1325),
       ("5.1", 1942), ("2.2", 1066), ("4.3", 1415))  # fmt: skip
_TARE = {20: 2_250, 40: 3_800, 45: 4_800}


class _Boxes:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def number(self) -> ContainerNumber:
        rng = self.rng
        while True:
            owner = rng.choice(_OPERATORS)
            n = ContainerNumber.from_parts(owner, "U", f"{rng.randrange(1_000_000):06d}")
            if str(n) not in self.used:
                self.used.add(str(n))
                return n

    def make(
        self,
        iso: str,
        pod: str,
        *,
        full: bool = True,
        vgm: bool = True,
        dg: bool = False,
        oog: bool = False,
        max_cargo_kg: int = 26_000,
    ) -> Container:
        rng = self.rng
        size = SizeType.parse(iso)
        length = 45 if size.length_ft >= 45 else (40 if size.length_ft >= 40 else 20)
        reefer = size.kind.value == "reefer"
        tare = _TARE[length] + (800 if reefer else 0)
        gross = tare
        if full:
            low, mode, high = (2_000, 10_000, 24_000) if length == 20 else (3_000, 11_000, 26_000)
            high = min(high, max_cargo_kg)
            mode = min(mode, high)
            gross += int(rng.triangular(min(low, high), high, mode)) // 10 * 10
        goods: tuple[DangerousGoods, ...] = ()
        if dg and full:
            cls, un = rng.choice(_DG)
            goods = (DangerousGoods(cls, un, PackingGroup.II if cls in ("3", "8") else None),)
        gauge = None
        if oog and full:
            over = rng.choice((0, 0, 200, 400))
            gauge = OutOfGauge(over_height_mm=rng.choice((300, 600)), over_left_mm=over,
                               over_right_mm=over)  # fmt: skip
        number = self.number()
        return Container(
            number=number,
            iso_type=size,
            operator=str(number)[:3],
            full_empty=FullEmpty.FULL if full else FullEmpty.EMPTY,
            gross_weight_kg=gross,
            vgm_kg=gross if vgm else None,
            tare_kg=tare,
            port_of_loading=UnLocode.parse(PORT),
            port_of_discharge=UnLocode.parse(pod),
            reefer=ReeferSetting(-18.0) if reefer and full else None,
            dangerous_goods=goods,
            oog=gauge,
        )


def _load_box(boxes: _Boxes, rotation: Sequence[str]) -> Container:
    rng = boxes.rng
    pod = rng.choice(list(rotation))
    full = rng.random() >= 0.15
    r = rng.random()
    if r < 0.35:
        iso = "22R1" if rng.random() < 0.05 else "22G1"
    elif r < 0.95:
        s = rng.random()
        iso = "42G1" if s < 0.33 else ("45G1" if s < 0.93 else "45R1")
    else:
        iso = "L5G1"
    oog = full and rng.random() < 0.005
    if oog:
        iso = "42P1"
    return boxes.make(
        iso,
        pod,
        full=full,
        vgm=rng.random() >= 0.01,
        dg=rng.random() < 0.03,
        oog=oog,
    )


def generate_stowage(
    teu: int,
    load_moves: int,
    *,
    ports: int = 5,
    on_board_share: float = 0.2,
    discharge_share: float = 0.5,
    seed: int = 0,
) -> StowageProblem:
    """A problem for a ``teu`` vessel class at CNTAO with ``load_moves`` boxes to load.

    About ``on_board_share`` of the cells are taken at arrival, ``discharge_share``
    of those by boxes for CNTAO (discharged here, from the top of their stacks).

    Raises
    ------
    InvalidValue
        Fewer than one or more than nine ports, or a load list far beyond the room
        left (more TEU than 95 % of the free cells).
    """
    if not 1 <= ports <= len(PORTS):
        raise InvalidValue(f"ports {ports} is not 1-{len(PORTS)}")
    rng = random.Random(seed)
    profile = vessel_class(teu)
    rotation = PORTS[:ports]
    boxes = _Boxes(rng)
    on_board = _arrival(profile, boxes, rotation, on_board_share, discharge_share)
    load = _within_plugs(
        profile, on_board, [_load_box(boxes, rotation) for _ in range(load_moves)], boxes
    )
    staying = sum(s.container.teu for s in on_board if str(s.container.port_of_discharge) != PORT)
    free = profile.teu_capacity - staying
    need = sum(c.teu for c in load)
    if need > 0.95 * free:
        raise InvalidValue(
            f"a load list of {load_moves} boxes ({need:,.0f} TEU) does not fit the "
            f"{free:,.0f} TEU left on {profile.name}"
        )
    return StowageProblem(
        profile,
        UnLocode.parse(PORT),
        tuple(UnLocode.parse(p) for p in rotation),
        on_board,
        load,
    )


def _within_plugs(
    profile: VesselProfile, on_board: Sequence[Stowed], load: list[Container], boxes: _Boxes
) -> tuple[Container, ...]:
    """The load list with reefers beyond 70 % of the free plugs made dry boxes.

    A 40' reefer needs a 40' position with a plug in both cells, free and standing
    level (both cells below taken, or at the bottom of the stack).
    """
    taken = {
        cell
        for s in on_board
        for cell in profile.cells(s.slot.bay, s.slot.row, s.slot.tier, s.container.length_ft)
    }

    def level(cell: tuple[int, int, int]) -> bool:
        below = profile.below(cell)
        return cell not in taken and (below is None or below in taken)

    pairs = plugs = 0
    for section in profile.sections:
        for stack in (*section.hold.stacks, *section.deck.stacks):
            for tier in stack.reefer_tiers:
                cells = [(b, stack.row, tier) for b in section.bays20]
                plugs += sum(1 for c in cells if c not in taken)
                if section.bay40 is not None and all(level(c) for c in cells):
                    pairs += 1
    room40, room20 = int(0.7 * pairs), int(0.7 * plugs) - 2 * int(0.7 * pairs)
    out: list[Container] = []
    for box in load:
        if box.is_reefer:
            long = box.length_ft >= 40
            if (room40 if long else room20) > 0:
                if long:
                    room40 -= 1
                else:
                    room20 -= 1
            else:
                dry = "45G1" if long else "22G1"
                out.append(boxes.make(dry, str(box.port_of_discharge), full=not box.is_empty,
                                      vgm=box.vgm_kg is not None))  # fmt: skip
                continue
        out.append(box)
    return tuple(out)


def _arrival(
    profile: VesselProfile,
    boxes: _Boxes,
    rotation: Sequence[str],
    share: float,
    discharge_share: float,
) -> tuple[Stowed, ...]:
    """Stacks filled bottom up: later ports lower, within limits; reefers on plugs.

    Most boxes staying on board in a bay section are for one port (the section's
    "home"), as a planner at the previous port would have stowed them. A row's
    two 20' bays are filled to the same height (a 40' box can go on top),
    unless a weight or height limit stops one of them earlier.
    """
    rng = boxes.rng
    order = {p: i for i, p in enumerate(rotation)}
    order[PORT] = -1
    out: list[Stowed] = []
    for section in profile.sections:
        home = rng.choice(list(rotation))
        for part in (section.hold, section.deck):
            for stack in part.stacks:
                use_40 = section.bay40 is not None and rng.random() < 0.6
                bays = [section.bay40] if use_40 and section.bay40 else list(section.bays20)
                # The two 20' bays of a row are filled to the same height.
                n = sum(1 for _ in stack.tiers if rng.random() < share)
                for bay in bays:
                    assert bay is not None
                    if n == 0:
                        continue
                    pods = [
                        PORT
                        if rng.random() < discharge_share
                        else (home if rng.random() < 0.8 else rng.choice(list(rotation)))
                        for _ in range(n)
                    ]
                    pods.sort(key=lambda p: -order[p])
                    length = 40 if bay % 2 == 0 else 20
                    limit = stack.max_weight_40_kg if length == 40 else stack.max_weight_20_kg
                    weight = height = 0
                    for tier, pod in zip(stack.tiers, pods, strict=False):
                        plug = tier in stack.reefer_tiers and rng.random() < 0.5
                        iso = ("45R1" if plug else "42G1") if length == 40 else (
                            "22R1" if plug else "22G1")  # fmt: skip
                        cap = max(0, (limit - weight) // max(1, len(stack.tiers)) * 2)
                        box = boxes.make(iso, pod, full=rng.random() >= 0.2,
                                         max_cargo_kg=min(26_000, cap))  # fmt: skip
                        w = box.gross_weight_kg or 0
                        h = box.iso_type.height_mm
                        if weight + w > limit or height + h > stack.max_height_mm:
                            break
                        weight += w
                        height += h
                        out.append(Stowed(box, BayRowTier(bay, stack.row, tier)))
    return tuple(out)
