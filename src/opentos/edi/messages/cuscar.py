"""CUSCAR: the cargo report of a vessel call to customs (UN/EDIFACT D.95B, no association code).

D.95B is the directory most customs administrations' guides still build on;
the table follows its order, restricted to what a container terminal reports:

- ``BGM+785`` (cargo manifest) with the report's number, ``DTM+137`` its date;
- the conveyance: ``TDT+20`` (voyage, carrier, vessel as in the SMDG messages),
  ``LOC+11`` the port of call (where the cargo is discharged), ``DTM+132`` the
  estimated arrival (``DTM+178``, the actual arrival, is read as well);
- the equipment: one ``EQD+CN`` group per container (number, ISO size-type,
  status 3 import / 2 export / 6 transhipment, full or empty) with its seals
  (``SEL``), read with :func:`~opentos.edi.messages.equipment.read_equipment`;
- the consignments: one ``CNI`` group per bill of lading (``RFF+BM``; the
  document number of ``CNI`` 2.1 when there is no ``RFF+BM``), its shipper
  (``NAD+CZ``) and consignee (``NAD+CN``) by name, and its goods items: ``GID``
  (item number, packages), ``FTX+AAA`` (description), ``MEA+WT+G`` (gross
  weight) and one ``SGP`` per container the item is in.

The group numbers are OpenTOS's (in table order); see docs/edi.md for what
needs the guides' confirmation.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opentos.edi.envelope import Message
from opentos.edi.messages.common import (
    container_number,
    dtm,
    kg,
    locode,
    measure,
    number_text,
    read_dtm,
)
from opentos.edi.messages.equipment import (
    PORT_OF_DISCHARGE,
    EquipmentData,
    built,
    count,
    equipment_segments,
    interchange_writer,
    message_tree,
    opening,
    read_equipment,
    read_issued,
    read_vessel,
    spec_for,
    vessel_segments,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.model.customs import CargoEquipment, CargoFlow, CargoReport, Consignment, GoodsItem
from opentos.model.ids import ContainerNumber, UnLocode

MANIFEST_CODE = "785"
"""BGM document code (1001): cargo manifest."""
ARRIVAL_ESTIMATED, ARRIVAL_ACTUAL = "132", "178"
"""DTM qualifiers (2005) of the vessel's arrival."""
BILL_OF_LADING = "BM"
"""RFF qualifier (1153) of a bill of lading number."""
SHIPPER, CONSIGNEE = "CZ", "CN"
"""NAD party qualifiers (3035): consignor, consignee."""
GOODS_DESCRIPTION = "AAA"
"""FTX subject (4451): goods description."""
FLOWS = {"3": CargoFlow.IMPORT, "2": CargoFlow.EXPORT, "6": CargoFlow.TRANSHIPMENT}
"""EQD equipment status (8249) and the flow it says."""
_FLOW_CODES = {v: k for k, v in FLOWS.items()}

CUSCAR_D95B = MessageSpec(
    "CUSCAR",
    "D95B",
    "",
    (
        S("BGM", "M", 1, (MANIFEST_CODE,), "cargo manifest"),
        S("DTM", "C", 9, (), "message date"),
        S("RFF", "C", 9),
        G(
            "SG1",
            "C",
            99,
            (S("NAD", "M", 1), G("SG2", "C", 9, (S("CTA", "M", 1), S("COM", "C", 9)))),
        ),
        S("FTX", "C", 9),
        G(
            "SG3",
            "C",
            9,
            (
                S("TDT", "M", 1, ("20",), "vessel and voyage"),
                S("LOC", "C", 99, (), "port of call"),
                S("DTM", "C", 99, (), "arrival"),
            ),
        ),
        G(
            "SG4",
            "C",
            9999,
            (
                S("EQD", "M", 1, ("CN",), "container"),
                S("MEA", "C", 9),
                S("SEL", "C", 99, (), "seals"),
            ),
        ),
        G(
            "SG5",
            "C",
            9999,
            (
                S("CNI", "M", 1, (), "consignment"),
                S("LOC", "C", 9),
                G("SG6", "C", 9, (S("RFF", "M", 1, (), "bill of lading"), S("DTM", "C", 9))),
                G("SG7", "C", 9, (S("NAD", "M", 1, (), "shipper, consignee"),)),
                G(
                    "SG8",
                    "C",
                    999,
                    (
                        S("GID", "M", 1, (), "goods item"),
                        S("FTX", "C", 9, (), "goods description"),
                        S("MEA", "C", 9, (), "gross weight"),
                        S("SGP", "C", 999, (), "container of the goods"),
                        S("DGS", "C", 99),
                    ),
                ),
            ),
        ),
        S("CNT", "C", 9),
    ),
    "Customs cargo report",
    guide="UN/EDIFACT CUSCAR D.95B, the terminal's report of a call",
    tolerates="no association code (D.95B customs files name none)",
)

SPECS: tuple[MessageSpec, ...] = (CUSCAR_D95B,)


def read_cuscar(message: Message, problems: Problems) -> CargoReport | None:
    """The cargo report a CUSCAR message gives; None (after an error) when it cannot be built.

    Equipment and consignments with errors are left out, each error naming where it was.
    """
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    if head.el(1) != MANIFEST_CODE:
        problems.error(
            f"document code must be {MANIFEST_CODE} (cargo manifest)",
            at=head,
            element="1",
            value=head.el(1),
        )
        return None
    call = next(iter(tree.groups("SG3")), None)
    if call is None:
        problems.error("the vessel (TDT+20) is missing", at=head, element="2", value=head.el(2))
        return None
    vessel = read_vessel(call, problems, None)
    port, arrival = _read_call(call, problems)
    equipment = _read_equipment(tree, problems)
    known = {e.number for e in equipment}
    consignments: list[Consignment] = []
    seen: set[str] = set()
    for group in tree.groups("SG5"):
        consignment = _read_consignment(group, problems, known)
        if consignment is None:
            continue
        if consignment.bill_of_lading in seen:
            problems.error(
                f"bill of lading {consignment.bill_of_lading} is reported twice",
                at=group.trigger,
                value=consignment.bill_of_lading,
            )
            continue
        seen.add(consignment.bill_of_lading)
        consignments.append(consignment)
    if vessel is None:
        return None
    call_ = replace(vessel, port=port)
    return built(
        lambda: CargoReport(
            head.el(2), call_, tuple(equipment), tuple(consignments), arrival,
            read_issued(tree, problems),
        ),
        problems, head, "2", head.el(2),
    )  # fmt: skip


def _read_call(call: Node, problems: Problems) -> tuple[UnLocode | None, datetime | None]:
    port: UnLocode | None = None
    arrival: dict[str, datetime] = {}
    for seg in call.items[1:]:
        if not isinstance(seg, Segment):
            continue
        if seg.tag == "LOC" and seg.qualifier == PORT_OF_DISCHARGE:
            port = locode(seg.el(2), seg, "2.1", problems)
        elif seg.tag == "DTM" and seg.qualifier in (ARRIVAL_ESTIMATED, ARRIVAL_ACTUAL):
            when = read_dtm(seg, problems)
            if when is not None:
                arrival.setdefault(seg.qualifier, when)
    return port, arrival.get(ARRIVAL_ESTIMATED) or arrival.get(ARRIVAL_ACTUAL)


def _read_equipment(tree: Node, problems: Problems) -> list[CargoEquipment]:
    found: list[CargoEquipment] = []
    seen: set[ContainerNumber] = set()
    for group in tree.groups("SG4"):
        data = read_equipment(group, problems)
        box = _equipment_of(data, problems)
        if box is None or data.errors:
            continue
        if box.number in seen:
            problems.error(
                f"container {box.number} is reported twice",
                at=data.eqd,
                element="2.1",
                value=str(box.number),
            )
            continue
        seen.add(box.number)
        found.append(box)
    return found


def _equipment_of(data: EquipmentData, problems: Problems) -> CargoEquipment | None:
    number, size_type, full_empty = data.number, data.iso_type, data.full_empty
    if number is None or size_type is None or full_empty is None:
        return None
    flow = FLOWS.get(data.status)
    if flow is None:
        problems.error(
            "equipment status must be 3 (import), 2 (export) or 6 (transhipment)",
            at=data.eqd,
            element="5",
            value=data.status,
        )
        return None
    return built(
        lambda: CargoEquipment(number, size_type, full_empty, flow, tuple(data.seals)),
        problems,
        data.eqd,
        "2.1",
        str(number),
    )


def _read_consignment(
    group: Node, problems: Problems, known: set[ContainerNumber]
) -> Consignment | None:
    cni = group.trigger
    bill = cni.el(2)
    bill_seg, bill_element = cni, "2.1"
    for ref in group.groups("SG6"):
        rff = ref.trigger
        if rff.qualifier == BILL_OF_LADING and rff.el(1, 2):
            bill, bill_seg, bill_element = rff.el(1, 2), rff, "1.2"
            break
    if not bill:
        problems.error(
            "consignment has no bill of lading (RFF+BM or CNI 2.1)", at=cni, element="2", value=""
        )
        return None
    names: dict[str, str] = {}
    for party in group.groups("SG7"):
        nad = party.trigger
        name = "".join(nad.elements[3]) if len(nad.elements) > 3 else ""
        if nad.qualifier in (SHIPPER, CONSIGNEE) and name:
            names.setdefault(nad.qualifier, name)
    goods: list[GoodsItem] = []
    failed = False
    for item in group.groups("SG8"):
        read = _read_goods(item, problems, known, bill)
        if read is None:
            failed = True
        else:
            goods.append(read)
    if failed:
        return None
    return built(
        lambda: Consignment(bill, tuple(goods), names.get(SHIPPER), names.get(CONSIGNEE)),
        problems,
        bill_seg,
        bill_element,
        bill,
    )


def _read_goods(
    item: Node, problems: Problems, known: set[ContainerNumber], bill: str
) -> GoodsItem | None:
    gid = item.trigger
    before = len(problems.errors)
    packages: int | None = None
    text = gid.el(2, 1)
    if text:
        if text.isdigit():
            packages = int(text)
        else:
            problems.error(
                "number of packages must be a whole number", at=gid, element="2.1", value=text
            )
    package_type = gid.el(2, 2) or None
    description: list[str] = []
    weight: int | None = None
    containers: list[ContainerNumber] = []
    for seg in item.items[1:]:
        if not isinstance(seg, Segment):
            continue
        if seg.tag == "FTX" and seg.qualifier == GOODS_DESCRIPTION:
            parts = seg.elements[3] if len(seg.elements) > 3 else ()
            description.append(" ".join(p for p in parts if p))
        elif seg.tag == "MEA" and seg.qualifier == "WT" and seg.el(2) in ("G", "AAB"):
            weight = kg(measure(seg, problems))
        elif seg.tag == "SGP":
            number = container_number(seg.el(1), seg, "1.1", problems)
            if number is None:
                continue
            if number not in known:
                problems.error(
                    f"bill of lading {bill}: container {number} is not in the report's "
                    "equipment (EQD)",
                    at=seg,
                    element="1.1",
                    value=seg.el(1),
                )
                continue
            containers.append(number)
    if len(problems.errors) > before:
        return None
    if not containers:
        problems.error(
            f"bill of lading {bill}: goods item {gid.el(1) or '?'} is in no container (SGP)",
            at=gid,
            element="1",
            value=gid.el(1),
        )
        return None
    text_ = " ".join(d for d in description if d) or None
    return built(
        lambda: GoodsItem(tuple(containers), text_, weight, packages, package_type),
        problems,
        gid,
        "2",
        text,
    )


def _name(qualifier: str, name: str) -> Segment:
    """``NAD+qualifier+++name`` with the name in components of 35 characters (C080)."""
    return Segment.of(
        "NAD", qualifier, None, None, [name[i : i + 35] for i in range(0, len(name), 35)]
    )


def write_cuscar(report: CargoReport, version: str = "D95B") -> list[Segment]:
    """The body of a CUSCAR message (UNH/UNT excluded) for ``report``."""
    spec_for(SPECS, version)
    body = opening(MANIFEST_CODE, report.reference, report.issued)
    body += vessel_segments(replace(report.vessel, port=None))
    if report.vessel.port is not None:
        body.append(Segment.of("LOC", PORT_OF_DISCHARGE, (report.vessel.port.code, "139", "6")))
    if report.arrival is not None:
        body.append(dtm(ARRIVAL_ESTIMATED, report.arrival))
    for box in report.equipment:
        body += equipment_segments(
            number=box.number,
            size_type=box.iso_type,
            full_empty=box.full_empty,
            status=_FLOW_CODES[box.flow],
            seals=box.seals,
        )
    for n, consignment in enumerate(report.consignments, start=1):
        body.append(Segment.of("CNI", str(n)))
        body.append(Segment.of("RFF", (BILL_OF_LADING, consignment.bill_of_lading)))
        if consignment.shipper is not None:
            body.append(_name(SHIPPER, consignment.shipper))
        if consignment.consignee is not None:
            body.append(_name(CONSIGNEE, consignment.consignee))
        for k, item in enumerate(consignment.goods, start=1):
            packages = None
            if item.packages is not None:
                packages = (str(item.packages), item.package_type or "")
            body.append(Segment.of("GID", str(k), packages))
            if item.description is not None:
                body.append(Segment.of("FTX", GOODS_DESCRIPTION, None, None, item.description))
            if item.gross_weight_kg is not None:
                body.append(
                    Segment.of("MEA", "WT", "G", ("KGM", number_text(item.gross_weight_kg)))
                )
            body += [Segment.of("SGP", str(number)) for number in item.containers]
    body.append(count(len(report.equipment)))
    return body


cuscar_interchange = interchange_writer(SPECS, write_cuscar, "D95B")
"""A whole interchange (UNA … UNZ) holding the CUSCAR of a cargo report; ``version`` as for
:func:`write_cuscar`."""
