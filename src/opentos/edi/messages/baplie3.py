"""BAPLIE 3.1.1 (``SMDG31``; ``SMDG30`` and ``SMDG311`` read), UN D.13B: every box with its details.

The header (vessel, voyage, ports with their times) ends at ``UNS+D``. Then
each stowage location is a group ``SG6``; each box in it is a group ``SG7``
carrying all that is known about that box, and ``CNT+8`` counts the boxes::

    LOC+147+0120382:9711:5            stowage location (ISO 9711, agency 5 = ISO)
      EQD+CN+<number>:6346:5+<type>:6346:5+++5|4
      NAD+CF+<operator>:LINES:306     container operator (SMDG liner code)
      MEA+AAE+AET+KGM:<kg>            gross weight;  MEA+AAE+VGM+KGM:<kg> the VGM
      HAN+<code>:HANDLING:306         handling instruction (SMDG code)
      DIM+5..9+CMT:…                  out-of-gauge
      LOC+9 / 11 / 83+<UN/LOCODE>     port of loading, discharge, place of delivery (SG8)
      TMP+2+<set point>:CEL           reefer set point (SG9)
      DGS+IMD+<class>+<UN>+…          dangerous goods (SG11)
    LOC+147+0120482:9711:5            a slot that cannot be used:
      FTX+AGW++LOST:STOWLOC:306       lost (taken by a box next to it) or BLOCKED
    CNT+8:<number of boxes>
"""

from __future__ import annotations

from collections.abc import Sequence

from opentos.edi.envelope import Message
from opentos.edi.messages.baplie2 import (
    Box,
    Header,
    Tracker,
    build_plan,
    function_of,
    port_segments,
    read_port,
    read_times,
    read_vessel,
    require,
    stow_box,
    stowed,
    time_segments,
    vessel_tdt,
    weight,
)
from opentos.edi.messages.common import (
    dgs,
    dims,
    dtm,
    locode,
    read_dgs,
    read_dims,
    read_dtm,
    read_tmp,
    slot,
    slot_code,
    tmp,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.model.container import Container, FullEmpty
from opentos.model.onboard import OnBoardPlan, Stowed
from opentos.model.slots import BayRowTier

ASSOCIATION = "SMDG31"
"""The association code OpenTOS writes; ``SMDG30`` (3.0) and ``SMDG311`` are read too."""

LOST = "LOST"
BLOCKED = "BLOCKED"
"""``FTX+AGW`` codes (SMDG code list STOWLOC) of slots that cannot be used."""

SPEC = MessageSpec(
    "BAPLIE",
    "D13B",
    f"{ASSOCIATION}|SMDG30|SMDG311",
    (
        S("BGM", "M", 1, name="beginning of message"),
        S("DTM", "C", 9, ("137",), name="preparation date/time"),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
        G(
            "SG2",
            "C",
            9,
            (S("NAD", "M", 1), G("SG3", "C", 9, (S("CTA", "M", 1), S("COM", "C", 9)))),
        ),
        G(
            "SG4",
            "M",
            3,
            (
                S("TDT", "M", 1, ("20",), name="vessel and voyage"),
                S("RFF", "C", 1),
                S("FTX", "C", 1),
                G(
                    "SG5",
                    "M",
                    9,
                    (
                        S("LOC", "M", 1, ("5", "61"), name="departure port, next port of call"),
                        S("DTM", "C", 9, ("178", "132", "133", "136")),
                    ),
                ),
            ),
        ),
        S("UNS", "M", 1, ("D",), name="end of the header"),
        G(
            # The directory allows 9999 locations; the largest vessels report more.
            "SG6",
            "C",
            99999,
            (
                S("LOC", "M", 1, ("147",), name="stowage location"),
                S("FTX", "C", 9),
                S("RFF", "C", 1),
                G(
                    "SG7",
                    "C",
                    9,
                    (
                        S("EQD", "M", 1, ("CN",), name="container"),
                        S("NAD", "C", 9),
                        S("MEA", "C", 9, ("AAE",), name="gross weight, VGM"),
                        S("HAN", "C", 99, name="handling instructions"),
                        S("DIM", "C", 9, ("5", "6", "7", "8", "9"), name="out-of-gauge"),
                        S("RFF", "C", 9),
                        S("GDS", "C", 99),
                        S("FTX", "C", 9),
                        G(
                            "SG8",
                            "C",
                            99,
                            (
                                S("LOC", "M", 1, ("9", "11", "83", "76", "64", "68", "70")),
                                S("TSR", "C", 1),
                                S("TDT", "C", 1),
                            ),
                        ),
                        G(
                            "SG9",
                            "C",
                            9,
                            (S("TMP", "M", 1, ("2",)), S("RNG", "C", 1), S("DTM", "C", 1)),
                        ),
                        G("SG10", "C", 9, (S("EQA", "M", 1), S("NAD", "C", 1))),
                        G(
                            "SG11",
                            "C",
                            999,
                            (
                                S("DGS", "M", 1, ("IMD",)),
                                S("ATT", "C", 9),
                                S("MEA", "C", 9),
                                S("FTX", "C", 9),
                                G("SG12", "C", 9, (S("CTA", "M", 1), S("COM", "C", 9))),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        S("CNT", "M", 1, ("8",), name="number of containers"),
    ),
    "Bayplan/stowage plan occupied and empty locations",
    guide="SMDG BAPLIE 3.0, 3.1 and 3.1.1",
    tolerates="the 3.0 and 3.1.1 association codes read as 3.1",
)


# ---------------------------------------------------------------- reading


def read(message: Message, problems: Problems) -> OnBoardPlan:
    """Map a BAPLIE 3.1.1 message tree to an :class:`OnBoardPlan`."""
    tree = message.tree
    assert tree is not None
    header = Header()
    bgm = tree.segment("BGM")
    if bgm is not None:
        _read_bgm(bgm, header, problems)
    prepared = tree.segment("DTM", "137")
    if prepared is not None:
        header.prepared_at = read_dtm(prepared, problems)
        header.sources["prepared_at"] = (prepared, "1.2")
    voyages = tree.groups("SG4")
    if voyages:
        _read_voyage(voyages[0], header, problems)
    stowage: list[Stowed] = []
    lost: list[BayRowTier] = []
    blocked: list[BayRowTier] = []
    tracker = Tracker(message.containers)
    boxes = 0
    for group in tree.groups("SG6"):
        boxes += _read_location(group, header.carrier, tracker, stowage, lost, blocked, problems)
    cnt = tree.segment("CNT")
    if cnt is not None and cnt.el(1, 2) != str(boxes):
        problems.warning(
            f"CNT+8 counts {cnt.el(1, 2) or 'nothing'} containers; the message has {boxes}",
            at=cnt,
            element="1.2",
            value=cnt.el(1, 2),
        )
    return build_plan(header, stowage, lost, blocked, message, problems)


def _read_bgm(bgm: Segment, header: Header, problems: Problems) -> None:
    header.document_number = bgm.el(2)
    if not header.document_number:
        problems.error("BGM has no document number", at=bgm, element="2")
    kind = bgm.el(1, 1)
    if kind == "659":
        header.full = False
        # The directory puts the scope in component 4 (1000); some senders use 3.
        header.partial_scope = bgm.el(1, 4) or bgm.el(1, 3)
        header.sources["partial_scope"] = (bgm, "1.4")
    elif kind not in ("658", ""):
        problems.error(
            "document name code is not 658 (full bay plan) or 659 (partial)",
            at=bgm,
            element="1.1",
            value=kind,
        )
    header.function = function_of(bgm, "3", bgm.el(3), problems)


def _read_voyage(group: Node, header: Header, problems: Problems) -> None:
    read_vessel(group.trigger, header, problems, "LINES")
    for place in group.groups("SG5"):
        loc = place.trigger
        q = loc.qualifier
        if q in ("5", "61"):
            name = "departure_port" if q == "5" else "next_port"
            setattr(header, name, locode(loc.el(2, 1), loc, "2.1", problems))
            header.sources[name] = (loc, "2.1")
        read_times(place.segments("DTM"), header, problems)


def _read_location(
    group: Node,
    carrier: str,
    tracker: Tracker,
    stowage: list[Stowed],
    lost: list[BayRowTier],
    blocked: list[BayRowTier],
    problems: Problems,
) -> int:
    """Read one stowage location; returns how many EQD groups it has."""
    loc = group.trigger
    eqds = group.groups("SG7")
    position = slot(loc.el(2, 1), loc, "2.1", problems)
    if position is not None and not tracker.new_slot(position, loc, problems):
        position = None
    if position is None:
        for eqd_group in eqds:
            _read_equipment(eqd_group, None, carrier, tracker, stowage, problems)
        return len(eqds)
    description = ""
    for ftx in group.segments("FTX"):
        code = ftx.el(3, 1)
        if ftx.qualifier == "AGW" and code in (LOST, BLOCKED):
            if eqds:
                problems.error(
                    f"slot {position} is reported {code} but holds a container; the "
                    f"{code} mark was not read",
                    at=ftx,
                    element="3.1",
                    value=code,
                )
                continue
            (lost if code == LOST else blocked).append(position)
            return 0
        if ftx.qualifier == "AGW":
            problems.warning(
                "stowage location status is not LOST or BLOCKED", at=ftx, element="3.1", value=code
            )
        elif ftx.qualifier == "AAA" and ftx.el(4, 1):
            description = ftx.el(4, 1)
    if not eqds:
        entry = stowed(problems, loc, position, None, (), description)
        if entry is not None:
            stowage.append(entry)
        return 0
    for eqd_group in eqds:
        _read_equipment(eqd_group, position, carrier, tracker, stowage, problems)
    return len(eqds)


def _read_equipment(
    group: Node,
    position: BayRowTier | None,
    carrier: str,
    tracker: Tracker,
    stowage: list[Stowed],
    problems: Problems,
) -> None:
    eqd = group.trigger
    box = Box(eqd)
    handling: list[str] = []
    dim_segs: list[Segment] = []
    for item in group.items[1:]:
        if isinstance(item, Node):
            trigger = item.trigger
            if item.name == "SG8":
                read_port(trigger, box, problems, tracker.ports)
            elif item.name == "SG9":
                box.reefer = read_tmp(trigger, problems)
                box.reefer_at = trigger
            elif item.name == "SG11":
                dg = read_dgs(trigger, problems)
                if dg is not None:
                    box.dangerous.append(dg)
            continue
        tag = item.tag
        if tag == "NAD":
            if item.qualifier == "CF" or not box.operator:
                box.operator, box.operator_at = item.el(2, 1), item
        elif tag == "MEA":
            attribute = item.el(2, 1)
            if attribute in ("AET", "WT", "G"):
                box.gross_kg = weight(item, problems)
            elif attribute == "VGM":
                box.vgm_kg = weight(item, problems)
        elif tag == "HAN" and item.el(1, 1):
            handling.append(item.el(1, 1))
        elif tag == "DIM":
            dim_segs.append(item)
    if dim_segs:
        box.oog = read_dims(dim_segs, problems)
        box.oog_at = dim_segs[0]
    stow_box(box, position, handling, carrier, tracker, stowage, problems)


# ---------------------------------------------------------------- writing


def write(plan: OnBoardPlan) -> list[Segment]:
    """The body of a BAPLIE 3.1.1 message (UNH/UNT excluded).

    A slot without a container keeps its description (``FTX+AAA``) but not its
    weight, which BAPLIE 3 gives per box only.

    Raises
    ------
    InvalidValue
        When the plan has neither a departure port nor a next port (``SG5`` is
        mandatory).
    """
    require(plan, "3.1.1", lambda p: p.departure_port or p.next_port, "a port (LOC+5 or LOC+61)")
    kind = ("658",) if plan.full else ("659", "", "", plan.partial_scope)
    out: list[Segment] = [Segment.of("BGM", kind, plan.document_number, plan.function.value)]
    if plan.prepared_at is not None:
        out.append(dtm("137", plan.prepared_at, "203"))
    out.append(vessel_tdt(plan, ("LINES", "306"), ("", "11")))
    at_departure, at_next = time_segments(plan, "203")
    # A time goes with its port; with one port known, every time goes with it.
    if plan.departure_port is not None:
        out.append(Segment.of("LOC", "5", str(plan.departure_port)))
        out.extend(at_departure if plan.next_port is not None else at_departure + at_next)
    if plan.next_port is not None:
        out.append(Segment.of("LOC", "61", str(plan.next_port)))
        out.extend(at_next if plan.departure_port is not None else at_departure + at_next)
    out.append(Segment.of("UNS", "D"))
    boxes = 0
    stowage = plan.stowage
    i, n = 0, len(stowage)
    while i < n:
        position = stowage[i].slot
        out.append(_location(position))
        first = stowage[i]
        if first.container is None:
            if first.description:
                out.append(Segment.of("FTX", "AAA", None, None, first.description))
            i += 1
            continue
        while i < n and stowage[i].slot == position:
            entry = stowage[i]
            if entry.container is not None:
                _write_equipment(entry.container, entry.handling, out)
                boxes += 1
            i += 1
    for code, slots in ((LOST, plan.lost_slots), (BLOCKED, plan.blocked_slots)):
        for position in slots:
            out.append(_location(position))
            out.append(Segment.of("FTX", "AGW", None, (code, "STOWLOC", "306")))
    out.append(Segment.of("CNT", ("8", str(boxes))))
    return out


def _location(position: BayRowTier) -> Segment:
    return Segment("LOC", (("147",), (slot_code(position), "9711", "5")))


def _write_equipment(box: Container, handling: Sequence[str], out: list[Segment]) -> None:
    # Built in trimmed form directly (no trailing empties): this is the hot path.
    fe = ("5",) if box.full_empty is FullEmpty.FULL else ("4",)
    number = (str(box.number), "6346", "5")
    out.append(Segment("EQD", (("CN",), number, (box.iso_code, "6346", "5"), (), (), fe)))
    out.append(Segment("NAD", (("CF",), (box.operator, "LINES", "306"))))
    if box.gross_weight_kg is not None:
        out.append(Segment("MEA", (("AAE",), ("AET",), ("KGM", str(box.gross_weight_kg)))))
    if box.vgm_kg is not None:
        out.append(Segment("MEA", (("AAE",), ("VGM",), ("KGM", str(box.vgm_kg)))))
    for code in handling:
        out.append(Segment("HAN", ((code, "HANDLING", "306"),)))
    if box.oog is not None:
        out.extend(dims(box.oog))
    out.extend(port_segments(box))
    if box.reefer is not None:
        out.append(tmp(box.reefer))
    for dg in box.dangerous_goods:
        out.append(dgs(dg))
