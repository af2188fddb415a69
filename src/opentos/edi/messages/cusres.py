"""CUSRES: customs' answer about containers and bills of lading (UN/EDIFACT D.95B).

One message is one decision (:class:`~opentos.model.customs.CustomsResponse`):

- ``BGM+962`` with the response's number, ``DTM+137`` when customs decided;
- ``GIS`` the decision, processing indicator 7365: 1 accepted (9, accepted
  awaiting the goods, is read as accepted), 4 released, 7 detained (held),
  5 required for examination — with process type ``XRAY`` in component 4 a
  scan, ``PHYS`` (or none) a physical inspection — and 6 documents to be
  produced;
- ``FTX`` the reason, as free text;
- ``EQD+CN`` in the header: each container the decision is about;
- the detail groups (``RFF``, ``DTM``, ``MEA``, ``EQD``): ``RFF+ACW`` the report
  or declaration answered, and one ``RFF+BM`` per bill of lading, followed by
  the ``EQD+CN`` of its containers when customs names them.

Several decisions are several messages in one interchange; reading each gives
its response, and :func:`~opentos.model.customs.latest_statuses` gives each
container's latest.
"""

from __future__ import annotations

from datetime import datetime

from opentos.edi.envelope import Message
from opentos.edi.messages.common import container_number
from opentos.edi.messages.equipment import (
    built,
    message_interchange,
    message_tree,
    opening,
    read_issued,
    spec_for,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.model.customs import CustomsResponse, CustomsStatus, ResponseItem
from opentos.model.ids import ContainerNumber

RESPONSE_CODE = "962"
"""BGM document code (1001) written for a customs response."""
ANSWERED, BILL_OF_LADING = "ACW", "BM"
"""RFF qualifiers (1153): reference of the message answered, bill of lading."""
REASON = "ACB"
"""FTX subject (4451) written for the reason: additional information."""
SCAN_TYPES = ("XRAY", "SCAN", "NII")
"""GIS process types (C012 component 4) of an examination that are a scan."""
SCAN_TYPE, INSPECTION_TYPE = "XRAY", "PHYS"

_STATUS = {
    "1": CustomsStatus.ACCEPTED,
    "9": CustomsStatus.ACCEPTED,
    "4": CustomsStatus.RELEASED,
    "7": CustomsStatus.HELD,
    "6": CustomsStatus.DOCUMENTS_REQUIRED,
}
"""Processing indicators (7365) and the status each says; 5 (examination) is read apart."""
EXAMINATION = "5"
_CODES: dict[CustomsStatus, tuple[str, ...]] = {
    CustomsStatus.ACCEPTED: ("1",),
    CustomsStatus.RELEASED: ("4",),
    CustomsStatus.HELD: ("7",),
    CustomsStatus.DOCUMENTS_REQUIRED: ("6",),
    CustomsStatus.SCAN: (EXAMINATION, "", "", SCAN_TYPE),
    CustomsStatus.INSPECTION: (EXAMINATION, "", "", INSPECTION_TYPE),
}

CUSRES_D95B = MessageSpec(
    "CUSRES",
    "D95B",
    "",
    (
        S("BGM", "M", 1, (RESPONSE_CODE,), "customs response"),
        S("NAD", "C", 5),
        S("LOC", "C", 5),
        S("DTM", "C", 7, (), "decision time"),
        S("GIS", "C", 10, (), "decision"),
        S("FTX", "C", 5, (), "reason"),
        S("EQD", "C", 999, (), "container"),
        G("SG1", "C", 50, (S("ERP", "M", 1), S("ERC", "C", 50))),
        G(
            "SG2",
            "C",
            999,
            (S("PAC", "M", 1), G("SG3", "C", 1, (S("PCI", "M", 1), S("FTX", "C", 1)))),
        ),
        G("SG4", "C", 50, (S("TAX", "M", 1), S("MOA", "C", 2), S("GIS", "C", 1))),
        G(
            "SG5",
            "M",
            9999,
            (
                S("RFF", "M", 1, (), "reference answered, bill of lading"),
                S("DTM", "C", 1),
                S("MEA", "C", 20),
                S("EQD", "C", 99, (), "container of the bill of lading"),
                G("SG6", "C", 10, (S("MOA", "M", 1), S("CUX", "C", 1))),
                G("SG7", "C", 20, (S("TAX", "M", 1), S("MOA", "C", 2), S("GIS", "C", 1))),
            ),
        ),
        G("SG8", "C", 5, (S("DOC", "M", 1), S("DTM", "C", 2), S("LOC", "C", 1))),
    ),
    "Customs response",
    guide="UN/EDIFACT CUSRES D.95B",
    tolerates="no association code (D.95B customs files name none)",
)

SPECS: tuple[MessageSpec, ...] = (CUSRES_D95B,)


def read_cusres(message: Message, problems: Problems) -> CustomsResponse | None:
    """The decision a CUSRES message gives; None (after an error) when it cannot be built.

    A container whose number is wrong is left out, with an error naming its ``EQD``.
    """
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    status = _read_status(tree, head, problems)
    reason = " ".join(filter(None, (_text(seg) for seg in tree.segments("FTX")))) or None
    items: list[ResponseItem] = []
    seen: set[ContainerNumber] = set()
    for eqd in tree.segments("EQD"):
        number = _container(eqd, problems, seen)
        if number is not None:
            items.append(ResponseItem(number))
    answered: str | None = None
    for group in tree.groups("SG5"):
        rff = group.trigger
        bill = rff.el(1, 2) if rff.qualifier == BILL_OF_LADING else None
        if rff.qualifier != BILL_OF_LADING and answered is None and rff.el(1, 2):
            answered = rff.el(1, 2)
        boxes = [_container(eqd, problems, seen) for eqd in group.segments("EQD")]
        numbers = [n for n in boxes if n is not None]
        made = [_item(None, bill, rff, problems)] if bill is not None and not boxes else []
        made += [_item(n, bill, rff, problems) for n in numbers]
        items += [item for item in made if item is not None]
    if answered is None:
        problems.error(
            f"the reference answered (RFF+{ANSWERED}) is missing",
            at=head,
            element="2",
            value=head.el(2),
        )
        return None
    if status is None:
        return None
    issued = read_issued(tree, problems)
    return built(
        lambda: CustomsResponse(head.el(2), answered, status, tuple(items), reason, issued),
        problems,
        head,
        "2",
        head.el(2),
    )


def _item(
    number: ContainerNumber | None, bill: str | None, rff: Segment, problems: Problems
) -> ResponseItem | None:
    """The item of a container and/or B/L; None after an error when the B/L is unusable."""
    return built(lambda: ResponseItem(number, bill), problems, rff, "1.2", rff.el(1, 2))


def _read_status(tree: Node, head: Segment, problems: Problems) -> CustomsStatus | None:
    found: list[tuple[CustomsStatus, Segment]] = []
    for gis in tree.segments("GIS"):
        code = gis.el(1, 1)
        status = _STATUS.get(code)
        if code == EXAMINATION:
            kind = gis.el(1, 4).upper()
            status = CustomsStatus.SCAN if kind in SCAN_TYPES else CustomsStatus.INSPECTION
        if status is None:
            problems.warning(
                f"processing indicator {code!r} is not a decision OpenTOS reads (1, 4, 5, 6, 7, 9)",
                at=gis,
                element="1.1",
                value=code,
            )
            continue
        found.append((status, gis))
    if not found:
        problems.error(
            "the decision (GIS 1 accepted, 4 released, 5 examination, 6 documents, 7 held) "
            "is missing",
            at=head,
            element="2",
            value=head.el(2),
        )
        return None
    first, _ = found[0]
    for other, gis in found[1:]:
        if other is not first:
            problems.error(
                f"a second decision ({other}) after {first}; one decision per message",
                at=gis,
                element="1.1",
                value=gis.el(1, 1),
            )
            return None
    return first


def _text(ftx: Segment) -> str:
    parts = ftx.elements[3] if len(ftx.elements) > 3 else ()
    return " ".join(p for p in parts if p)


def _container(
    eqd: Segment, problems: Problems, seen: set[ContainerNumber]
) -> ContainerNumber | None:
    if eqd.qualifier != "CN":
        problems.warning(
            f"equipment {eqd.qualifier!r} is not a container (CN); left out",
            at=eqd,
            element="1",
            value=eqd.qualifier,
        )
        return None
    number = container_number(eqd.el(2), eqd, "2.1", problems)
    if number is not None and number in seen:
        problems.error(f"container {number} is named twice", at=eqd, element="2.1", value=eqd.el(2))
        return None
    if number is not None:
        seen.add(number)
    return number


def write_cusres(response: CustomsResponse, version: str = "D95B") -> list[Segment]:
    """The body of a CUSRES message (UNH/UNT excluded) for ``response``.

    Containers named without a B/L come first, in the header; then each B/L, in
    the order of its first item, with its containers.
    """
    spec_for(SPECS, version)
    body = opening(RESPONSE_CODE, response.reference, response.at)
    body.append(Segment.of("GIS", _CODES[response.status]))
    if response.reason is not None:
        body.append(Segment.of("FTX", REASON, None, None, response.reason))
    body += [
        _eqd(item.container)
        for item in response.items
        if item.container is not None and item.bill_of_lading is None
    ]
    body.append(Segment.of("RFF", (ANSWERED, response.responds_to)))
    bills: dict[str, list[ContainerNumber]] = {}
    for item in response.items:
        if item.bill_of_lading is not None:
            boxes = bills.setdefault(item.bill_of_lading, [])
            if item.container is not None:
                boxes.append(item.container)
    for bill, boxes in bills.items():
        body.append(Segment.of("RFF", (BILL_OF_LADING, bill)))
        body += [_eqd(n) for n in boxes]
    return body


def _eqd(number: ContainerNumber) -> Segment:
    return Segment.of("EQD", "CN", str(number))


def cusres_interchange(
    responses: CustomsResponse | tuple[CustomsResponse, ...],
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
    version: str = "D95B",
) -> str:
    """A whole interchange (UNA … UNZ) with one CUSRES message per response."""
    several = (responses,) if isinstance(responses, CustomsResponse) else responses
    return message_interchange(
        SPECS, version, [write_cusres(r, version) for r in several],
        sender=sender, recipient=recipient, reference=reference, prepared=prepared,
    )  # fmt: skip
