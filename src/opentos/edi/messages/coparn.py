"""COPARN: a line's bookings and releases of equipment (SMDG COPARN 2.0, D.00B).

The ``BGM`` document code says what the line asks (see
:class:`~opentos.model.orders.BookingKind`: 126 booking, 12 release, 11
acceptance, 27 arrival advice, 690 call-down). The reference is ``RFF+BN`` (or
``RFF+RE`` for a release) with its validity (``DTM+7`` from, ``DTM+36`` until);
the line is the header ``NAD+CA``, the vessel when given a ``TDT+20`` group.
Each ``EQD`` group is one named box (``EQN+1``) or a number of unnamed boxes of
one size type (``EQD+CN++22G1:102:5`` with ``EQN``); groups of the same kind of
equipment make one :class:`~opentos.model.orders.EquipmentLine`. Ports of
loading and discharge are written in every group (``LOC+9``, ``LOC+11``).

=========  ======================  =============================================
directory  UNH 0057                guide
=========  ======================  =============================================
D.95B      ``ITG13``, none         ITIGG COPARN D95B
D.00B      ``SMDG20``, ``SMDG21``  SMDG COPARN 2.0
=========  ======================  =============================================

Where the directories differ: D.95B has SG1 RFF-DTM, SG2 the vessel
(TDT-RFF-LOC-DTM, plain LOC and DTM), SG3 NAD with SG4 CTA-COM and SG5 the
equipment (EQD-RFF-EQN-TMD-DTM-LOC-MEA-DIM-TMP-RNG-SEL-FTX-DGS-EQA, SG6
DAM-COD, SG7 TDT-RFF-LOC-DTM, a plain NAD); D.00B numbers the parties SG4-SG5
and the equipment SG6, with TMP-RNG, DGS-FTX, DAM-COD, TDT and NAD-DTM groups.
"""

from __future__ import annotations

from datetime import datetime

from opentos.edi.envelope import Message
from opentos.edi.messages.common import dtm, read_dtm
from opentos.edi.messages.equipment import (
    EXPORT,
    PORT_OF_DISCHARGE,
    PORT_OF_LOADING,
    EquipmentData,
    carrier_segments,
    container_of,
    count,
    equipment_group,
    equipment_segments,
    group_name,
    header_party,
    interchange_writer,
    line_elsewhere,
    message_tree,
    opening,
    party_group,
    read_equipment,
    read_issued,
    read_vessel,
    spec_for,
    vessel_segments,
    vessel_table,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.errors import DomainError
from opentos.model.container import Container, DangerousGoods, FullEmpty, ReeferSetting
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.orders import Booking, BookingKind, EquipmentLine

VALID_FROM, VALID_UNTIL = "7", "36"
"""DTM qualifiers (2005) of the reference: effective date/time, expiry date."""

COPARN_D00B = MessageSpec(
    "COPARN",
    "D00B",
    "SMDG20|SMDG21",
    (
        S("BGM", "M", 1, tuple(k.value for k in BookingKind), "booking or release"),
        S("TMD", "C", 1),
        S("DTM", "C", 9, (), "message date"),
        S("TSR", "C", 9),
        S("FTX", "C", 9),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9, (), "validity"))),
        vessel_table("SG2", "SG3", "C"),
        party_group("SG4", "SG5"),
        equipment_group("SG6", "M", 7, eqn=True, loc_group=False, damage=True, nad_group=True),
        S("CNT", "C", 1),
    ),
    "Container announcement",
    guide="SMDG COPARN 2.0 and 2.1",
    tolerates="the 2.1 association code read with the 2.0 table",
)

COPARN_D95B = MessageSpec(
    "COPARN",
    "D95B",
    "ITG13|",
    (
        S("BGM", "M", 1, tuple(k.value for k in BookingKind), "booking or release"),
        S("TMD", "C", 1),
        S("DTM", "C", 9, (), "message date"),
        S("TSR", "C", 9),
        S("FTX", "C", 9),
        G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9, (), "validity"))),
        vessel_table("SG2", "", "C", flat=True),
        party_group("SG3", "SG4"),
        equipment_group("SG5", "M", 6, eqn=True, loc_group=False, damage=True, directory="D95B"),
        S("CNT", "C", 1),
    ),
    "Container announcement",
    guide="ITIGG COPARN D.95B (ITG13)",
    tolerates="no association code",
)

SPECS: tuple[MessageSpec, ...] = (COPARN_D95B, COPARN_D00B)

_LineKey = tuple[SizeType, FullEmpty, ReeferSetting | None, tuple[DangerousGoods, ...]]


def _reference(tree: Node, head: Segment, name: str) -> tuple[str, Segment, Node | None]:
    for group in tree.groups(name):
        rff = group.trigger
        if rff.qualifier in ("BN", "RE") and rff.el(1, 2):
            return rff.el(1, 2), rff, group
    return head.el(2), head, None


def read_coparn(message: Message, problems: Problems) -> Booking | None:
    """The booking a COPARN message gives; None (after an error) when it cannot be built.

    Equipment groups with errors are left out, each error naming where it was.
    """
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    try:
        kind = BookingKind(head.el(1))
    except ValueError:
        allowed = ", ".join(k.value for k in BookingKind)
        problems.error(
            f"document code is not one OpenTOS reads ({allowed})",
            at=head,
            element="1",
            value=head.el(1),
        )
        return None
    spec = message.spec
    reference, at, ref_group = _reference(tree, head, group_name(spec, "RFF", "SG1"))
    valid: dict[str, datetime] = {}
    for seg in ref_group.segments("DTM") if ref_group is not None else []:
        when = read_dtm(seg, problems)
        if when is not None:
            valid[seg.qualifier] = when
    parties = tree.groups(group_name(spec, "NAD", "SG4"))
    operator = next(filter(None, (header_party(g) for g in parties)), None)
    call = next(iter(tree.groups(group_name(spec, "TDT", "SG2"))), None)
    boxes = group_name(spec, "EQD", "SG6")
    if operator is None:
        operator = line_elsewhere(tree, call, head, boxes, problems)
    if operator is None:
        return None
    vessel = None if call is None else read_vessel(call, problems, operator)
    ports: dict[str, UnLocode] = {}
    lines = _read_lines(tree, problems, ports, boxes, operator, message.containers)
    try:
        return Booking(
            reference,
            kind,
            operator,
            tuple(lines),
            vessel,
            ports.get(PORT_OF_LOADING),
            ports.get(PORT_OF_DISCHARGE),
            valid.get(VALID_FROM),
            valid.get(VALID_UNTIL),
            read_issued(tree, problems),
        )
    except DomainError as exc:
        problems.error(str(exc), at=at, element="1.2" if at.tag == "RFF" else "2", value=reference)
        return None


def _read_lines(
    tree: Node,
    problems: Problems,
    ports: dict[str, UnLocode],
    boxes: str,
    operator: str,
    containers: list[Container],
) -> list[EquipmentLine]:
    quantities: dict[_LineKey, int] = {}
    numbers: dict[_LineKey, list[ContainerNumber]] = {}
    first: dict[_LineKey, EquipmentData] = {}
    for group in tree.groups(boxes):
        data = read_equipment(group, problems, number_required=False)
        # the named box, for the message's list; its problems are already reported
        box = container_of(data, operator, Problems(problems.source, max_problems=None))
        if box is not None:
            containers.append(box)
        if data.errors or data.iso_type is None or data.full_empty is None:
            continue
        for qualifier, port in data.ports.items():
            ports.setdefault(qualifier, port)
        key: _LineKey = (
            data.iso_type,
            data.full_empty,
            data.reefer,
            tuple(data.dangerous_goods),
        )
        first.setdefault(key, data)
        quantities[key] = quantities.get(key, 0) + (data.quantity or 1)
        if data.number is not None:
            numbers.setdefault(key, []).append(data.number)
    lines: list[EquipmentLine] = []
    for key, quantity in quantities.items():
        size_type, full_empty, reefer, goods = key
        try:
            lines.append(
                EquipmentLine(
                    size_type, quantity, full_empty, tuple(numbers.get(key, ())), reefer, goods
                )
            )
        except DomainError as exc:
            eqd = first[key].eqd
            problems.error(str(exc), at=eqd, element="3.1", value=size_type.code)
    return lines


def _line_segments(booking: Booking, line: EquipmentLine, status: str) -> list[Segment]:
    ports = (
        (PORT_OF_LOADING, booking.port_of_loading),
        (PORT_OF_DISCHARGE, booking.port_of_discharge),
    )
    groups: list[tuple[ContainerNumber | None, int]] = [(n, 1) for n in line.containers]
    rest = line.quantity - len(line.containers)
    if rest:
        groups.append((None, rest))
    out: list[Segment] = []
    for number, quantity in groups:
        out += equipment_segments(
            number=number,
            size_type=line.iso_type,
            full_empty=line.full_empty,
            status=status,
            quantity=quantity,
            ports=ports,
            reefer=line.reefer,
            dangerous_goods=line.dangerous_goods,
        )
    return out


def write_coparn(booking: Booking, version: str = "D00B") -> list[Segment]:
    """The body of a COPARN message (UNH/UNT excluded) for ``booking``."""
    spec_for(SPECS, version)
    body = opening(booking.kind.value, booking.reference, booking.issued)
    qualifier = "RE" if booking.kind.is_release else "BN"
    body.append(Segment.of("RFF", (qualifier, booking.reference)))
    if booking.valid_from is not None:
        body.append(dtm(VALID_FROM, booking.valid_from))
    if booking.valid_until is not None:
        body.append(dtm(VALID_UNTIL, booking.valid_until))
    if booking.vessel is not None:
        body += vessel_segments(booking.vessel)
    body += carrier_segments(booking.operator)
    status = EXPORT if booking.kind is BookingKind.BOOKING else ""
    for line in booking.lines:
        body += _line_segments(booking, line, status)
    body.append(count(booking.quantity))
    return body


coparn_interchange = interchange_writer(SPECS, write_coparn, "D00B")
"""A whole interchange (UNA … UNZ) holding the COPARN of a booking; ``version`` as for
:func:`write_coparn`."""
