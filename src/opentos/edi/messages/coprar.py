"""COPRAR: the line's load and discharge orders for one vessel call (SMDG COPRAR 2.1, D.00B).

``BGM+45`` is a loading order, ``BGM+121`` a discharge order. The vessel call is
the ``TDT+20`` group (voyage, operator, IMO or call sign and name, ``LOC+5``
port of call), the line the header ``NAD+CA``; each box is an ``EQD`` group
(see :mod:`~opentos.edi.messages.equipment`) with its booking (``RFF+BN``) and,
when the line gives it, its slot (``LOC+147``).
"""

from __future__ import annotations

from datetime import datetime

from opentos.edi.envelope import Message
from opentos.edi.messages.common import dtm
from opentos.edi.messages.equipment import (
    EXPORT,
    IMPORT,
    bgm,
    carrier_segments,
    container_of,
    container_segments,
    equipment_group,
    header_party,
    item_dropped,
    message_interchange,
    message_tree,
    party_group,
    read_equipment,
    read_issued,
    read_vessel,
    spec_for,
    vessel_segments,
    vessel_table,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, S
from opentos.edi.syntax import Segment
from opentos.errors import DomainError
from opentos.model.ids import ContainerNumber
from opentos.model.moves import MoveKind
from opentos.model.orders import LoadDischargeOrder, OrderItem

LOAD_CODE, DISCHARGE_CODE = "45", "121"
"""BGM document codes (1001): loading order, discharge order."""
_KINDS = {LOAD_CODE: MoveKind.LOAD, DISCHARGE_CODE: MoveKind.DISCHARGE}
_CODES = {v: k for k, v in _KINDS.items()}

COPRAR_D00B = MessageSpec(
    "COPRAR",
    "D00B",
    "SMDG21|SMDG20",
    (
        S("BGM", "M", 1, (LOAD_CODE, DISCHARGE_CODE), "loading or discharge order"),
        S("DTM", "C", 9, (), "message date"),
        S("FTX", "C", 9),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
        vessel_table("SG2", "SG3", ftx=True),
        party_group("SG4", "SG5"),
        equipment_group("SG6", "M", 7, eqn=True, loc_group=False, damage=False),
        S("CNT", "C", 1),
    ),
    "Container discharge/loading order (SMDG COPRAR 2.1)",
)

SPECS: tuple[MessageSpec, ...] = (COPRAR_D00B,)


def read_coprar(message: Message, problems: Problems) -> LoadDischargeOrder | None:
    """The order a COPRAR message gives; None (after an error) when its header is unusable.

    Boxes with errors are left out of the order, each error naming where it was.
    """
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    kind = _KINDS.get(head.el(1))
    if kind is None:
        problems.error(
            f"document code must be {LOAD_CODE} (loading) or {DISCHARGE_CODE} (discharge) order",
            at=head,
            element="1",
            value=head.el(1),
        )
        return None
    operator = next(filter(None, (header_party(g) for g in tree.groups("SG4"))), None)
    call = next(iter(tree.groups("SG2")), None)
    vessel = None if call is None else read_vessel(call, problems, operator)
    issued = read_issued(tree, problems)
    items: list[OrderItem] = []
    seen: set[ContainerNumber] = set()
    for group in tree.groups("SG6"):
        data = read_equipment(group, problems)
        box = container_of(data, operator or (vessel.operator if vessel else None), problems)
        if item_dropped(data, box) or box is None:
            continue
        if box.number in seen:
            problems.error(
                f"container {box.number} is ordered twice",
                at=data.eqd,
                element="2.1",
                value=str(box.number),
            )
            continue
        seen.add(box.number)
        try:
            items.append(OrderItem(box, data.slot, data.references.get("BN")))
        except DomainError as exc:
            problems.error(str(exc), at=data.eqd, element="2.1", value=str(box.number))
    if vessel is None:
        return None
    try:
        return LoadDischargeOrder(head.el(2), kind, vessel, tuple(items), issued)
    except DomainError as exc:
        problems.error(str(exc), at=head, element="2", value=head.el(2))
        return None


def write_coprar(order: LoadDischargeOrder, version: str = "D00B") -> list[Segment]:
    """The body of a COPRAR message (UNH/UNT excluded) for ``order``."""
    spec_for(SPECS, version)
    status = EXPORT if order.kind is MoveKind.LOAD else IMPORT
    body = [bgm(_CODES[order.kind], order.reference)]
    if order.issued is not None:
        body.append(dtm("137", order.issued))
    body += vessel_segments(order.vessel)
    body += carrier_segments(order.vessel.operator)
    for item in order.items:
        body += container_segments(
            item.container, status=status, references=(("BN", item.booking),), position=item.slot
        )
    body.append(Segment.of("CNT", ("16", str(len(order.items)))))
    return body


def coprar_interchange(
    order: LoadDischargeOrder,
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
    version: str = "D00B",
) -> str:
    """A whole interchange (UNA … UNZ) holding the COPRAR of ``order``."""
    return message_interchange(
        spec_for(SPECS, version),
        write_coprar(order, version),
        sender=sender,
        recipient=recipient,
        reference=reference,
        prepared=prepared,
    )
