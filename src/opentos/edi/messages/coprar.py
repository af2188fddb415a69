"""COPRAR: the line's load and discharge orders for one vessel call.

``BGM+45`` is a loading order, ``BGM+121`` a discharge order. The vessel call is
the ``TDT+20`` group (voyage, operator, IMO or call sign and name, ``LOC+5``
port of call), the line the header ``NAD+CA``; each box is an ``EQD`` group
(see :mod:`~opentos.edi.messages.equipment`) with its booking (``RFF+BN``) and,
when the line gives it, its slot (``LOC+147``).

=========  ==========================  =========================================
directory  UNH 0057                    guide
=========  ==========================  =========================================
D.95B      ``SMDG16``, ``ITG13``,      ITIGG COPRAR D95B / SMDG COPRAR 1.6
           none
D.95B      any other (a line's code)   the same table; the code is noted
D.00B      ``SMDG21``, ``SMDG20``      SMDG COPRAR 2.1 (2.0 read)
=========  ==========================  =========================================

Where the directories differ: D.95B has SG1 RFF-DTM, SG2 the vessel
(TDT-RFF-LOC-DTM-FTX, LOC and DTM plain segments), SG3 NAD with SG4 CTA-COM
and SG5 the boxes (EQD-RFF-EQN-TMD-DTM-LOC-MEA-DIM-TMP-RNG-SEL-FTX-DGS-EQA,
SG6 TDT-RFF-LOC-DTM, NAD), with no TMP-RNG or DGS-FTX sub-groups; D.00B
has the vessel's LOC-DTM as SG3, the parties as SG4-SG5 and the boxes as SG6
with TMP-RNG, DGS-FTX (CTA-COM) and TDT-DTM-RFF-LOC groups. Neither has a
DAM-COD group in the order. Lines that send D.95B with their own association
code (``MSK10``, ``HLC01`` …) follow the same directory; their files are read
with this table and the code is noted in a warning.
"""

from __future__ import annotations

from functools import partial

from opentos.edi.envelope import Message
from opentos.edi.messages.equipment import (
    EXPORT,
    IMPORT,
    built,
    carrier_segments,
    container_segments,
    count,
    equipment_group,
    group_name,
    interchange_writer,
    opening,
    party_group,
    read_boxes,
    read_head,
    spec_for,
    vessel_segments,
    vessel_table,
)
from opentos.edi.problems import Problems
from opentos.edi.registry import ANY_OTHER
from opentos.edi.structure import G, MessageSpec, S
from opentos.edi.syntax import Segment
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
    "Container discharge/loading order",
    guide="SMDG COPRAR 2.1 and 2.0",
    tolerates="the 2.0 association code read with the 2.1 table",
)

_D95B = (
    S("BGM", "M", 1, (LOAD_CODE, DISCHARGE_CODE), "loading or discharge order"),
    S("DTM", "C", 9, (), "message date"),
    S("FTX", "C", 9),
    G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
    vessel_table("SG2", "", ftx=True, flat=True),
    party_group("SG3", "SG4"),
    equipment_group("SG5", "M", 6, eqn=True, loc_group=False, damage=False, directory="D95B"),
    S("CNT", "C", 1),
)

COPRAR_D95B = MessageSpec(
    "COPRAR",
    "D95B",
    "SMDG16|ITG13|",
    _D95B,
    "Container discharge/loading order",
    guide="ITIGG COPRAR D.95B (ITG13), SMDG COPRAR 1.6",
    tolerates="no association code",
)

COPRAR_D95B_LINE = MessageSpec(
    "COPRAR",
    "D95B",
    ANY_OTHER,
    _D95B,
    "Container discharge/loading order",
    guide="ITIGG COPRAR D.95B as a line varies it",
    tolerates="any other association code (a line's own), with a warning",
)

SPECS: tuple[MessageSpec, ...] = (COPRAR_D95B, COPRAR_D95B_LINE, COPRAR_D00B)


def read_coprar(message: Message, problems: Problems) -> LoadDischargeOrder | None:
    """The order a COPRAR message gives; None (after an error) when its header is unusable.

    Boxes with errors are left out of the order, each error naming where it was.
    """
    expected = f"{LOAD_CODE} (loading) or {DISCHARGE_CODE} (discharge) order"
    head = read_head(message, problems, _KINDS, expected)
    if head is None:
        return None
    items: list[OrderItem] = []
    boxes = group_name(message.spec, "EQD", "SG6")
    for data, box in read_boxes(head, problems, "ordered", boxes):
        item = built(
            partial(OrderItem, box, data.slot, data.references.get("BN")),
            problems,
            data.eqd,
            "2.1",
            str(box.number),
        )
        if item is not None:
            items.append(item)
    vessel = head.vessel
    if vessel is None:
        return None
    bgm_ = head.bgm
    return built(
        lambda: LoadDischargeOrder(bgm_.el(2), head.kind, vessel, tuple(items), head.issued),
        problems,
        bgm_,
        "2",
        bgm_.el(2),
    )


def write_coprar(order: LoadDischargeOrder, version: str = "D00B") -> list[Segment]:
    """The body of a COPRAR message (UNH/UNT excluded) for ``order``."""
    spec_for(SPECS, version)
    status = EXPORT if order.kind is MoveKind.LOAD else IMPORT
    body = opening(_CODES[order.kind], order.reference, order.issued)
    body += vessel_segments(order.vessel)
    body += carrier_segments(order.vessel.operator)
    for item in order.items:
        body += container_segments(
            item.container, status=status, references=(("BN", item.booking),), position=item.slot
        )
    body.append(count(len(order.items)))
    return body


coprar_interchange = interchange_writer(SPECS, write_coprar, "D00B")
"""A whole interchange (UNA … UNZ) holding the COPRAR of an order; ``version`` as for
:func:`write_coprar`."""
