"""CODECO: the terminal's gate-in and gate-out reports.

``BGM+34`` reports boxes in through the gate, ``BGM+36`` boxes out. The line
the report is for is the header ``NAD+CA``. Each box is an ``EQD`` group (see
:mod:`~opentos.edi.messages.equipment`) with its booking (``RFF+BN``) or release
(``RFF+RE``), the gate time (``DTM+7``) and the truck: ``TDT+1++3+31`` with the
haulier in element 5 and the licence plate in element 8.

=========  ========================  ===========================================
directory  UNH 0057                  guide
=========  ========================  ===========================================
D.95B      none, ``SMDG16``,         ITIGG CODECO D95B 1.4 (JM4/ITIGG/105) /
           ``ITG13``, ``ITG``        SMDG CODECO 1.6
D.00B      ``SMDG20``, ``SMDG21``    SMDG CODECO 2.0 / 2.1
=========  ========================  ===========================================

Where the directories differ: D.95B has SG1 RFF-DTM, SG2 the vessel
(TDT-RFF-LOC-DTM, plain LOC and DTM), SG3 NAD with SG4 CTA-COM and SG5 the
boxes (EQD-RFF-TMD-DTM-LOC-MEA-DIM-TMP-RNG-SEL-FTX-DGS-EQA, SG6 DAM-COD, SG7
TDT-RFF-LOC-DTM for the truck, NAD); D.00B has the vessel's LOC-DTM group
(SG3), the parties as SG4-SG5 and the boxes as SG6 with LOC-DTM, TMP-RNG,
DGS-FTX, DAM-COD and TDT-DTM-RFF-LOC groups. Both are written with the same
segments.
"""

from __future__ import annotations

from functools import partial

from opentos.edi.envelope import Message
from opentos.edi.messages.equipment import (
    built,
    carrier_segments,
    container_segments,
    count,
    equipment_group,
    group_name,
    interchange_writer,
    missing,
    opening,
    party_group,
    read_boxes,
    read_head,
    spec_for,
    vessel_table,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, S
from opentos.edi.syntax import Segment
from opentos.model.moves import MoveKind
from opentos.model.orders import GateItem, GateReport

GATE_IN_CODE, GATE_OUT_CODE = "34", "36"
"""BGM document codes (1001): gate-in report, gate-out report."""
GATE_TIME = "7"
"""DTM qualifier (2005) of the gate time: effective date/time."""
_KINDS = {GATE_IN_CODE: MoveKind.GATE_IN, GATE_OUT_CODE: MoveKind.GATE_OUT}
_CODES = {v: k for k, v in _KINDS.items()}

CODECO_D00B = MessageSpec(
    "CODECO",
    "D00B",
    "SMDG20|SMDG21",
    (
        S("BGM", "M", 1, (GATE_IN_CODE, GATE_OUT_CODE), "gate-in or gate-out report"),
        S("DTM", "C", 9, (), "message date"),
        S("FTX", "C", 9),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
        vessel_table("SG2", "SG3", "C"),
        party_group("SG4", "SG5"),
        equipment_group("SG6", "C", 7, eqn=False, loc_group=True, damage=True),
        S("CNT", "C", 1),
    ),
    "Container gate-in/gate-out report",
    guide="SMDG CODECO 2.0 and 2.1",
    tolerates="the 2.1 association code read with the 2.0 table",
)

CODECO_D95B = MessageSpec(
    "CODECO",
    "D95B",
    "|SMDG16|ITG13|ITG",
    (
        S("BGM", "M", 1, (GATE_IN_CODE, GATE_OUT_CODE), "gate-in or gate-out report"),
        S("DTM", "C", 9, (), "message date"),
        S("FTX", "C", 9),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
        vessel_table("SG2", "", "C", flat=True),
        party_group("SG3", "SG4"),
        equipment_group("SG5", "C", 6, eqn=False, loc_group=False, damage=True, directory="D95B"),
        S("CNT", "C", 1),
    ),
    "Container gate-in/gate-out report",
    guide="ITIGG CODECO D.95B (ITG13, ITG), SMDG CODECO 1.6",
    tolerates="no association code",
)

SPECS: tuple[MessageSpec, ...] = (CODECO_D95B, CODECO_D00B)


def truck_segments(item: GateItem) -> list[Segment]:
    """``TDT+1++3+31+haulier+++plate``: the road vehicle that brought or took the box."""
    return [Segment.of("TDT", "1", None, "3", "31", item.haulier, None, None, item.truck)]


def read_codeco(message: Message, problems: Problems) -> GateReport | None:
    """The report a CODECO message gives; None (after an error) when its header is unusable.

    Boxes with errors (or without gate time or truck) are left out, each error naming where.
    """
    expected = f"{GATE_IN_CODE} (gate-in) or {GATE_OUT_CODE} (gate-out) report"
    head = read_head(message, problems, _KINDS, expected, vessel=False)
    if head is None:
        return None
    operator = head.operator
    if operator is None:  # read_head found the line or said why not
        return None
    items: list[GateItem] = []
    boxes = group_name(message.spec, "EQD", "SG6")
    for data, box in read_boxes(head, problems, "reported", boxes):
        at = data.dates.get(GATE_TIME)
        if at is None or data.truck is None:
            what = "gate time (DTM+7)" if at is None else "truck licence plate (TDT element 8)"
            missing(data, box, what, problems)
            continue
        references = data.references
        item = built(
            partial(
                GateItem,
                box,
                head.kind,
                at,
                data.truck,
                data.haulier,
                references.get("BN"),
                references.get("RE"),
            ),
            problems,
            data.eqd,
            "2.1",
            str(box.number),
        )
        if item is not None:
            items.append(item)
    bgm_ = head.bgm
    return built(
        lambda: GateReport(bgm_.el(2), head.kind, operator, tuple(items), head.issued),
        problems,
        bgm_,
        "2",
        bgm_.el(2),
    )


def write_codeco(report: GateReport, version: str = "D00B") -> list[Segment]:
    """The body of a CODECO message (UNH/UNT excluded) for ``report``.

    ``version`` is a directory (``D00B``) or a directory and association code
    (``D95B:ITG13``, ``D95B:`` for none); every version is written with the same segments.
    """
    spec_for(SPECS, version)
    body = opening(_CODES[report.direction], report.reference, report.issued)
    body += carrier_segments(report.operator)
    for item in report.items:
        body += container_segments(
            item.container,
            references=(("BN", item.booking), ("RE", item.release)),
            dates=((GATE_TIME, item.at),),
            transport=truck_segments(item),
        )
    body.append(count(len(report.items)))
    return body


codeco_interchange = interchange_writer(SPECS, write_codeco, "D00B")
"""A whole interchange (UNA … UNZ) holding the CODECO of a gate report; ``version`` as for
:func:`write_codeco`."""
