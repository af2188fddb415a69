"""Seeded, realistic container populations for demos, tests, benchmarks and the twin.

Everything here is a pure function of its arguments and a ``random.Random``:
the same seed gives the same containers, slots and events, byte for byte.

The mix is an assumption modelled on a North-China hub serving Asia-Europe,
trans-Pacific and intra-Asia services, documented where it is set in
:data:`DEFAULT_MIX`:

- types: drawn freely, about 60 % 40' (mostly high cube), 32 % 20', 2 % 45',
  7 % reefers, and a few tanks, open tops and flat racks; the yard and vessel
  fills first give each stack a length (40' for 62 % of the yard's 40'
  positions, 65 % of a vessel's stacks), then draw a type of that length, so
  by count they hold about as many 20' as 40' boxes (the demo: 49 % 20');
- 80 % full; full boxes weigh tare plus a triangular cargo weight (20': 3-28 t,
  mode 14 t; 40': 3-26 t, mode 12 t), empties their tare;
- about 3 % of full boxes carry dangerous goods (common UN numbers with their
  IMDG class and packing group); 5 % of imports are under a customs hold;
- operators and their owner prefixes are the main alliance carriers.

Yard and vessel fills put boxes only where the ledger's stacking rules allow
them (stacks of one length, bottom up; on board, later ports lower), and
every fill is returned as ``MoveEvent`` arrivals for the ledger to check.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    Hold,
    HoldKind,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
    Seal,
    SealIssuer,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import ContainerKind, SizeType
from opentos.model.layout import TerminalLayout, YardBlock
from opentos.model.ledger import MoveEvent
from opentos.model.places import VesselPlace, YardPlace
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.vessel import VesselProfile

HOME_PORT = "CNTAO"


@dataclass(frozen=True, slots=True)
class ContainerMix:
    """Shares that shape a generated container population (weights need not sum to 1)."""

    types: Sequence[tuple[str, float]] = (
        ("45G1", 0.42),
        ("42G1", 0.12),
        ("22G1", 0.29),
        ("45R1", 0.055),
        ("22R1", 0.015),
        ("L5G1", 0.02),
        ("22T1", 0.01),
        ("22U1", 0.005),
        ("42U1", 0.005),
        ("22P1", 0.004),
        ("42P1", 0.006),
    )
    operators: Sequence[tuple[str, tuple[str, ...], float]] = (
        ("COS", ("CSNU", "CBHU", "FCIU"), 0.22),
        ("MSC", ("MSCU", "MEDU"), 0.18),
        ("MSK", ("MSKU", "MRKU"), 0.14),
        ("CMA", ("CMAU", "CGMU"), 0.12),
        ("EGL", ("EGHU", "EMCU"), 0.08),
        ("ONE", ("ONEU",), 0.08),
        ("HLC", ("HLXU", "HLBU"), 0.07),
        ("OOL", ("OOLU",), 0.06),
        ("YML", ("YMLU",), 0.03),
        ("ZIM", ("ZIMU",), 0.02),
    )
    foreign_ports: Sequence[tuple[str, float]] = (
        ("NLRTM", 0.14),
        ("DEHAM", 0.10),
        ("BEANR", 0.06),
        ("GBFXT", 0.05),
        ("USLAX", 0.10),
        ("USLGB", 0.06),
        ("KRPUS", 0.12),
        ("JPTYO", 0.07),
        ("SGSIN", 0.12),
        ("MYPKG", 0.06),
        ("VNSGN", 0.05),
        ("AEJEA", 0.07),
    )
    full_share: float = 0.80
    dangerous_share: float = 0.03
    customs_hold_share: float = 0.05
    oog_share: float = 0.5
    """Share of open tops, flat racks and platforms that are out of gauge."""


DEFAULT_MIX = ContainerMix()

_TARE_KG = {20: 2_250, 40: 3_800, 45: 4_800}
_CARGO_KG = {20: (3_000, 14_000, 28_000), 40: (3_000, 12_000, 26_000), 45: (3_000, 11_000, 25_000)}
_DG = (
    ("3", 1263, PackingGroup.II, 0.30),
    ("9", 3082, PackingGroup.III, 0.25),
    ("8", 1789, PackingGroup.II, 0.12),
    ("2.1", 1950, None, 0.10),
    ("6.1", 2810, PackingGroup.III, 0.08),
    ("4.1", 1325, PackingGroup.II, 0.07),
    ("5.1", 1942, PackingGroup.III, 0.08),
)
_SET_POINTS_C = ((-18.0, 0.35), (-25.0, 0.15), (2.0, 0.25), (5.0, 0.1), (13.3, 0.15))


def _pick(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


@dataclass(slots=True)
class ContainerFactory:
    """Makes unique, valid containers from a seeded generator."""

    rng: random.Random
    mix: ContainerMix = DEFAULT_MIX
    _used: set[str] = field(default_factory=set)

    def number(self, prefix: str) -> ContainerNumber:
        """A new container number with the owner prefix ``prefix`` (e.g. ``MSCU``)."""
        while True:
            serial = f"{self.rng.randrange(1_000_000):06d}"
            number = ContainerNumber.from_parts(prefix[:3], prefix[3], serial)
            text = str(number)
            if text not in self._used:
                self._used.add(text)
                return number

    def make(
        self,
        *,
        iso_type: str | None = None,
        flow: str = "export",
        port_of_discharge: str | None = None,
        full: bool | None = None,
    ) -> Container:
        """One container; ``flow`` is ``import``, ``export`` or ``transship``."""
        rng = self.rng
        mix = self.mix
        size_type = SizeType.parse(iso_type or _pick(rng, mix.types))
        operator_weights = [(name, w) for name, _, w in mix.operators]
        operator = _pick(rng, operator_weights)
        prefixes = next(p for name, p, _ in mix.operators if name == operator)
        number = self.number(rng.choice(prefixes))
        is_full = rng.random() < mix.full_share if full is None else full
        length = 45 if size_type.length_ft >= 45 else (40 if size_type.length_ft >= 40 else 20)
        tare = _TARE_KG[length] + (800 if size_type.kind is ContainerKind.REEFER else 0)
        gross = tare
        if is_full:
            low, mode, high = _CARGO_KG[length]
            gross = tare + int(rng.triangular(low, high, mode)) // 10 * 10
        home = UnLocode.parse(HOME_PORT)
        foreign = UnLocode.parse(port_of_discharge or _pick(rng, mix.foreign_ports))
        if flow == "import":
            pol, pod = UnLocode.parse(_pick(rng, mix.foreign_ports)), home
        elif flow == "transship":
            pol, pod = UnLocode.parse(_pick(rng, mix.foreign_ports)), foreign
        else:
            pol, pod = home, foreign
        reefer = None
        if size_type.kind is ContainerKind.REEFER and is_full:
            reefer = ReeferSetting(float(_pick(rng, [(str(t), w) for t, w in _SET_POINTS_C])), None)
        dangerous: tuple[DangerousGoods, ...] = ()
        if is_full and rng.random() < mix.dangerous_share:
            cls, un, group, _ = rng.choices(_DG, weights=[d[3] for d in _DG])[0]
            dangerous = (DangerousGoods(cls, un, group),)
        oog = None
        if (
            size_type.kind
            in (ContainerKind.OPEN_TOP, ContainerKind.FLAT_RACK, ContainerKind.PLATFORM)
            and is_full
            and rng.random() < mix.oog_share
        ):
            oog = OutOfGauge(over_height_mm=rng.choice((300, 600, 900)))
        seals = (
            (Seal(f"{operator}{rng.randrange(10**7):07d}", SealIssuer.CARRIER),) if is_full else ()
        )
        holds: tuple[Hold, ...] = ()
        if flow == "import" and rng.random() < mix.customs_hold_share:
            holds = (Hold(HoldKind.CUSTOMS, "inspection"),)
        return Container(
            number=number,
            iso_type=size_type,
            operator=operator,
            full_empty=FullEmpty.FULL if is_full else FullEmpty.EMPTY,
            gross_weight_kg=gross,
            vgm_kg=gross if flow != "import" else None,
            tare_kg=tare,
            port_of_loading=pol,
            port_of_discharge=pod,
            place_of_delivery=pod,
            reefer=reefer,
            dangerous_goods=dangerous,
            oog=oog,
            seals=seals,
            holds=holds,
        )


def _length_class(container: Container) -> int:
    return 20 if container.length_ft < 40 else 40


def fill_yard(
    layout: TerminalLayout,
    factory: ContainerFactory,
    occupancy: float,
    at: datetime,
) -> tuple[list[Container], list[MoveEvent]]:
    """Fill every block to about ``occupancy`` (0-1) of its TEU capacity.

    Each 40' position (a pair of 20' bays in a row) is given to 40' or 20'
    boxes; reefers go to bays with plugs. Stacks are filled bottom up to a
    random height, so the result obeys every stacking rule.
    """
    if not 0.0 <= occupancy <= 1.0:
        raise ValueError(f"Expected 0 <= occupancy <= 1, got {occupancy}.")
    rng = factory.rng
    containers: list[Container] = []
    events: list[MoveEvent] = []
    for block in layout.blocks:
        for bay20 in range(1, 2 * block.bays, 4):
            pair = (bay20, bay20 + 2) if bay20 + 2 <= 2 * block.bays - 1 else (bay20,)
            reefer_pair = any(block.has_reefer_plug(b) for b in pair)
            for row in range(1, block.rows + 1):
                use_40 = len(pair) == 2 and rng.random() < 0.62
                stacks = [(bay20 + 1, 40)] if use_40 else [(b, 20) for b in pair]
                for bay, length in stacks:
                    height = _stack_height(rng, block, occupancy)
                    for tier in range(1, height + 1):
                        container = _yard_box(factory, length, reefer_pair, tier, height)
                        containers.append(container)
                        place = YardPlace(YardSlot(block.id, bay, row, tier))
                        events.append(MoveEvent(container.number, None, place, at))
    return containers, events


def _stack_height(rng: random.Random, block: YardBlock, occupancy: float) -> int:
    mean = occupancy * block.tiers
    low = int(mean)
    return min(block.tiers, low + (1 if rng.random() < mean - low else 0))


def _yard_box(
    factory: ContainerFactory, length: int, reefer_bay: bool, tier: int, height: int
) -> Container:
    rng = factory.rng
    # A 45' only on top of its stack: nothing shorter may stand on it.
    iso = _pick_type(factory, length, reefer_bay and rng.random() < 0.8, tier == height)
    flow = rng.choices(("import", "export", "transship"), weights=(0.4, 0.45, 0.15))[0]
    return factory.make(iso_type=iso, flow=flow)


def _length_class_of(code: str) -> int:
    return 20 if SizeType.parse(code).length_ft < 40 else 40


def _pick_type(factory: ContainerFactory, length: int, reefer: bool, allow_45: bool) -> str:
    """An ISO type of the ``length`` class (20 or 40) from the mix: a reefer when asked,
    else a non-reefer type, 45' ones only when ``allow_45``."""
    if reefer:
        return "22R1" if length == 20 else "45R1"
    options = [
        (code, w)
        for code, w in factory.mix.types
        if _length_class_of(code) == length
        and SizeType.parse(code).kind is not ContainerKind.REEFER
        and (allow_45 or SizeType.parse(code).length_ft != 45)
    ]
    return _pick(factory.rng, options)


def fill_vessel(
    visit_id: str,
    profile: VesselProfile,
    factory: ContainerFactory,
    ports: Sequence[str],
    occupancy: float,
    at: datetime,
) -> tuple[list[Container], list[MoveEvent]]:
    """Containers on board an arriving vessel, stowed without overstows.

    ``ports`` are the vessel's next ports of call in order (the first is
    discharged first); each stack holds boxes for later ports lower down, and
    heavier boxes lower among those for the same port.
    """
    if not ports:
        raise ValueError("Expected at least one port of discharge.")
    rng = factory.rng
    containers: list[Container] = []
    events: list[MoveEvent] = []
    for section in profile.sections:
        for part, on_deck in ((section.hold, False), (section.deck, True)):
            for stack in part.stacks:
                use_40 = section.bay40 is not None and rng.random() < 0.65
                bays = [section.bay40] if use_40 and section.bay40 else list(section.bays20)
                for bay in bays:
                    assert bay is not None
                    height = sum(1 for _ in stack.tiers if rng.random() < occupancy)
                    if height == 0:
                        continue
                    length = 40 if bay % 2 == 0 else 20
                    boxes = [
                        _vessel_box(factory, length, ports, on_deck and tier in stack.reefer_tiers)
                        for tier in stack.tiers[:height]
                    ]
                    rank = {p: i for i, p in enumerate(ports)}
                    boxes.sort(
                        key=lambda c: (
                            -rank[str(c.port_of_discharge)],
                            -(c.gross_weight_kg or 0),
                        )
                    )
                    for tier, container in zip(stack.tiers, boxes, strict=False):
                        containers.append(container)
                        place = VesselPlace(visit_id, BayRowTier(bay, stack.row, tier))
                        events.append(MoveEvent(container.number, None, place, at))
    return containers, events


def _vessel_box(
    factory: ContainerFactory, length: int, ports: Sequence[str], plug: bool
) -> Container:
    rng = factory.rng
    pod = rng.choice(list(ports))
    iso = _pick_type(factory, length, plug and rng.random() < 0.5, allow_45=False)
    flow = "import" if pod == HOME_PORT else "transship"
    return factory.make(
        iso_type=iso, flow=flow, port_of_discharge=None if flow == "import" else pod
    )


def batches(items: Sequence[MoveEvent], size: int) -> Iterator[Sequence[MoveEvent]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
