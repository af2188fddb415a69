"""COPINO: a haulier's pre-notification of a truck delivering or picking up boxes (D.95B).

``BGM+663`` announces a delivery, ``BGM+661`` a pick-up (see
:class:`~opentos.model.prenotification.PreNotificationKind`). The truck is the
``TDT+1`` group: ``TDT+1++3+31+haulier+++plate`` as in CODECO, with the planned
arrival (``DTM+132``) and the time window it may arrive in (``DTM+64``
earliest, ``DTM+63`` latest). The line is the header ``NAD+CA``; the driver is
the contact (``CTA+IC``) of the haulier as message sender (``NAD+MS``). Each
box is an ``EQD`` group (see :mod:`~opentos.edi.messages.equipment`) with its
booking (``RFF+BN``) or release (``RFF+RE``); an empty picked up by size type
alone has no container number (``EQD+CN++22G1:102:5+++4``).
"""

from __future__ import annotations

from datetime import datetime

from opentos.edi.envelope import Message
from opentos.edi.messages.common import dtm, read_dtm
from opentos.edi.messages.equipment import (
    EquipmentData,
    built,
    carrier_segments,
    container_of,
    container_segments,
    count,
    equipment_group,
    equipment_segments,
    header_party,
    interchange_writer,
    line_elsewhere,
    message_tree,
    opening,
    party_group,
    read_equipment,
    read_issued,
    spec_for,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.model.container import FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.prenotification import PreNotification, PreNotificationKind, PreNotifiedItem

PLANNED_ARRIVAL, EARLIEST, LATEST = "132", "64", "63"
"""DTM qualifiers (2005) under the truck's TDT: estimated arrival, earliest and latest time."""
SENDER, DRIVER = "MS", "IC"
"""NAD party (3035) of the haulier as message sender; CTA function (3139) of its driver."""
ROAD, TRUCK = "3", "31"
"""TDT mode of transport (8067) and type of means of transport (8179)."""

COPINO_D95B = MessageSpec(
    "COPINO",
    "D95B",
    "ITG12|",
    (
        S("BGM", "M", 1, tuple(k.value for k in PreNotificationKind), "delivery or pick-up"),
        S("DTM", "C", 9, (), "message date"),
        S("FTX", "C", 9),
        S("RFF", "C", 9, (), "message references"),
        G(
            "SG1",
            "M",
            1,
            (
                S("TDT", "M", 1, ("1",), "the truck: haulier and licence plate"),
                S("LOC", "C", 9),
                S("DTM", "C", 9, (), "planned arrival and time window"),
            ),
        ),
        party_group("SG2", "SG3"),
        equipment_group("SG4", "M", 5, eqn=True, loc_group=False, damage=False),
        S("CNT", "C", 1),
    ),
    "Container pre-notification",
    guide="ITIGG COPINO D.95B (ITG12)",
    tolerates="no association code",
)

SPECS: tuple[MessageSpec, ...] = (COPINO_D95B,)


def read_copino(message: Message, problems: Problems) -> PreNotification | None:
    """The pre-notification a COPINO message gives; None (after an error) when it has none.

    Boxes with errors are left out, each error naming where it was; a truck without
    licence plate or haulier, or a time window that ends before it starts, gives none.
    """
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    try:
        kind = PreNotificationKind(head.el(1))
    except ValueError:
        allowed = ", ".join(f"{k.value} ({k.name.lower()})" for k in PreNotificationKind)
        problems.error(f"document code must be {allowed}", at=head, element="1", value=head.el(1))
        return None
    operator = next(filter(None, (header_party(g) for g in tree.groups("SG2"))), None)
    if operator is None:
        operator = line_elsewhere(tree, None, head, "SG4", problems)
    if operator is None:
        return None
    truck = next(iter(tree.groups("SG1")), None)
    if truck is None:
        return None
    tdt = truck.trigger
    plate, haulier = tdt.el(8), tdt.el(5)
    if not plate:
        problems.error("the truck's licence plate is missing", at=tdt, element="8.1", value="")
        return None
    if not haulier:
        problems.error("the haulier is missing", at=tdt, element="5.1", value="")
        return None
    times: dict[str, datetime] = {}
    for seg in truck.segments("DTM"):
        when = read_dtm(seg, problems)
        if when is not None:
            times.setdefault(seg.qualifier, when)
    if not _window_ok(truck, times, problems):
        return None
    items = _read_items(tree, problems, operator)
    driver = _driver(tree)
    return built(
        lambda: PreNotification(
            head.el(2),
            kind,
            operator,
            haulier,
            plate,
            tuple(items),
            driver,
            times.get(PLANNED_ARRIVAL),
            times.get(EARLIEST),
            times.get(LATEST),
            read_issued(tree, problems),
        ),
        problems,
        head,
        "2",
        head.el(2),
    )


def _window_ok(truck: Node, times: dict[str, datetime], problems: Problems) -> bool:
    """False (after an error at the DTM) if the time window is inverted or misses the ETA."""
    start, end, eta = times.get(EARLIEST), times.get(LATEST), times.get(PLANNED_ARRIVAL)
    if start is not None and end is not None and end < start:
        at = truck.segment("DTM", LATEST)
        message = f"the time window ends before it starts ({start:%Y-%m-%d %H:%M})"
    elif eta is not None and (
        (start is not None and eta < start) or (end is not None and eta > end)
    ):
        at = truck.segment("DTM", PLANNED_ARRIVAL)
        message = "the planned arrival is outside the time window (DTM+64 … DTM+63)"
    else:
        return True
    problems.error(message, at=at, element="1.2", value=at.el(1, 2) if at else None)
    return False


def _driver(tree: Node) -> str | None:
    for group in tree.groups("SG2"):
        if group.trigger.qualifier != SENDER:
            continue
        for contact in group.groups("SG3"):
            cta = contact.trigger
            if cta.qualifier == DRIVER and cta.el(2, 2):
                return cta.el(2, 2)
    return None


def _read_items(tree: Node, problems: Problems, operator: str) -> list[PreNotifiedItem]:
    items: list[PreNotifiedItem] = []
    seen: set[ContainerNumber] = set()
    for group in tree.groups("SG4"):
        data = read_equipment(group, problems, number_required=False)
        if data.errors:
            continue
        item = _item(data, problems, operator, seen)
        if item is not None:
            items.append(item)
    return items


def _item(
    data: EquipmentData, problems: Problems, operator: str, seen: set[ContainerNumber]
) -> PreNotifiedItem | None:
    booking, release = data.references.get("BN"), data.references.get("RE")
    if data.number is None:
        if data.iso_type is None:
            return None
        if data.full_empty is not FullEmpty.EMPTY:
            problems.error(
                "a box without container number must be an empty (EQD+CN++type+++4)",
                at=data.eqd,
                element="6",
                value=data.eqd.el(6),
            )
            return None
        size_type = data.iso_type
        return built(
            lambda: PreNotifiedItem(None, size_type, booking, release),
            problems,
            data.eqd,
            "3.1",
            size_type.code,
        )
    box = container_of(data, operator, problems)
    if box is None:
        return None
    if box.number in seen:
        problems.error(
            f"container {box.number} is pre-notified twice",
            at=data.eqd,
            element="2.1",
            value=str(box.number),
        )
        return None
    seen.add(box.number)
    return built(
        lambda: PreNotifiedItem(box, None, booking, release),
        problems,
        data.eqd,
        "2.1",
        str(box.number),
    )


def truck_segments(notice: PreNotification) -> list[Segment]:
    """``TDT+1++3+31+haulier+++plate`` and the planned arrival and time window."""
    out = [Segment.of("TDT", "1", None, ROAD, TRUCK, notice.haulier, None, None, notice.truck)]
    for qualifier, when in (
        (PLANNED_ARRIVAL, notice.planned_arrival),
        (EARLIEST, notice.earliest),
        (LATEST, notice.latest),
    ):
        if when is not None:
            out.append(dtm(qualifier, when))
    return out


def write_copino(notice: PreNotification, version: str = "D95B") -> list[Segment]:
    """The body of a COPINO message (UNH/UNT excluded) for ``notice``."""
    spec_for(SPECS, version)
    body = opening(notice.kind.value, notice.reference, notice.issued)
    body += truck_segments(notice)
    body += carrier_segments(notice.operator)
    if notice.driver is not None:
        body.append(Segment.of("NAD", SENDER, (notice.haulier, "160", "ZZZ")))
        body.append(Segment.of("CTA", DRIVER, ("", notice.driver)))
    for item in notice.items:
        references = (("BN", item.booking), ("RE", item.release))
        if item.container is not None:
            body += container_segments(item.container, references=references)
        elif item.iso_type is not None:
            body += equipment_segments(
                number=None,
                size_type=item.iso_type,
                full_empty=FullEmpty.EMPTY,
                references=references,
            )
    body.append(count(len(notice.items)))
    return body


copino_interchange = interchange_writer(SPECS, write_copino, "D95B")
"""A whole interchange (UNA … UNZ) holding the COPINO of a pre-notification; ``version`` as for
:func:`write_copino`."""
