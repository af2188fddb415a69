"""Yard allocation and retrieval: every slot and relocation is checked by the real ledger."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.control.yard import (
    HandoverEnd,
    YardFull,
    YardView,
    allocate,
    needs_plug,
    plan_retrieval,
)
from opentos.errors import IllegalMove, NotFound, OpenTosError
from opentos.model.container import Container
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, YardPlace
from opentos.model.slots import YardSlot
from opentos.model.terminal import Terminal
from opentos.presets import load_preset
from opentos.synthetic import ContainerFactory, fill_yard

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CRANE = EquipmentPlace("YC01")
TYPES = ("22G1", "42G1", "45G1", "L5G1", "22R1", "45R1", "22T1")
ENDS: tuple[HandoverEnd, ...] = ("waterside", "landside")


# --- helpers ----------------------------------------------------------------------------------


def qianwan_blocks(*block_ids: str) -> TerminalLayout:
    """qianwan-1 cut down to a few blocks (filling the whole yard is too slow for many tests)."""
    layout = load_preset("qianwan-1")
    return dataclasses.replace(
        layout,
        blocks=tuple(layout.block(b) for b in block_ids),
        yard_cranes=tuple(c for c in layout.yard_cranes if c.block in block_ids),
    )


def filled(
    layout: TerminalLayout, seed: int, occupancy: float
) -> tuple[Terminal, ContainerFactory]:
    """A terminal whose yard ``fill_yard`` filled to ``occupancy``."""
    terminal = Terminal(layout)
    factory = ContainerFactory(random.Random(seed))
    boxes, events = fill_yard(layout, factory, occupancy, T0)
    for box in boxes:
        terminal.register(box)
    terminal.record(events)
    return terminal, factory


def move(
    terminal: Terminal,
    view: YardView,
    number: ContainerNumber,
    src: Place | None,
    dst: Place | None,
    group: str | None = None,
) -> None:
    """Record a move through the ledger (it must accept it), then follow it in the view."""
    terminal.record([MoveEvent(number, src, dst, T0)])
    view.apply(number, src, dst, group=group)


def yard_positions(terminal: Terminal) -> dict[ContainerNumber, Place]:
    return {n: p for n, p in terminal.inventory.positions().items() if isinstance(p, YardPlace)}


def columns(slot: YardSlot) -> tuple[tuple[str, int, int], ...]:
    """The 20' ground positions (block, odd bay, row) under a slot."""
    bays = (slot.bay,) if slot.bay % 2 else (slot.bay - 1, slot.bay + 1)
    return tuple((slot.block, bay, slot.row) for bay in bays)


def ledger_accepts(terminal: Terminal, number: ContainerNumber, dst: YardPlace) -> bool:
    """True if the ledger would accept moving ``number`` (or its arrival) to ``dst``."""
    inventory = terminal.inventory
    src = inventory.where(number)
    try:
        inventory.move(number, src, dst)
    except OpenTosError:
        return False
    inventory.revert(MoveEvent(number, src, dst, T0))
    return True


def legal_slots(
    terminal: Terminal, number: ContainerNumber, blocks: Iterable[str]
) -> list[YardSlot]:
    """Every yard slot the ledger accepts for ``number`` now, in ``blocks``."""
    length = terminal.containers[number].length_ft
    found = []
    for block_id in blocks:
        block = terminal.layout.block(block_id)
        for slot in block.slots(length):
            place = YardPlace(slot)
            if place != terminal.inventory.where(number) and ledger_accepts(
                terminal, number, place
            ):
                found.append(slot)
    return found


def boxes_over(terminal: Terminal, number: ContainerNumber) -> set[ContainerNumber]:
    """Boxes standing over ``number``'s cells, and over theirs (found from the inventory)."""
    cells: dict[tuple[str, int, int], dict[int, ContainerNumber]] = {}
    for box, place in yard_positions(terminal).items():
        assert isinstance(place, YardPlace)
        for column in columns(place.slot):
            cells.setdefault(column, {})[place.slot.tier] = box
    over: set[ContainerNumber] = set()
    todo = [number]
    while todo:
        here = terminal.inventory.where(todo.pop())
        assert isinstance(here, YardPlace)
        for column in columns(here.slot):
            for tier, box in cells[column].items():
                if tier > here.slot.tier and box not in over:
                    over.add(box)
                    todo.append(box)
    return over


# --- the view ---------------------------------------------------------------------------------


def test_view_mirrors_the_inventory() -> None:
    """The view holds every yard box where the inventory has it; stacks read bottom-up."""
    terminal, _ = filled(load_preset("tiny"), 3, 0.6)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    assert view.positions() == yard_positions(terminal)
    assert len(view) == len(terminal.inventory)
    assert view.count("A01") == len(terminal.inventory)
    for length in (20, 40):
        for stack in view.stacks("A01", length):
            ground = set(columns(YardSlot("A01", stack.bay, stack.row, 1)))
            tiers = [view_slot(view, box).tier for box in stack.boxes]
            assert all(ground & set(columns(view_slot(view, box))) for box in stack.boxes)
            assert tiers == sorted(tiers)
            assert stack.height == max(tiers, default=0)
            assert stack.free_height == 4 - stack.height
            assert stack.reefer_plug == (stack.bay == 11)
            if stack.boxes:
                top = terminal.containers[stack.boxes[-1]].length_ft
                assert stack.length_class == (20 if top < 40 else 40)
            else:
                assert stack.length_class is None


def test_view_rejects_a_move_out_of_step_and_stays_unchanged() -> None:
    """A move the view cannot follow (box not on top, wrong place) raises IllegalMove."""
    terminal, _ = filled(load_preset("tiny"), 3, 0.6)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    before = view.positions()
    stack = next(s for s in view.stacks("A01", 20) if s.height >= 2)
    bottom = stack.boxes[0]
    with pytest.raises(IllegalMove, match=str(bottom)):
        view.apply(bottom, YardPlace(YardSlot("A01", stack.bay, stack.row, 1)), CRANE)
    top = stack.boxes[-1]
    with pytest.raises(IllegalMove, match=r"not in the yard|the view has it"):
        view.apply(top, YardPlace(YardSlot("A01", stack.bay, stack.row, 1)), CRANE)
    here = view_slot(view, top)
    too_high = YardPlace(YardSlot("A01", here.bay, here.row, 9))
    with pytest.raises(IllegalMove, match="has 4 tiers"):
        view.apply(top, YardPlace(view_slot(view, top)), too_high)
    assert view.positions() == before


# --- allocation -------------------------------------------------------------------------------

arrivals = st.lists(
    st.tuples(
        st.sampled_from(TYPES),
        st.booleans(),
        st.sampled_from(("V1/NLRTM", "V1/SGSIN", "V2/USLAX", "import:V3")),
        st.sampled_from(ENDS),
    ),
    min_size=30,
    max_size=150,
)


@given(seed=st.integers(0, 10_000), occupancy=st.floats(0.0, 0.7), boxes=arrivals)
@settings(max_examples=30)
def test_every_allocated_slot_is_accepted_by_the_ledger(
    seed: int, occupancy: float, boxes: list[tuple[str, bool, str, HandoverEnd]]
) -> None:
    """Allocated slots pass the ledger; YardFull only when the ledger takes no slot at all."""
    terminal, factory = filled(load_preset("tiny"), seed, occupancy)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    for iso, full, group, end in boxes:
        box = factory.make(iso_type=iso, full=full)
        terminal.register(box)
        try:
            slot = allocate(view, box, group=group, prefer_bay_near=end)
        except YardFull as exc:
            assert str(box.number) in str(exc)
            plugged = [
                s
                for s in legal_slots(terminal, box.number, ["A01"])
                if not needs_plug(box) or terminal.layout.block("A01").has_reefer_plug(s.bay)
            ]
            assert plugged == []
            continue
        move(terminal, view, box.number, None, YardPlace(slot), group)
        if needs_plug(box):
            assert terminal.layout.block("A01").has_reefer_plug(slot.bay)
    assert view.positions() == yard_positions(terminal)


@given(seed=st.integers(0, 10_000), occupancy=st.floats(0.1, 0.6))
@settings(max_examples=10)
def test_hundreds_of_boxes_into_a_qianwan_block(seed: int, occupancy: float) -> None:
    """Hundreds of mixed boxes into a partly filled qianwan-1 block: the ledger takes every one."""
    terminal, factory = filled(qianwan_blocks("A08"), seed, occupancy)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    rng = random.Random(seed)
    for _ in range(300):
        box = factory.make(iso_type=rng.choice(TYPES))
        terminal.register(box)
        group = rng.choice(("V1/NLRTM", "V1/DEHAM", "V2/KRPUS", "import:V3", "import:V4"))
        try:
            slot = allocate(view, box, group=group, prefer_bay_near=rng.choice(ENDS))
        except YardFull:
            assert needs_plug(box)  # only the plugs can run out this early
            continue
        move(terminal, view, box.number, None, YardPlace(slot), group)
    assert view.positions() == yard_positions(terminal)


def test_reefers_land_on_plugs_and_dry_boxes_keep_off_them() -> None:
    """Laden reefers go only to plugged bays; dry boxes leave plugs free while there is room."""
    terminal, factory = filled(qianwan_blocks("A08"), 11, 0.3)
    block = terminal.layout.block("A08")
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    rng = random.Random(4)
    for _ in range(150):
        box = factory.make(iso_type=rng.choice(("22R1", "45R1", "22G1", "45G1")), full=True)
        terminal.register(box)
        slot = allocate(view, box, group=rng.choice(("V1/NLRTM", "V2/KRPUS")))
        assert block.has_reefer_plug(slot.bay) == box.is_reefer, (box.iso_type, slot)
        move(terminal, view, box.number, None, YardPlace(slot))


def test_a_reefer_with_no_plugged_position_raises_yard_full() -> None:
    """The tiny block has plugs only in 20' bay 11: a laden 40' reefer raises YardFull."""
    terminal = Terminal(load_preset("tiny"))
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    reefer = ContainerFactory(random.Random(1)).make(iso_type="45R1", full=True)
    with pytest.raises(YardFull, match=f"{reefer.number}.*reefer plug") as info:
        allocate(view, reefer, group="V1/NLRTM")
    assert info.value.container == reefer.number


def test_yard_full_when_every_slot_is_taken() -> None:
    """An empty tiny block takes exactly its 96 TEU of 20' boxes, then raises YardFull."""
    terminal = Terminal(load_preset("tiny"))
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    factory = ContainerFactory(random.Random(2))
    placed = 0
    while True:
        box = factory.make(iso_type="22G1")
        terminal.register(box)
        try:
            slot = allocate(view, box, group=f"G{placed % 3}")
        except YardFull as exc:
            assert str(box.number) in str(exc)
            break
        move(terminal, view, box.number, None, YardPlace(slot))
        placed += 1
    assert placed == terminal.layout.block("A01").capacity_teu


def test_groups_cluster_in_their_own_stacks_and_bays() -> None:
    """Boxes of a group arriving mixed with others share stacks and bays with their group."""
    terminal, factory = filled(qianwan_blocks("A03"), 5, 0.3)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    rng = random.Random(8)
    groups = ("V1/NLRTM", "V1/DEHAM", "V2/USLAX", "V2/KRPUS")
    mine: dict[ContainerNumber, str] = {}
    for _ in range(240):
        box = factory.make(iso_type=rng.choice(("22G1", "45G1")))
        terminal.register(box)
        group = rng.choice(groups)
        slot = allocate(view, box, group=group)
        move(terminal, view, box.number, None, YardPlace(slot), group)
        mine[box.number] = group
    bays: dict[str, Counter[int]] = {g: Counter() for g in groups}
    stacks: dict[tuple[int, int], set[str]] = {}
    for number, group in mine.items():
        where = view_slot(view, number)
        bays[group][(where.bay - 1) // 4] += 1  # a 40' bay and its two 20' bays count as one
        stacks.setdefault((where.bay, where.row), set()).add(group)
    # No stack holds the new boxes of two groups.
    assert all(len(held) == 1 for held in stacks.values())
    for group, counts in bays.items():
        total = sum(counts.values())
        top_bays = sum(n for _, n in counts.most_common(3))
        assert top_bays >= 0.8 * total, (group, counts)


def test_a_block_keeps_room_for_relocations_while_another_has_room() -> None:
    """The preferred block is filled only up to its relocation reserve; the rest spills over,
    and every box in the full block can still be dug out."""
    terminal, factory = filled(qianwan_blocks("A01", "A02"), 21, 0.55)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    rng = random.Random(21)
    for _ in range(800):
        box = factory.make(iso_type=rng.choice(("22G1", "45G1", "L5G1", "42G1")), full=False)
        terminal.register(box)
        group = rng.choice(("V1/NLRTM", "V1/SGSIN", "V2/USLAX"))
        slot = allocate(view, box, group=group, blocks=["A01", "A02"])
        move(terminal, view, box.number, None, YardPlace(slot), group)
    block = terminal.layout.block("A01")
    keep = 2 * block.rows * (block.tiers - 1)
    assert view.teu("A01") > 0.9 * block.capacity_teu  # A01 was filled first ...
    assert view.teu("A01") <= block.capacity_teu - keep  # ... up to its reserve
    assert view.count("A02") > 0
    in_a01 = [
        n
        for n, p in yard_positions(terminal).items()
        if isinstance(p, YardPlace) and p.slot.block == "A01"
    ]
    for number in rng.sample(in_a01, 100):
        plan = plan_retrieval(view, number)
        assert len(plan) == len(boxes_over(terminal, number))


def test_reserved_slots_are_never_returned() -> None:
    """A slot promised to a box on its way is never allocated, nor anything on its stack."""
    terminal, factory = filled(load_preset("tiny"), 7, 0.3)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    reserved: set[YardSlot] = set()
    for kind in ("22G1", "42G1") * 4:
        box = factory.make(iso_type=kind)
        slot = allocate(view, box, group="V1/NLRTM", reserved=reserved)
        assert slot not in reserved
        assert not set(columns(slot)) & {c for r in reserved for c in columns(r)}
        reserved.add(slot)


def test_bays_near_the_handover_end_are_preferred() -> None:
    """In an empty block a box goes next to the end it leaves from; plugs are kept free."""
    terminal = Terminal(load_preset("tiny"))
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    factory = ContainerFactory(random.Random(3))
    twenty, forty = factory.make(iso_type="22G1"), factory.make(iso_type="42G1")
    assert allocate(view, twenty, group="G").bay == 1
    assert allocate(view, forty, group="G").bay == 2
    assert allocate(view, twenty, group="G", prefer_bay_near="landside").bay == 9  # 11: plugs
    assert allocate(view, forty, group="G", prefer_bay_near="landside").bay == 8


def test_blocks_are_used_in_the_order_given() -> None:
    """With room everywhere, the first block given is used."""
    layout = load_preset("qianwan-1")
    terminal = Terminal(layout)
    view = YardView(layout, terminal.inventory, terminal.containers)
    box = ContainerFactory(random.Random(3)).make(iso_type="22G1")
    assert allocate(view, box, group="G", blocks=["A05", "A01"]).block == "A05"
    with pytest.raises(NotFound, match="A99"):
        allocate(view, box, group="G", blocks=["A99"])


# --- retrieval --------------------------------------------------------------------------------


@given(
    seed=st.integers(0, 10_000),
    occupancy=st.floats(0.3, 0.75),
    pick=st.integers(0, 10_000),
    with_due=st.booleans(),
)
@settings(max_examples=40)
def test_planned_relocations_are_accepted_and_uncover_the_target(
    seed: int, occupancy: float, pick: int, with_due: bool
) -> None:
    """Each relocation passes the ledger in turn; then the target lifts; one move per box over it.

    A blocker lands on a box due sooner than itself only when every legal slot off the dug
    stacks does.
    """
    terminal, _ = filled(load_preset("tiny"), seed, occupancy)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    in_yard = sorted(yard_positions(terminal))
    if not in_yard:
        return
    target = in_yard[pick % len(in_yard)]
    rng = random.Random(pick)
    due = {n: float(rng.randrange(10)) for n in in_yard} if with_due else None
    over = boxes_over(terminal, target)
    plan = plan_retrieval(view, target, due=due)
    assert len(plan) == len(over)
    assert {number for number, _, _ in plan} == over
    dug = {c for number in [target, *over] for c in columns(view_slot(view, number))}
    for number, src, dst in plan:
        assert dst.slot.block == src.slot.block
        if due is not None:
            check_due_choice(terminal, number, dst, dug, due)
        move(terminal, view, number, src, dst)
    place = terminal.inventory.where(target)
    move(terminal, view, target, place, CRANE)  # the lift: nothing stands on it
    assert view.positions() == yard_positions(terminal)


def view_slot(view: YardView, number: ContainerNumber) -> YardSlot:
    slot = view.where(number)
    assert slot is not None
    return slot


def check_due_choice(
    terminal: Terminal,
    number: ContainerNumber,
    chosen: YardPlace,
    dug: set[tuple[str, int, int]],
    due: dict[ContainerNumber, float],
) -> None:
    """Fail if ``chosen`` buries a box due sooner while a legal slot off ``dug`` buries none.

    Only plugged slots count for a box that needs a plug, when there are some.
    """
    below: dict[tuple[str, int, int], float] = {}
    for box, place in yard_positions(terminal).items():
        assert isinstance(place, YardPlace)
        for column in columns(place.slot):
            below[column] = min(below.get(column, float("inf")), due[box])

    def sooner(slot: YardSlot) -> bool:
        return any(below.get(c, float("inf")) < due[number] for c in columns(slot))

    if not sooner(chosen.slot):
        return
    options = [
        s for s in legal_slots(terminal, number, [chosen.slot.block]) if not set(columns(s)) & dug
    ]
    block = terminal.layout.block(chosen.slot.block)
    plugged = [s for s in options if block.has_reefer_plug(s.bay)]
    if needs_plug(terminal.containers[number]) and plugged:
        options = plugged  # a plug comes first for a box that needs one
    assert all(sooner(s) for s in options), f"{number} buries a box due sooner at {chosen}"


def test_relocated_boxes_avoid_boxes_due_sooner() -> None:
    """Given a near stack due sooner and a far one due later, the blocker goes far."""
    layout = load_preset("tiny")
    terminal = Terminal(layout)
    factory = ContainerFactory(random.Random(6))
    boxes = [factory.make(iso_type="22G1") for _ in range(4)]
    for box in boxes:
        terminal.register(box)
    target, blocker, near, far = (b.number for b in boxes)
    view = YardView(layout, terminal.inventory, terminal.containers)
    move(terminal, view, target, None, YardPlace(YardSlot("A01", 3, 1, 1)))
    move(terminal, view, blocker, None, YardPlace(YardSlot("A01", 3, 1, 2)))
    move(terminal, view, near, None, YardPlace(YardSlot("A01", 3, 2, 1)))
    move(terminal, view, far, None, YardPlace(YardSlot("A01", 9, 4, 1)))
    # Every other ground position is reserved, so the choice is near (due 1) or far (due 9).
    taken = {(3, 1), (3, 2), (9, 4)}
    reserved = [
        YardSlot("A01", bay, row, 1)
        for bay in range(1, 12, 2)
        for row in range(1, 5)
        if (bay, row) not in taken
    ]
    due = {target: 0.0, blocker: 5.0, near: 1.0, far: 9.0}
    plan = plan_retrieval(view, target, due=due, reserved=reserved)
    assert plan == [
        (blocker, YardPlace(YardSlot("A01", 3, 1, 2)), YardPlace(YardSlot("A01", 9, 4, 2)))
    ]
    # Without due times the nearest stack wins.
    plan = plan_retrieval(view, target, reserved=reserved)
    assert plan[0][2] == YardPlace(YardSlot("A01", 3, 2, 2))


def test_a_box_on_top_needs_no_relocation_and_an_absent_one_is_not_found() -> None:
    """The top box of a stack plans no moves; a box outside the yard raises NotFound."""
    terminal, factory = filled(load_preset("tiny"), 2, 0.5)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    stack = next(s for s in view.stacks("A01", 20) if s.boxes)
    assert plan_retrieval(view, stack.boxes[-1]) == []
    stranger = factory.make()
    with pytest.raises(NotFound, match=str(stranger.number)):
        plan_retrieval(view, stranger)


def test_view_keeps_step_over_a_long_run() -> None:
    """Thousands of arrivals, relocations and retrievals: the view always equals the inventory."""
    terminal, factory = filled(qianwan_blocks("A10"), 12, 0.5)
    view = YardView(terminal.layout, terminal.inventory, terminal.containers)
    rng = random.Random(12)
    groups = [f"V{k}" for k in range(6)]
    for _ in range(1500):
        if rng.random() < 0.5:
            box: Container = factory.make(iso_type=rng.choice(TYPES))
            terminal.register(box)
            group = rng.choice(groups)
            slot = allocate(view, box, group=group, prefer_bay_near="landside")
            move(terminal, view, box.number, None, YardPlace(slot), group)
        else:
            target = rng.choice(sorted(yard_positions(terminal)))
            for number, src, dst in plan_retrieval(view, target):
                move(terminal, view, number, src, dst)
            move(terminal, view, target, terminal.inventory.where(target), CRANE)
            move(terminal, view, target, CRANE, None)
    assert view.positions() == yard_positions(terminal)
