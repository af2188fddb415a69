"""A twin study recorded into a Store: the same run, its moves in the Store's ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from opentos.errors import IllegalMove
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveState
from opentos.model.places import YardPlace
from opentos.operations.scenarios import Scenario, small_call
from opentos.operations.twin_study import SimulationSettings, simulate
from opentos.storage.store import Store

SETTINGS = SimulationSettings(agvs=12, seed=3)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The small call (60 discharges, 60 loads, 2 quay cranes)."""
    return small_call()


def _store_with_yard(path: Path, scenario: Scenario) -> Store:
    store = Store.create(f"sqlite:///{path}", scenario.layout, "qianwan-1")
    boxes = {c.number: c for c in scenario.containers}
    with store.transaction() as tx:
        tx.register_many([boxes[n] for n, _ in scenario.yard])
        tx.record([MoveEvent(n, None, YardPlace(s), scenario.start) for n, s in scenario.yard])
    return store


@pytest.mark.slow
def test_a_study_writes_its_moves_and_instructions_into_the_store(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The Store's ledger gets the run's moves in order, batch by batch, and the call's
    crane jobs as done work instructions; the run is the same as without a Store."""
    plain = simulate(scenario, SETTINGS)
    with _store_with_yard(tmp_path / "t.db", scenario) as store:
        head = store.head()
        result = simulate(scenario, SETTINGS, store=store, batch=100)
        assert result.kpis == plain.kpis
        recorded = store.events(since=head)
        key = [(e.container, e.from_place, e.to_place, e.at, e.equipment) for e in recorded]
        assert key == [(e.container, e.from_place, e.to_place, e.at, e.equipment)
                       for e in result.events]  # fmt: skip
        assert store.rebuild().consistent
        call = scenario.calls[0]
        work = store.instructions(call.visit.id)
        assert len(work) == call.moves
        assert all(w.state is MoveState.DONE and w.actual_end is not None for w in work)
        assert str(store.visit(call.visit.id).phase) == "departed"


def test_a_study_refuses_a_store_without_its_yard(scenario: Scenario, tmp_path: Path) -> None:
    """A Store that does not hold the scenario's yard gets nothing: the error names a box."""
    with Store.create(f"sqlite:///{tmp_path / 'e.db'}", scenario.layout, "qianwan-1") as store:
        with pytest.raises(IllegalMove, match="in the store"):
            simulate(scenario, SETTINGS, store=store)
        assert store.head() == 0
        assert store.visits() == []
