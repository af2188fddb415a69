"""Holds on containers: record one, release one, apply customs' decisions (CUSRES).

A hold is part of the box's master data (:attr:`~opentos.model.container.Container.holds`),
so it is kept with the box and shows in its status; a box on hold is neither
loaded nor gated out (:mod:`opentos.operations.moves`). A box has at most one
hold of each kind (customs, line, terminal ...).

Customs' decisions are the CUSRES documents an import kept: for each box they
name, the latest decision of all of them applies (:func:`~opentos.model.customs.latest_statuses`).
Held, selected for scan or inspection, or documents required: a customs hold.
Released: the customs hold is lifted. Accepted changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from opentos.errors import NotFound
from opentos.model.container import Container, Hold, HoldKind
from opentos.model.customs import ContainerDecision, CustomsResponse, CustomsStatus, latest_statuses
from opentos.model.ids import ContainerNumber
from opentos.storage.store import Store, Transaction

HOLDING_STATUSES = frozenset(
    {
        CustomsStatus.HELD,
        CustomsStatus.SCAN,
        CustomsStatus.INSPECTION,
        CustomsStatus.DOCUMENTS_REQUIRED,
    }
)
"""Customs decisions that stop a box until a later decision releases it."""


@dataclass(frozen=True, slots=True)
class HoldChange:
    """What a hold operation did to one box: ``changed`` is False when it was so already."""

    container: ContainerNumber
    kind: HoldKind
    action: str
    """``hold`` or ``release``."""
    changed: bool
    holds: tuple[Hold, ...]
    """The box's holds afterwards."""

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-compatible form."""
        return {
            "container": str(self.container),
            "kind": str(self.kind),
            "action": self.action,
            "changed": self.changed,
            "holds": [{"kind": str(h.kind), "reason": h.reason} for h in self.holds],
        }


def add_hold(
    store: Store, container: ContainerNumber, kind: HoldKind, reason: str = ""
) -> HoldChange:
    """Put a hold of ``kind`` on a box; one of that kind already there takes the new reason.

    Raises
    ------
    NotFound
        The container is unknown.
    """
    with store.transaction() as tx:
        return _hold(tx, tx.container(container), kind, reason, source="hold")


def release_hold(store: Store, container: ContainerNumber, kind: HoldKind) -> HoldChange:
    """Lift a box's hold of ``kind``.

    Raises
    ------
    NotFound
        The container is unknown, or has no hold of that kind.
    """
    with store.transaction() as tx:
        box = tx.container(container)
        if not any(h.kind is kind for h in box.holds):
            holds = ", ".join(str(h.kind) for h in box.holds) or "none"
            raise NotFound(f"container {container} has no {kind} hold (holds: {holds})")
        return _release(tx, box, kind, source="release")


def apply_customs_responses(store: Store, reference: str | None = None) -> list[HoldChange]:
    """Apply customs' latest decision to each box the kept CUSRES documents name.

    With ``reference``, only the boxes that response names (their latest decision
    may come from a later response).

    Raises
    ------
    NotFound
        No response ``reference`` was received, or a response names a box the
        terminal does not know (nothing is applied).
    """
    with store.transaction() as tx:
        responses = [CustomsResponse.from_dict(doc) for doc in store.documents("customs_response")]
        latest = latest_statuses(responses)
        if reference is not None:
            named = [r for r in responses if r.reference == reference]
            if not named:
                known = ", ".join(r.reference for r in responses) or "none"
                raise NotFound(f"no customs response {reference!r} (received: {known})")
            latest = {n: latest[n] for n in named[0].decisions()}
        changes: list[HoldChange] = []
        for number in sorted(latest, key=str):
            decision = latest[number]
            try:
                box = tx.container(number)
            except NotFound:
                raise NotFound(
                    f"customs response {decision.response}: container {number} is not known "
                    "to this terminal"
                ) from None
            source = f"CUSRES {decision.response}"
            if decision.status in HOLDING_STATUSES:
                changes.append(_hold(tx, box, HoldKind.CUSTOMS, _reason(decision), source))
            elif decision.status is CustomsStatus.RELEASED:
                changes.append(_release(tx, box, HoldKind.CUSTOMS, source))
        return changes


def _reason(decision: ContainerDecision) -> str:
    why = f": {decision.reason}" if decision.reason else ""
    return f"{decision.status} (customs response {decision.response}){why}"


def _hold(tx: Transaction, box: Container, kind: HoldKind, reason: str, source: str) -> HoldChange:
    hold = Hold(kind, reason)
    if hold in box.holds:
        return HoldChange(box.number, kind, "hold", False, box.holds)
    holds = (*(h for h in box.holds if h.kind is not kind), hold)
    tx.register(replace(box, holds=holds), source=source)
    return HoldChange(box.number, kind, "hold", True, holds)


def _release(tx: Transaction, box: Container, kind: HoldKind, source: str) -> HoldChange:
    holds = tuple(h for h in box.holds if h.kind is not kind)
    if holds == box.holds:
        return HoldChange(box.number, kind, "release", False, holds)
    tx.register(replace(box, holds=holds), source=source)
    return HoldChange(box.number, kind, "release", True, holds)
