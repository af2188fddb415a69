"""IFTSAI: a line's schedule of one vessel and voyage, port call by port call (D.95B, D.00B).

The vessel is the ``TDT+20`` of the schedule group, written as in COPRAR
(voyage, operator in element 5, IMO number or call sign and name in element 8).
Each port call is a ``LOC`` group under it: ``LOC+153+CNTAO:139:6`` (the
terminal code, when given, in element 3) with ``DTM+132`` estimated arrival and
``DTM+133`` estimated departure. The ``BGM`` document code is not checked
(lines use their own); OpenTOS writes ``TS2``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opentos.edi.envelope import Message
from opentos.edi.messages.common import dtm, locode, read_dtm
from opentos.edi.messages.equipment import (
    built,
    interchange_writer,
    message_tree,
    opening,
    read_issued,
    read_vessel,
    spec_for,
    vessel_segments,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.model.schedule import PortCall, Schedule

SCHEDULE_CODE = "TS2"
"""BGM document code OpenTOS writes."""
PORT_CALL = "153"
"""LOC qualifier (3227) OpenTOS writes for a port of call (place of sojourn); any is read."""
ETA, ETD = "132", "133"
"""DTM qualifiers (2005): estimated arrival, estimated departure."""


def _table(version: str) -> MessageSpec:
    return MessageSpec(
        "IFTSAI",
        version,
        "",
        (
            S("BGM", "M", 1, (), "schedule"),
            S("DTM", "C", 9, (), "message date"),
            S("FTX", "C", 99),
            G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
            G("SG2", "C", 9, (S("LOC", "M", 1), S("DTM", "C", 9))),
            G(
                "SG3",
                "C",
                9,
                (
                    S("EQD", "M", 1),
                    S("EQN", "C", 9),
                    S("MEA", "C", 9),
                    S("DIM", "C", 9),
                    S("FTX", "C", 9),
                ),
            ),
            G(
                "SG4",
                "M",
                99,
                (
                    S("TDT", "M", 1, ("20",), "vessel and voyage"),
                    S("DTM", "C", 9),
                    S("RFF", "C", 9),
                    S("FTX", "C", 9),
                    G(
                        "SG5",
                        "C",
                        99,
                        (
                            S("LOC", "M", 1, (), "port of call"),
                            S("DTM", "C", 9, (), "ETA and ETD"),
                            S("RFF", "C", 9),
                            S("FTX", "C", 9),
                        ),
                    ),
                ),
            ),
        ),
        "Transport schedule",
        guide=f"UN/EDIFACT IFTSAI {version[:1]}.{version[1:]}, one vessel and voyage",
        tolerates="any LOC qualifier for a port of call",
    )


SPECS: tuple[MessageSpec, ...] = (_table("D95B"), _table("D00B"))


def read_iftsai(message: Message, problems: Problems) -> Schedule | None:
    """The schedule an IFTSAI message gives; None (after an error) when it has none.

    Port calls with errors are left out, each error naming where it was. A message
    with more than one vessel (``TDT+20``) is read for the first; the others are an error.
    """
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    groups = tree.groups("SG4")
    if not groups:
        return None
    for extra in groups[1:]:
        problems.error(
            "a schedule is for one vessel and voyage; this TDT is not read",
            at=extra.trigger,
            element="2",
            value=extra.trigger.el(2),
        )
    group = groups[0]
    vessel = read_vessel(group, problems, None, with_port=False)
    if vessel is None:
        return None
    calls = [c for c in (_call(g, problems) for g in group.groups("SG5")) if c is not None]
    if not calls:
        problems.error("the schedule has no port call that reads", at=group.trigger, element="2")
        return None
    return built(
        lambda: Schedule(head.el(2), vessel, tuple(calls), read_issued(tree, problems)),
        problems,
        head,
        "2",
        head.el(2),
    )


def _call(group: Node, problems: Problems) -> PortCall | None:
    loc = group.trigger
    port = locode(loc.el(2), loc, "2.1", problems)
    times: dict[str, datetime] = {}
    bad = False
    for seg in group.segments("DTM"):
        when = read_dtm(seg, problems)
        bad = bad or when is None
        if when is not None:
            times.setdefault(seg.qualifier, when)
    if port is None or bad:
        return None
    terminal = loc.el(3) or None
    at = group.segment("DTM", ETD) or loc
    return built(
        lambda: PortCall(port, times.get(ETA), times.get(ETD), terminal),
        problems,
        at,
        "1.2" if at.tag == "DTM" else "3.1",
        at.el(1, 2) if at.tag == "DTM" else (terminal or ""),
    )


def _call_segments(call: PortCall) -> list[Segment]:
    terminal = (call.terminal, "TER", "ZZZ") if call.terminal is not None else None
    out = [Segment.of("LOC", PORT_CALL, (call.port.code, "139", "6"), terminal)]
    if call.eta is not None:
        out.append(dtm(ETA, call.eta))
    if call.etd is not None:
        out.append(dtm(ETD, call.etd))
    return out


def write_iftsai(schedule: Schedule, version: str = "D95B") -> list[Segment]:
    """The body of an IFTSAI message (UNH/UNT excluded) for ``schedule``."""
    spec_for(SPECS, version)
    body = opening(SCHEDULE_CODE, schedule.reference, schedule.issued)
    body += vessel_segments(replace(schedule.vessel, port=None))
    for call in schedule.calls:
        body += _call_segments(call)
    return body


iftsai_interchange = interchange_writer(SPECS, write_iftsai, "D95B")
"""A whole interchange (UNA … UNZ) holding the IFTSAI of a schedule; ``version`` as for
:func:`write_iftsai`."""
