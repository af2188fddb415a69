"""Holds on boxes: recorded, released and applied from customs' decisions, kept with the box."""

from __future__ import annotations

from datetime import timedelta

import pytest
from operations_helpers import T0, boxes, snapshot

from opentos.errors import NotFound
from opentos.model.container import Hold, HoldKind
from opentos.model.customs import CustomsResponse, CustomsStatus, ResponseItem
from opentos.model.ids import ContainerNumber
from opentos.operations import holds
from opentos.storage.store import Store


def _aboard(store: Store) -> list[ContainerNumber]:
    return sorted((n for n, _ in store.on_visit("V1")), key=str)


def _response(store: Store, reference: str, status: CustomsStatus, *numbers: ContainerNumber,
              hours: int = 0) -> None:  # fmt: skip
    response = CustomsResponse(
        reference, "CUSCAR1", status, tuple(ResponseItem(n) for n in numbers),
        reason="risk profile" if status is CustomsStatus.HELD else None,
        at=T0 + timedelta(hours=hours),
    )  # fmt: skip
    with store.transaction() as tx:
        tx.save_document("customs_response", reference, None, dict(response.to_dict()))


def test_a_hold_is_kept_with_the_box(call: Store) -> None:
    """A line hold is stored in the box's master data and survives reopening the store."""
    number = _aboard(call)[0]
    change = holds.add_hold(call, number, HoldKind.LINE, "unpaid freight")
    assert change.changed
    with Store.open(str(call.engine.url.render_as_string(hide_password=False))) as again:
        assert again.container(number).holds == (Hold(HoldKind.LINE, "unpaid freight"),)


def test_the_same_hold_again_changes_nothing(call: Store) -> None:
    """Holding a box with the hold it has is harmless: no change, no new version."""
    number = _aboard(call)[0]
    holds.add_hold(call, number, HoldKind.TERMINAL, "damage survey")
    before = snapshot(call)
    assert not holds.add_hold(call, number, HoldKind.TERMINAL, "damage survey").changed
    assert snapshot(call) == before


def test_a_release_lifts_only_its_kind(call: Store) -> None:
    """Releasing the customs hold leaves the line hold."""
    number = _aboard(call)[0]
    holds.add_hold(call, number, HoldKind.CUSTOMS, "scan")
    holds.add_hold(call, number, HoldKind.LINE, "unpaid")
    change = holds.release_hold(call, number, HoldKind.CUSTOMS)
    assert change.holds == (Hold(HoldKind.LINE, "unpaid"),)
    assert call.container(number).holds == (Hold(HoldKind.LINE, "unpaid"),)


def test_releasing_a_hold_the_box_lacks_is_refused(call: Store) -> None:
    """A release of a hold that is not there names the box and the holds it has."""
    number = _aboard(call)[0]
    before = snapshot(call)
    with pytest.raises(NotFound, match=f"{number} has no customs hold \\(holds: none\\)"):
        holds.release_hold(call, number, HoldKind.CUSTOMS)
    assert snapshot(call) == before


def test_an_unknown_box_cannot_be_held(call: Store) -> None:
    """A hold on a box the terminal does not know names the box."""
    stranger = boxes(1, seed=42)[0].number
    with pytest.raises(NotFound, match=str(stranger)):
        holds.add_hold(call, stranger, HoldKind.CUSTOMS)


def test_customs_decisions_hold_and_release(call: Store) -> None:
    """A held box gets a customs hold, a released one loses it; the latest decision wins."""
    first, second, third = _aboard(call)
    holds.add_hold(call, second, HoldKind.CUSTOMS, "earlier")
    _response(call, "R1", CustomsStatus.HELD, first, third)
    _response(call, "R2", CustomsStatus.RELEASED, second, third, hours=1)
    changes = holds.apply_customs_responses(call)
    assert {(c.container, c.action, c.changed) for c in changes} == {
        (first, "hold", True),
        (second, "release", True),
        (third, "release", False),
    }
    assert [h.kind for h in call.container(first).holds] == [HoldKind.CUSTOMS]
    assert "risk profile" in call.container(first).holds[0].reason
    assert call.container(second).holds == ()
    assert call.container(third).holds == ()
    before = snapshot(call)
    holds.apply_customs_responses(call)
    assert snapshot(call) == before


def test_one_response_applies_to_its_boxes_only(call: Store) -> None:
    """Applying response R1 touches the boxes R1 names, with their latest decision."""
    first, second, _ = _aboard(call)
    _response(call, "R1", CustomsStatus.HELD, first)
    _response(call, "R2", CustomsStatus.INSPECTION, second)
    changes = holds.apply_customs_responses(call, "R1")
    assert [c.container for c in changes] == [first]
    assert call.container(second).holds == ()


def test_a_response_naming_an_unknown_box_applies_nothing(call: Store) -> None:
    """A decision on a box the terminal does not know refuses the whole application."""
    first = _aboard(call)[0]
    stranger = boxes(1, seed=42)[0].number
    _response(call, "R1", CustomsStatus.HELD, first, stranger)
    before = snapshot(call)
    with pytest.raises(NotFound, match=f"customs response R1: container {stranger}"):
        holds.apply_customs_responses(call)
    assert snapshot(call) == before


def test_an_unknown_response_is_not_found(call: Store) -> None:
    """Applying a response that was never received names it."""
    with pytest.raises(NotFound, match="no customs response 'R9'"):
        holds.apply_customs_responses(call, "R9")
