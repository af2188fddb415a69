"""The ECS's last free AGV goes where it makes progress, never to a crane that cannot work."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from test_ecs_claims import RecordingLink, one_agv_ecs

from opentos.control.link import AgvOrder, Gantry
from opentos.control.quay import CraneJob, QuayMove
from opentos.model.ids import ContainerNumber
from opentos.model.slots import BayRowTier
from opentos.model.terminal import Terminal
from opentos.presets import load_preset
from opentos.synthetic import ContainerFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def one_agv_two_cranes(qc01_x_m: float) -> tuple[RecordingLink, ContainerNumber, ContainerNumber]:
    """QC01 at 100 m and QC02 at 150 m (30 m apart at least), each with one discharge;
    QC01's is at ``qc01_x_m``. One AGV. Returns the link and the two discharged boxes."""
    layout = load_preset("qianwan-1")
    factory = ContainerFactory(random.Random(5))
    first, second = factory.make(flow="import"), factory.make(flow="import")
    boxes = {first.number: first, second.number: second}
    ecs, link = one_agv_ecs(layout, Terminal(layout).inventory, boxes, qc_min_spacing_m=30.0)
    sequences = {
        "QC01": [
            CraneJob("QC01", 1, QuayMove(first.number, "discharge", BayRowTier(2, 1, 82)), qc01_x_m)
        ],
        "QC02": [
            CraneJob("QC02", 1, QuayMove(second.number, "discharge", BayRowTier(6, 1, 82)), 150.0)
        ],
    }
    ecs.add_call("V1", sequences, {})
    ecs.start()
    link.emit(Gantry(0.0, "QC01", 100.0, 100.0))
    link.emit(Gantry(0.0, "QC02", 150.0, 150.0))
    ecs.vessel_alongside("V1")
    return link, first.number, second.number


def sent_for(link: RecordingLink) -> list[ContainerNumber | None]:
    return [o.container for o in link.orders if isinstance(o, AgvOrder)]


def test_the_only_agv_is_not_sent_to_a_crane_its_neighbour_blocks() -> None:
    """QC01 cannot reach 130 m while QC02 stands at 150 m: the AGV serves QC02 first."""
    link, _, second = one_agv_two_cranes(qc01_x_m=130.0)
    assert sent_for(link) == [second]


def test_the_only_agv_serves_the_first_crane_when_it_can_work() -> None:
    """With QC01's job clear of QC02, the oldest job (ties: by crane) gets the AGV."""
    link, first, _ = one_agv_two_cranes(qc01_x_m=100.0)
    assert sent_for(link) == [first]
