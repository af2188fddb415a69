"""The ECS's claims on yard boxes: no two machines hold orders that touch the same box."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from opentos.control.dispatch import policy as dispatch_policy
from opentos.control.ecs import EquipmentControl
from opentos.control.link import (
    EquipmentEvent,
    EventHandler,
    Moved,
    Order,
    OrderDone,
    TruckArrived,
    YardCraneOrder,
)
from opentos.control.quay import CraneJob, QuayMove
from opentos.control.routing import Router
from opentos.control.yard import YardView
from opentos.model.container import Container
from opentos.model.guidepath import build_guidepath
from opentos.model.ids import ContainerNumber
from opentos.model.layout import TerminalLayout
from opentos.model.ledger import Inventory, MoveEvent
from opentos.model.places import EquipmentPlace, YardPlace
from opentos.model.slots import BayRowTier, YardSlot
from opentos.model.terminal import Terminal
from opentos.presets import load_preset
from opentos.synthetic import ContainerFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class RecordingLink:
    """An equipment link that keeps the orders sent and lets the test play the machines."""

    def __init__(self) -> None:
        self.orders: list[Order] = []
        self.handlers: list[EventHandler] = []

    def send(self, order: Order) -> None:
        self.orders.append(order)

    def cancel(self, machine: str, order_id: str) -> None:
        pass

    def subscribe(self, handler: EventHandler) -> None:
        self.handlers.append(handler)

    def now_s(self) -> float:
        return 0.0

    def emit(self, event: EquipmentEvent) -> None:
        for handler in self.handlers:
            handler(event)

    def yard_orders(self, crane: str) -> list[YardCraneOrder]:
        return [o for o in self.orders if isinstance(o, YardCraneOrder) and o.crane == crane]

    def play(self, order: YardCraneOrder) -> None:
        """The crane does ``order``: lifts the box and puts it down, or (a retrieval) keeps
        it in its spreader, then reports the order done (the vehicle is not played)."""
        crane = EquipmentPlace(order.crane)
        self.emit(Moved(0.0, order.crane, order.container, order.source, crane, None))
        if isinstance(order.target, YardPlace):
            self.emit(Moved(0.0, order.crane, order.container, crane, order.target, None))
        self.emit(OrderDone(0.0, order.crane, order.order_id))


def one_agv_ecs(
    layout: TerminalLayout,
    inventory: Inventory,
    boxes: dict[ContainerNumber, Container],
    **options: float,
) -> tuple[EquipmentControl, RecordingLink]:
    """The ECS over a recording link, with the layout's first AGV parked (fcfs, 5 m/s)."""
    path = build_guidepath(layout)
    router = Router(path, lambda edge, starts, stops: edge.length_m / 5.0)
    agv = layout.agvs[0].id
    home = sorted(path.parkings())[0]
    router.hold(agv, home, 0.0)
    link = RecordingLink()
    ecs = EquipmentControl(
        link, layout, path, router, dispatch_policy("fcfs"), YardView(layout, inventory, boxes),
        boxes, {agv: home}, 5.0, **options,
    )  # fmt: skip
    return ecs, link


def a04_case(
    *, truck_first: bool = False
) -> tuple[RecordingLink, ContainerNumber, ContainerNumber, YardSlot]:
    """Block A04: a load's box under an import box a truck comes for (as in the day run).

    One AGV takes the load, so the waterside crane is ordered to relocate the import box;
    then the truck for the import box is through the gate (or, ``truck_first``, before).
    Returns the link, the load's box, the import box and where the import box stands.
    """
    layout = load_preset("qianwan-1")
    factory = ContainerFactory(random.Random(6991086))
    export = factory.make(iso_type="22G1", flow="export")
    imported = factory.make(iso_type="22G1", flow="import")
    boxes: dict[ContainerNumber, Container] = {export.number: export, imported.number: imported}
    terminal = Terminal(layout)
    for box in boxes.values():
        terminal.register(box)
    under = YardSlot("A04", 75, 8, 1)
    over = YardSlot("A04", 75, 8, 2)
    terminal.record(
        [
            MoveEvent(export.number, None, YardPlace(under), T0),
            MoveEvent(imported.number, None, YardPlace(over), T0),
        ]
    )
    ecs, link = one_agv_ecs(layout, terminal.inventory, boxes)
    job = CraneJob("QC01", 1, QuayMove(export.number, "load", BayRowTier(2, 1, 82)), 100.0)
    ecs.add_call("V1", {"QC01": [job]}, {export.number: YardPlace(under)})
    ecs.start()
    if truck_first:
        link.emit(TruckArrived(0.0, "TRK1", imported.number, "import"))
    ecs.vessel_alongside("V1")
    return link, export.number, imported.number, over


def test_a04_relocation_then_truck_retrieval_waits_for_the_dig_out() -> None:
    """A box the waterside crane relocates is not given to the landside crane meanwhile."""
    link, export, imported, over = a04_case()
    (relocation,) = link.yard_orders("A04-W")
    assert relocation.kind == "relocate"
    assert relocation.container == imported
    link.emit(TruckArrived(0.0, "TRK1", imported, "import"))
    assert link.yard_orders("A04-L") == []  # the box is claimed by the waterside dig-out
    link.play(relocation)
    lift = link.yard_orders("A04-W")[-1]
    assert (lift.kind, lift.container) == ("retrieve", export)
    assert link.yard_orders("A04-L") == []  # claimed until the dig-out's lift is done
    link.play(lift)
    (retrieval,) = link.yard_orders("A04-L")
    assert (retrieval.kind, retrieval.container) == ("retrieve", imported)
    assert retrieval.source == relocation.target  # where the relocation put it
    assert retrieval.source != YardPlace(over)


def test_truck_first_then_the_load_waits_for_the_landside_dig_out() -> None:
    """A box the landside crane is lifting for a truck is not the waterside's to relocate."""
    link, export, imported, over = a04_case(truck_first=True)
    (lift,) = link.yard_orders("A04-L")
    assert (lift.kind, lift.container, lift.source) == ("retrieve", imported, YardPlace(over))
    assert link.yard_orders("A04-W") == []  # the import box is claimed by the landside
    link.play(lift)
    (retrieval,) = link.yard_orders("A04-W")
    assert (retrieval.kind, retrieval.container) == ("retrieve", export)
