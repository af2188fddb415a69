"""COARRI: the terminal's load and discharge reports for one vessel call.

``BGM+46`` is a loading report, ``BGM+98`` a discharge report. The vessel call
is the ``TDT+20`` group and the line the header ``NAD+CA``, as in COPRAR; each
box is an ``EQD`` group (see :mod:`~opentos.edi.messages.equipment`) with its
slot on board (``LOC+147``) and the time of the move (``DTM+203``).

=========  ======================  =============================================
directory  UNH 0057                guide
=========  ======================  =============================================
D.95B      ``ITG13``, ``SMDG16``,  ITIGG COARRI D95B 1.3 / SMDG COARRI 1.6
           none
D.00B      ``SMDG20``, ``SMDG21``  SMDG COARRI 2.0 / 2.1
D.23A      none                    the UN directory (UNSM) itself
=========  ======================  =============================================

Where the directories differ: D.95B numbers the groups SG1 RFF-DTM, SG2 the
vessel (TDT-RFF-LOC-DTM, LOC and DTM plain segments), SG3 NAD with SG4 CTA-COM,
SG5 the boxes (EQD-RFF-TMD-DTM-LOC-MEA-DIM-TMP-RNG-SEL-FTX-DGS-EQA, SG6 DAM-COD,
SG7 TDT-RFF-LOC-DTM, NAD): no LOC-DTM, TMP-RNG or DGS-FTX sub-groups, no PCD
and no HAN. D.00B has the vessel's LOC-DTM as SG3, the parties as SG4-SG5 and
the boxes as SG6, with SG7 LOC-DTM, SG8 TMP-RNG, SG9 DGS-FTX (SG10 CTA-COM),
SG11 DAM-COD, SG12 TDT (SG13 LOC-DTM). D.23A keeps the D.00B groups and adds
GDS after RFF and PIA and COD after EQA. Every version is written with the
same segments, which each of the tables takes.
"""

from __future__ import annotations

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
    missing,
    opening,
    party_group,
    read_boxes,
    read_head,
    spec_for,
    vessel_segments,
    vessel_table,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, S
from opentos.edi.syntax import Segment
from opentos.model.moves import MoveKind
from opentos.model.orders import HandlingItem, HandlingReport

LOAD_CODE, DISCHARGE_CODE = "46", "98"
"""BGM document codes (1001): loading report, discharge report."""
MOVE_TIME = "203"
"""DTM qualifier (2005) of the time a box was moved: execution date/time."""
_KINDS = {LOAD_CODE: MoveKind.LOAD, DISCHARGE_CODE: MoveKind.DISCHARGE}
_CODES = {v: k for k, v in _KINDS.items()}

COARRI_D00B = MessageSpec(
    "COARRI",
    "D00B",
    "SMDG20|SMDG21",
    (
        S("BGM", "M", 1, (LOAD_CODE, DISCHARGE_CODE), "loading or discharge report"),
        S("DTM", "C", 9, (), "message date"),
        S("FTX", "C", 9),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
        vessel_table("SG2", "SG3"),
        party_group("SG4", "SG5", "C"),
        equipment_group("SG6", "C", 7, eqn=False, loc_group=True, damage=True),
        S("CNT", "C", 1),
    ),
    "Container discharge/loading report",
    guide="SMDG COARRI 2.0 and 2.1",
    tolerates="the 2.1 association code read with the 2.0 table",
)

_HEAD = (
    S("BGM", "M", 1, (LOAD_CODE, DISCHARGE_CODE), "loading or discharge report"),
    S("DTM", "C", 9, (), "message date"),
    S("FTX", "C", 9),
    G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
)

COARRI_D95B = MessageSpec(
    "COARRI",
    "D95B",
    "ITG13|SMDG16|",
    (
        *_HEAD,
        vessel_table("SG2", "", flat=True),
        party_group("SG3", "SG4", "C"),
        equipment_group("SG5", "C", 6, eqn=False, loc_group=False, damage=True, directory="D95B"),
        S("CNT", "C", 1),
    ),
    "Container discharge/loading report",
    guide="ITIGG COARRI D.95B (ITG13), SMDG COARRI 1.6",
    tolerates="no association code",
)

COARRI_D23A = MessageSpec(
    "COARRI",
    "D23A",
    "",
    (
        *_HEAD,
        vessel_table("SG2", "SG3"),
        party_group("SG4", "SG5", "C"),
        equipment_group("SG6", "C", 7, eqn=False, loc_group=True, damage=True, directory="D23A"),
        S("CNT", "C", 1),
    ),
    "Container discharge/loading report",
    guide="UN/EDIFACT COARRI D.23A as lines write it",
    tolerates="no association code (D.23A files name none)",
)

SPECS: tuple[MessageSpec, ...] = (COARRI_D95B, COARRI_D00B, COARRI_D23A)


def read_coarri(message: Message, problems: Problems) -> HandlingReport | None:
    """The report a COARRI message gives; None (after an error) when its header is unusable.

    Boxes with errors (or without slot or time) are left out, each error naming where it was.
    """
    expected = f"{LOAD_CODE} (loading) or {DISCHARGE_CODE} (discharge) report"
    head = read_head(message, problems, _KINDS, expected)
    if head is None:
        return None
    items: list[HandlingItem] = []
    boxes = group_name(message.spec, "EQD", "SG6")
    for data, box in read_boxes(head, problems, "reported", boxes):
        at = data.dates.get(MOVE_TIME)
        if data.slot is None or at is None:
            what = "slot (LOC+147)" if data.slot is None else "move time (DTM+203)"
            missing(data, box, what, problems)
            continue
        items.append(HandlingItem(box, head.kind, data.slot, at))
    vessel = head.vessel
    if vessel is None:
        return None
    bgm_ = head.bgm
    return built(
        lambda: HandlingReport(bgm_.el(2), head.kind, vessel, tuple(items), head.issued),
        problems,
        bgm_,
        "2",
        bgm_.el(2),
    )


def write_coarri(report: HandlingReport, version: str = "D00B") -> list[Segment]:
    """The body of a COARRI message (UNH/UNT excluded) for ``report``.

    ``version`` is a directory (``D00B``) or a directory and association code
    (``D95B:SMDG16``); every version is written with the same segments.
    """
    spec_for(SPECS, version)
    status = EXPORT if report.kind is MoveKind.LOAD else IMPORT
    body = opening(_CODES[report.kind], report.reference, report.issued)
    body += vessel_segments(report.vessel)
    body += carrier_segments(report.vessel.operator)
    for item in report.items:
        body += container_segments(
            item.container, status=status, dates=((MOVE_TIME, item.at),), position=item.slot
        )
    body.append(count(len(report.items)))
    return body


coarri_interchange = interchange_writer(SPECS, write_coarri, "D00B")
"""A whole interchange (UNA … UNZ) holding the COARRI of a handling report; ``version`` as for
:func:`write_coarri`."""
