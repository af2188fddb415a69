"""The parts COPRAR, COARRI, CODECO and COPARN share: the equipment group and the vessel.

Each of the four messages lists its boxes in an ``EQD`` group (EQD, RFF, EQN,
TMD, DTM, LOC, MEA, DIM, TMP, SEL, FTX, DGS, a TDT sub-group for the inland
or ocean transport, NAD) and, except CODECO, names the vessel in a ``TDT``
group. :func:`equipment_group` builds that part of a table, :func:`read_equipment`
reads one group into :class:`EquipmentData`, :func:`container_of` turns that
into a :class:`~opentos.model.container.Container`, and :func:`equipment_segments`
writes one group in the order the tables give. The vessel has
:func:`vessel_table`, :func:`read_vessel` and :func:`vessel_segments`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, TypeVar

from opentos.edi.envelope import Message, MessageHeader, write_interchange
from opentos.edi.messages.common import (
    FULL_EMPTY_CODE,
    SEALS,
    code_as_sent,
    dgs,
    dims,
    dtm,
    equipment_id,
    full_empty,
    is_placeholder,
    kg,
    locode,
    measure,
    read_dgs,
    read_dims,
    read_dtm,
    read_tmp,
    size_type,
    slot,
    tmp,
)
from opentos.edi.problems import Problems
from opentos.edi.registry import ANY_OTHER
from opentos.edi.structure import G, MessageSpec, Node, S, Status
from opentos.edi.syntax import Segment
from opentos.errors import DomainError, InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    ReeferSetting,
    Seal,
    SealIssuer,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType, SizeTypeReading, read_size_type
from opentos.model.moves import MoveKind
from opentos.model.orders import VesselCall
from opentos.model.slots import BayRowTier

T = TypeVar("T")


EXPORT, IMPORT = "2", "3"
"""EQD equipment status (code list 8249) written for loads and discharges."""

PORT_OF_LOADING, PORT_OF_DISCHARGE, PLACE_OF_DELIVERY, STOWAGE_CELL = "9", "11", "83", "147"
"""LOC qualifiers (code list 3227) in the equipment group."""
PORT_OF_CALL = "5"
"""LOC qualifier under the vessel's TDT: the port the message is about (place of departure)."""

WEIGHTS = {"G": "gross_weight_kg", "VGM": "vgm_kg", "T": "tare_kg"}
"""MEA+AAE measured attributes and the container fields they fill."""

_ISSUER_CODE = {SealIssuer(v): k for k, v in SEALS.items()}
_OPERATOR = re.compile(r"[A-Z0-9]{1,4}")


def equipment_group(
    name: str,
    status: Status,
    first: int,
    *,
    eqn: bool,
    loc_group: bool,
    damage: bool,
    nad_group: bool = False,
    directory: str = "D00B",
) -> G:
    """The ``EQD`` group of a container message; sub-groups are numbered from ``first``.

    ``eqn``: the group has an EQN segment (orders and bookings); ``loc_group``:
    its LOC is a LOC-DTM group (reports); ``damage``: it has a DAM-COD group;
    ``nad_group``: its NAD is a NAD-DTM group (COPARN). ``directory`` ``D95B``
    gives the flatter D.95B group (see :func:`equipment_group_d95b`); ``D23A``
    adds the GDS, PIA and COD segments later directories have.
    """
    if directory == "D95B":
        return equipment_group_d95b(name, status, first, eqn=eqn, damage=damage)
    n = first
    entries: list[S | G] = [
        S("EQD", "M", 1, ("CN",), "equipment details"),
        S("RFF", "C", 9, (), "references: booking, release, B/L"),
    ]
    if directory == "D23A":
        entries.append(S("GDS", "C", 9))
    if eqn:
        entries.append(S("EQN", "C", 1, (), "number of units"))
    entries += [S("TMD", "C", 9), S("DTM", "C", 9, (), "move or gate time")]
    if loc_group:
        entries.append(G(f"SG{n}", "C", 9, (S("LOC", "M", 1), S("DTM", "C", 9))))
        n += 1
    else:
        entries.append(S("LOC", "C", 9, (), "slot, ports"))
    entries += [S("MEA", "C", 9, (), "weights"), S("DIM", "C", 9, (), "out of gauge")]
    entries.append(G(f"SG{n}", "C", 9, (S("TMP", "M", 1), S("RNG", "C", 1))))
    n += 1
    entries += [S("SEL", "C", 9), S("FTX", "C", 9), S("PCD", "C", 9)]
    dgs_name, cta_name = f"SG{n}", f"SG{n + 1}"
    n += 2
    entries.append(
        G(
            dgs_name,
            "C",
            99,
            (
                S("DGS", "M", 1),
                S("FTX", "C", 9),
                G(cta_name, "C", 9, (S("CTA", "M", 1), S("COM", "C", 9))),
            ),
        )
    )
    entries.append(S("EQA", "C", 9))
    if directory == "D23A":
        entries += [S("PIA", "C", 9), S("COD", "C", 9)]
    entries.append(S("HAN", "C", 9))
    if damage:
        entries.append(G(f"SG{n}", "C", 9, (S("DAM", "M", 1), S("COD", "C", 1))))
        n += 1
    tdt_name, loc_name = f"SG{n}", f"SG{n + 1}"
    n += 2
    entries.append(
        G(
            tdt_name,
            "C",
            9,
            (
                S("TDT", "M", 1, (), "inland or onward transport"),
                S("DTM", "C", 9),
                S("RFF", "C", 9),
                G(loc_name, "C", 9, (S("LOC", "M", 1), S("DTM", "C", 9))),
            ),
        )
    )
    if nad_group:
        entries.append(G(f"SG{n}", "C", 9, (S("NAD", "M", 1), S("DTM", "C", 9))))
    else:
        entries.append(S("NAD", "C", 9, (), "container operator"))
    return G(name, status, 9999, tuple(entries))


def equipment_group_d95b(name: str, status: Status, first: int, *, eqn: bool, damage: bool) -> G:
    """The ``EQD`` group of a D.95B container message; sub-groups are numbered from ``first``.

    D.95B has no LOC-DTM, TMP-RNG or DGS-FTX sub-groups (LOC, TMP, RNG and DGS
    are plain segments of the group), no PCD and no HAN; the onward transport is
    a TDT-RFF-LOC-DTM group and the operator a plain NAD.
    """
    n = first
    entries: list[S | G] = [
        S("EQD", "M", 1, ("CN",), "equipment details"),
        S("RFF", "C", 9, (), "references: booking, release, B/L"),
    ]
    if eqn:
        entries.append(S("EQN", "C", 1, (), "number of units"))
    entries += [
        S("TMD", "C", 9),
        S("DTM", "C", 9, (), "move or gate time"),
        S("LOC", "C", 9, (), "slot, ports"),
        S("MEA", "C", 9, (), "weights"),
        S("DIM", "C", 9, (), "out of gauge"),
        S("TMP", "C", 9),
        S("RNG", "C", 9),
        S("SEL", "C", 9),
        S("FTX", "C", 9),
        S("DGS", "C", 99),
        S("EQA", "C", 9),
    ]
    if damage:
        entries.append(G(f"SG{n}", "C", 9, (S("DAM", "M", 1), S("COD", "C", 1))))
        n += 1
    transport = (
        S("TDT", "M", 1, (), "inland or onward transport"),
        S("RFF", "C", 9),
        S("LOC", "C", 9),
        S("DTM", "C", 9),
    )
    entries += [G(f"SG{n}", "C", 1, transport), S("NAD", "C", 9, (), "container operator")]
    return G(name, status, 9999, tuple(entries))


def vessel_table(
    name: str, loc_name: str, status: Status = "M", *, ftx: bool = False, flat: bool = False
) -> G:
    """The ``TDT`` group naming the vessel call (TDT, DTM, RFF, LOC-DTM, FTX).

    ``flat``: the D.95B group TDT-RFF-LOC-DTM(-FTX), with LOC and DTM as plain
    segments (``loc_name`` is not used).
    """
    if flat:
        plain: list[S | G] = [
            S("TDT", "M", 1, ("20",), "vessel and voyage"),
            S("RFF", "C", 9),
            S("LOC", "C", 9, (), "port of call"),
            S("DTM", "C", 9),
        ]
        if ftx:
            plain.append(S("FTX", "C", 9))
        return G(name, status, 1, tuple(plain))
    entries: list[S | G] = [
        S("TDT", "M", 1, ("20",), "vessel and voyage"),
        S("DTM", "C", 9),
        S("RFF", "C", 9),
        G(loc_name, "C", 9, (S("LOC", "M", 1), S("DTM", "C", 9))),
    ]
    if ftx:
        entries.append(S("FTX", "C", 9))
    return G(name, status, 1, tuple(entries))


def party_group(name: str, contact: str, status: Status = "M") -> G:
    """The ``NAD`` group of the message header (NAD, CTA-COM)."""
    return G(
        name,
        status,
        9,
        (S("NAD", "M", 1), G(contact, "C", 9, (S("CTA", "M", 1), S("COM", "C", 9)))),
    )


@dataclass(slots=True)
class EquipmentData:
    """What one equipment group says, as read; None where it says nothing (or it was wrong)."""

    eqd: Segment
    number: ContainerNumber | None = None
    """The box's number; not :attr:`~ContainerNumber.verified` when it was written wrongly."""
    iso_type: SizeType | None = None
    """Today's size-type; None when the code said too little (see ``size``)."""
    size: SizeTypeReading | None = None
    """The size-type code as read, whatever edition it is of."""
    full_empty: FullEmpty | None = None
    status: str = ""
    quantity: int | None = None
    references: dict[str, str] = field(default_factory=dict)
    dates: dict[str, datetime] = field(default_factory=dict)
    slot: BayRowTier | None = None
    ports: dict[str, UnLocode] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=dict)
    oog: OutOfGauge | None = None
    reefer: ReeferSetting | None = None
    seals: list[Seal] = field(default_factory=list)
    dangerous_goods: list[DangerousGoods] = field(default_factory=list)
    operator: str | None = None
    truck: str | None = None
    haulier: str | None = None
    errors: int = 0
    """Errors recorded while reading the group; the caller skips an item that has any."""


def read_equipment(
    group: Node, problems: Problems, *, number_required: bool = True
) -> EquipmentData:
    """Read one ``EQD`` group; every problem names its segment, element and value."""
    before = len(problems.errors)
    eqd = group.trigger
    data = EquipmentData(eqd)
    _read_eqd(data, eqd, problems, number_required)
    dims_segs: list[Segment] = []
    for item in group.items[1:]:
        if isinstance(item, Node):
            if item.trigger.tag == "TDT":
                _read_transport(data, item.trigger)
                continue
            segments = list(item.flatten())
        else:
            segments = [item]
        for seg in segments:
            if seg.tag == "DIM":
                dims_segs.append(seg)
            else:
                _read_segment(data, seg, problems)
    if dims_segs:
        data.oog = read_dims(dims_segs, problems)
    data.errors = len(problems.errors) - before
    return data


def _read_eqd(data: EquipmentData, eqd: Segment, problems: Problems, number_required: bool) -> None:
    text = eqd.el(2)
    if not number_required and text and is_placeholder(text):
        problems.warning(
            f"container number {text!r} is a placeholder; read as no number",
            at=eqd,
            element="2.1",
            value=text,
        )
    elif text or number_required:
        data.number = equipment_id(text, eqd, "2.1", problems)
    data.size = size_type(eqd.el(3), eqd, "3.1", problems)
    data.iso_type = None if data.size.unknown else data.size.size_type
    data.status = eqd.el(5)
    data.full_empty = full_empty(eqd, problems)


def _read_segment(data: EquipmentData, seg: Segment, problems: Problems) -> None:
    tag, qualifier = seg.tag, seg.qualifier
    if tag == "RFF":
        data.references.setdefault(qualifier, seg.el(1, 2))
    elif tag == "EQN":
        text = seg.el(1)
        if text.isdigit() and int(text) > 0:
            data.quantity = int(text)
        else:
            problems.error(
                "number of units must be a whole number >= 1", at=seg, element="1.1", value=text
            )
    elif tag == "DTM":
        at = read_dtm(seg, problems)
        if at is not None:
            data.dates.setdefault(qualifier, at)
    elif tag == "LOC":
        if qualifier == STOWAGE_CELL:
            data.slot = slot(seg.el(2), seg, "2.1", problems)
        elif qualifier in (PORT_OF_LOADING, PORT_OF_DISCHARGE, PLACE_OF_DELIVERY):
            port = locode(seg.el(2), seg, "2.1", problems)
            if port is not None:
                data.ports[qualifier] = port
    elif tag == "MEA":
        attribute = seg.el(2)
        if attribute in WEIGHTS:
            value = kg(measure(seg, problems))
            if value is not None:
                data.weights[attribute] = value
    elif tag == "TMP":
        data.reefer = read_tmp(seg, problems)
    elif tag == "SEL":
        _read_seal(data, seg, problems)
    elif tag == "DGS":
        dg = read_dgs(seg, problems)
        if dg is not None:
            data.dangerous_goods.append(dg)
    elif tag == "NAD" and qualifier == "CF":
        data.operator = seg.el(2) or None


def _read_seal(data: EquipmentData, seg: Segment, problems: Problems) -> None:
    code = seg.el(2) or "CA"
    issuer = SEALS.get(code)
    if issuer is None:
        problems.error(
            f"seal issuer {code!r} is not CA, SH, CU or TO", at=seg, element="2.1", value=code
        )
        return
    try:
        data.seals.append(Seal(seg.el(1), SealIssuer(issuer)))
    except DomainError as exc:
        problems.error(f"seal: {exc}", at=seg, element="1", value=seg.el(1))


def _read_transport(data: EquipmentData, tdt: Segment) -> None:
    data.truck = tdt.el(8) or None
    data.haulier = tdt.el(5) or None


def container_of(data: EquipmentData, operator: str | None, problems: Problems) -> Container | None:
    """The container an equipment group names; None only when it names no number.

    ``operator`` is the header's line, used when the group has no ``NAD+CF``. What
    the group says wrongly or not at all is an error and the box is still built:
    a stand-in marks each fact that is unknown (``Container.unknown``), and
    optional facts the model rejects (a set point on a dry box) are left out.
    """
    number = data.number
    if number is None:
        return None
    unknown: set[str] = set()
    if not number.verified:
        unknown.add("number")
    size = data.size or read_size_type("")
    unknown |= size.unknown
    full_empty = data.full_empty
    if full_empty is None:
        unknown.add("full_empty")
    owner = data.operator or operator
    if owner is None:
        problems.error(
            f"container {number} has no operator (no NAD+CF here nor a line in the header)",
            at=data.eqd,
            element="2.1",
            value=str(number),
        )
    elif not _OPERATOR.fullmatch(owner):
        problems.error(
            f"container {number}: operator {owner!r} must be 1-4 capital letters or digits",
            at=data.eqd,
            element="2.1",
            value=str(number),
        )
        owner = None
    if owner is None:
        unknown.add("operator")
    bare = Container(
        number,
        size.size_type,
        owner or "",
        full_empty or FullEmpty.FULL,
        iso_code_as_sent=code_as_sent(size),
        unknown=frozenset(unknown),
    )
    try:
        return replace(
            bare,
            gross_weight_kg=data.weights.get("G"),
            vgm_kg=data.weights.get("VGM"),
            tare_kg=data.weights.get("T"),
            port_of_loading=data.ports.get(PORT_OF_LOADING),
            port_of_discharge=data.ports.get(PORT_OF_DISCHARGE),
            place_of_delivery=data.ports.get(PLACE_OF_DELIVERY),
            reefer=data.reefer,
            dangerous_goods=tuple(data.dangerous_goods),
            oog=data.oog,
            seals=tuple(data.seals),
        )
    except DomainError as exc:
        problems.error(str(exc), at=data.eqd, element="2.1", value=str(number))
        data.errors += 1
        return bare


def equipment_segments(
    *,
    number: ContainerNumber | None,
    size_type: SizeType | str,
    full_empty: FullEmpty,
    status: str = "",
    references: Sequence[tuple[str, str | None]] = (),
    quantity: int | None = None,
    dates: Sequence[tuple[str, datetime]] = (),
    position: BayRowTier | None = None,
    ports: Sequence[tuple[str, UnLocode | None]] = (),
    weights: Sequence[tuple[str, int | None]] = (),
    oog: OutOfGauge | None = None,
    reefer: ReeferSetting | None = None,
    seals: Sequence[Seal] = (),
    dangerous_goods: Sequence[DangerousGoods] = (),
    transport: Sequence[Segment] = (),
    operator: str | None = None,
) -> list[Segment]:
    """One equipment group in table order; empty values are left out.

    ``size_type`` may be the code as a line sent it (``Container.iso_code``).
    """
    out = [
        Segment.of(
            "EQD",
            "CN",
            str(number) if number is not None else None,
            (str(size_type), "102", "5"),
            None,
            status or None,
            FULL_EMPTY_CODE[full_empty],
        )
    ]
    out += [Segment.of("RFF", (q, v)) for q, v in references if v]
    if quantity is not None:
        out.append(Segment.of("EQN", str(quantity)))
    out += [dtm(q, at) for q, at in dates]
    if position is not None:
        out.append(Segment.of("LOC", STOWAGE_CELL, (str(position), "", "5")))
    out += [Segment.of("LOC", q, (p.code, "139", "6")) for q, p in ports if p is not None]
    out += [Segment.of("MEA", "AAE", a, ("KGM", str(w))) for a, w in weights if w is not None]
    if oog is not None:
        out += dims(oog)
    if reefer is not None:
        out.append(tmp(reefer))
    out += [Segment.of("SEL", s.number, _ISSUER_CODE[s.issuer]) for s in seals]
    out += [dgs(dg) for dg in dangerous_goods]
    out += transport
    if operator is not None:
        out.append(Segment.of("NAD", "CF", (operator, "160", "ZZZ")))
    return out


def container_segments(
    box: Container,
    *,
    status: str = "",
    references: Sequence[tuple[str, str | None]] = (),
    dates: Sequence[tuple[str, datetime]] = (),
    position: BayRowTier | None = None,
    transport: Sequence[Segment] = (),
) -> list[Segment]:
    """The equipment group of one known container, with everything the model holds on it."""
    return equipment_segments(
        number=box.number,
        size_type=box.iso_code,
        full_empty=box.full_empty,
        status=status,
        references=references,
        dates=dates,
        position=position,
        ports=(
            (PORT_OF_LOADING, box.port_of_loading),
            (PORT_OF_DISCHARGE, box.port_of_discharge),
            (PLACE_OF_DELIVERY, box.place_of_delivery),
        ),
        weights=(("G", box.gross_weight_kg), ("VGM", box.vgm_kg), ("T", box.tare_kg)),
        oog=box.oog,
        reefer=box.reefer,
        seals=box.seals,
        dangerous_goods=box.dangerous_goods,
        transport=transport,
        operator=box.operator,
    )


def vessel_segments(vessel: VesselCall) -> list[Segment]:
    """``TDT+20`` with voyage, operator and vessel, then ``LOC+5`` for the port of call."""
    if vessel.imo is not None:
        ident: tuple[str, ...] = (vessel.imo, "146", "11", vessel.vessel_name)
    elif vessel.call_sign is not None:
        ident = (vessel.call_sign, "103", "", vessel.vessel_name)
    else:
        ident = ("", "", "", vessel.vessel_name)
    out = [
        Segment.of(
            "TDT", "20", vessel.voyage, "1", None, (vessel.operator, "172", "20"), None, None, ident
        )
    ]
    if vessel.port is not None:
        out.append(Segment.of("LOC", PORT_OF_CALL, (vessel.port.code, "139", "6")))
    return out


def read_vessel(
    group: Node, problems: Problems, operator: str | None, *, with_port: bool = True
) -> VesselCall | None:
    """The vessel call of a ``TDT`` group; ``operator`` (the header's line) when TDT has none.

    ``with_port``: read the port of call (``LOC+5``) too; a schedule reads its ports itself.
    """
    tdt = group.trigger
    port: UnLocode | None = None
    for seg in group.flatten() if with_port else ():
        if seg.tag == "LOC" and seg.qualifier == PORT_OF_CALL:
            port = locode(seg.el(2), seg, "2.1", problems)
    ident, code, name = tdt.el(8, 1), tdt.el(8, 2), tdt.el(8, 4)
    imo = ident if ident and code == "146" else None
    call_sign = ident if ident and code != "146" else None
    owner = tdt.el(5) or operator
    if not name:
        problems.error("vessel name is missing", at=tdt, element="8.4", value=name)
        return None
    if not owner:
        problems.error(
            "vessel operator is missing (TDT or NAD+CA)", at=tdt, element="5.1", value=""
        )
        return None
    try:
        return VesselCall(name, tdt.el(2), owner, call_sign, imo, port)
    except DomainError as exc:
        problems.error(str(exc), at=tdt, element="2", value=tdt.el(2))
        return None


def header_party(group: Node) -> str | None:
    """The line of a header ``NAD+CA`` (carrier) group, if that is what ``group`` is."""
    nad = group.trigger
    return nad.el(2) or None if nad.qualifier == "CA" else None


def carrier_segments(operator: str) -> list[Segment]:
    """The header ``NAD+CA`` naming the line."""
    return [Segment.of("NAD", "CA", (operator, "160", "ZZZ"))]


def opening(code: str, reference: str, issued: datetime | None) -> list[Segment]:
    """``BGM+code+reference+9`` and, when known, ``DTM+137`` (the document's date)."""
    head = [Segment.of("BGM", code, reference, "9")]
    if issued is not None:
        head.append(dtm("137", issued))
    return head


def count(boxes: int) -> Segment:
    """``CNT+16:n``: the number of boxes the message lists."""
    return Segment.of("CNT", ("16", str(boxes)))


def read_issued(tree: Node, problems: Problems) -> datetime | None:
    """The message date (``DTM+137``) of the header, if given."""
    seg = tree.segment("DTM", "137")
    return None if seg is None else read_dtm(seg, problems)


def item_dropped(data: EquipmentData, what: Container | None) -> bool:
    """True if the item of an equipment group has to be left out (an error was recorded)."""
    return what is None or data.errors > 0 or bool(what.unknown)


def group_name(spec: MessageSpec | None, tag: str, default: str) -> str:
    """The name of the top-level group of ``spec`` that ``tag`` opens (``default`` if none)."""
    for entry in spec.body if spec is not None else ():
        if isinstance(entry, G) and entry.trigger.tag == tag:
            return entry.name
    return default


def spec_for(specs: Sequence[MessageSpec], version: str) -> MessageSpec:
    """The table of ``version`` among ``specs``: a directory (``"D00B"``), or a
    directory and association code (``"D95B:SMDG16"``; ``"D95B:"`` is no code).

    A code no table lists is written with the directory's table for any other
    code (:data:`~opentos.edi.registry.ANY_OTHER`) when there is one: a line's own code.

    Raises
    ------
    InvalidValue
        When no table of that version exists.
    """
    directory, colon, association = version.partition(":")
    same_dir = [s for s in specs if s.version == directory]
    if association != ANY_OTHER:
        for spec in same_dir:
            if not colon or association in spec.association.split("|"):
                return spec
        for spec in same_dir:
            if association and ANY_OTHER in spec.association.split("|"):
                return spec
    known = ", ".join(written_versions(specs))
    kind = specs[0].type if specs else "message"
    raise InvalidValue(f"{kind} version {version!r} is not one OpenTOS writes ({known})")


def association_for(spec: MessageSpec, version: str) -> str:
    """The association code written for ``version`` with ``spec``: the one asked, else the
    first the table lists (a table only for other codes writes none unless one is asked)."""
    _, colon, association = version.partition(":")
    if colon:
        return association
    first = spec.association.split("|")[0]
    return "" if first == ANY_OTHER else first


def written_versions(specs: Sequence[MessageSpec]) -> list[str]:
    """Every ``directory:association`` the tables can be written as (``D95B:`` is no code)."""
    return [
        f"{s.version}:{code}"
        for s in specs
        for code in s.association.split("|")
        if code != ANY_OTHER
    ]


def message_interchange(
    specs: Sequence[MessageSpec],
    version: str,
    bodies: Sequence[Sequence[Segment]],
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
) -> str:
    """An interchange with one message per body, under the table and code of ``version``.

    Raises
    ------
    InvalidValue
        When no table of that version exists (:func:`spec_for`).
    """
    spec = spec_for(specs, version)
    code = association_for(spec, version)
    directory, release = spec.version[:1], spec.version[1:]
    messages = [
        (MessageHeader(str(k), spec.type, directory, release, "UN", code), body)
        for k, body in enumerate(bodies, start=1)
    ]
    return write_interchange(
        messages, sender=sender, recipient=recipient, reference=reference, prepared=prepared
    )


T_contra = TypeVar("T_contra", contravariant=True)


class InterchangeWriter(Protocol[T_contra]):
    """Writes a whole interchange (UNA … UNZ) holding the message of one domain object."""

    def __call__(
        self,
        obj: T_contra,
        /,
        *,
        sender: str,
        recipient: str,
        reference: str,
        prepared: datetime,
        version: str = ...,
    ) -> str: ...


def interchange_writer(
    specs: Sequence[MessageSpec],
    write: Callable[[T_contra, str], Sequence[Segment]],
    default: str,
) -> InterchangeWriter[T_contra]:
    """The ``<type>_interchange`` function of a message module: ``write`` in one message
    under the table and code of ``version`` (``default`` when not given)."""

    def interchange(
        obj: T_contra,
        /,
        *,
        sender: str,
        recipient: str,
        reference: str,
        prepared: datetime,
        version: str = default,
    ) -> str:
        return message_interchange(
            specs, version, [write(obj, version)],
            sender=sender, recipient=recipient, reference=reference, prepared=prepared,
        )  # fmt: skip

    return interchange


def message_tree(message: Message, problems: Problems) -> Node | None:
    """The message's tree, or None after an error when its table was not found."""
    if message.tree is None:
        problems.error(
            f"message {message.header.type} {message.header.directory} has no table to read it",
            at=message.unh,
            element="2",
            value=message.header.type,
        )
    return message.tree


@dataclass(frozen=True, slots=True)
class MessageHead:
    """What COPRAR, COARRI and CODECO read before their boxes."""

    message: Message
    tree: Node
    bgm: Segment
    kind: MoveKind
    operator: str | None
    vessel: VesselCall | None
    issued: datetime | None


def line_elsewhere(
    tree: Node, call: Node | None, head: Segment, boxes: str, problems: Problems
) -> str | None:
    """The line when the header ``NAD+CA`` is missing: the vessel's operator (``TDT`` of
    ``call``), else the first box's (``NAD+CF`` in a ``boxes`` group); a warning says
    where it was taken from, an error at ``head`` (the ``BGM``) if nowhere."""
    found: tuple[str, Segment, str] | None = None
    if call is not None and call.trigger.el(5):
        found = (call.trigger.el(5), call.trigger, "5.1")
    else:
        for group in tree.groups(boxes):
            nad = next((s for s in group.flatten() if s.tag == "NAD" and s.qualifier == "CF"), None)
            if nad is not None and nad.el(2):
                found = (nad.el(2), nad, "2.1")
                break
    if found is None:
        problems.error(
            "the line (NAD+CA) is missing, and neither the vessel (TDT) nor a box (NAD+CF) "
            "names one",
            at=head,
            element="2",
            value=head.el(2),
        )
        return None
    line, seg, element = found
    problems.warning(
        f"the line (NAD+CA) is missing; read as {line}, the operator {seg.tag} names",
        at=seg,
        element=element,
        value=line,
    )
    return line


def read_head(
    message: Message,
    problems: Problems,
    kinds: Mapping[str, MoveKind],
    expected: str,
    *,
    vessel: bool = True,
    parties: str | None = None,
    call_group: str | None = None,
) -> MessageHead | None:
    """The tree, ``BGM`` kind, line (``NAD+CA``), vessel call and date of a message.

    ``kinds`` maps the BGM document codes to move kinds; ``expected`` names them
    for the error. None (after an error) when the header is unusable.
    ``parties`` and ``call_group`` name the NAD and TDT groups; by default those
    of the message's table (see :func:`group_name`).
    """
    parties = parties or group_name(message.spec, "NAD", "SG4")
    call_group = call_group or group_name(message.spec, "TDT", "SG2")
    tree = message_tree(message, problems)
    if tree is None:
        return None
    head = tree.segment("BGM")
    if head is None:
        return None
    kind = kinds.get(head.el(1))
    if kind is None:
        problems.error(f"document code must be {expected}", at=head, element="1", value=head.el(1))
        return None
    operator = next(filter(None, (header_party(g) for g in tree.groups(parties))), None)
    call = next(iter(tree.groups(call_group)), None)
    if operator is None:
        boxes = group_name(message.spec, "EQD", "SG6")
        operator = line_elsewhere(tree, call, head, boxes, problems)
        if operator is None:
            return None
    if not vessel:
        call = None
    read_call = None if call is None else read_vessel(call, problems, operator)
    return MessageHead(message, tree, head, kind, operator, read_call, read_issued(tree, problems))


def read_boxes(
    head: MessageHead, problems: Problems, twice: str, group: str = "SG6"
) -> Iterator[tuple[EquipmentData, Container]]:
    """Each box of the message's equipment groups that reads without error, once.

    Every box that has a number goes to the message's ``containers``, whatever is
    wrong with it. A box given again is an error (``container X is {twice} twice``)
    and left out.
    """
    operator = head.operator or (head.vessel.operator if head.vessel else None)
    seen: set[ContainerNumber] = set()
    for node in head.tree.groups(group):
        data = read_equipment(node, problems)
        box = container_of(data, operator, problems)
        if box is not None:
            head.message.containers.append(box)
        if item_dropped(data, box) or box is None:
            continue
        if box.number in seen:
            problems.error(
                f"container {box.number} is {twice} twice",
                at=data.eqd,
                element="2.1",
                value=str(box.number),
            )
            continue
        seen.add(box.number)
        yield data, box


def missing(data: EquipmentData, box: Container, what: str, problems: Problems) -> None:
    """The error for a box that lacks ``what`` (a slot, a time, a truck)."""
    problems.error(
        f"container {box.number} has no {what}", at=data.eqd, element="2.1", value=str(box.number)
    )


def built(
    make: Callable[[], T], problems: Problems, at: Segment, element: str, value: str
) -> T | None:
    """``make()``; None after an error naming ``at``, ``element`` and ``value`` if it fails."""
    try:
        return make()
    except DomainError as exc:
        problems.error(str(exc), at=at, element=element, value=value)
        return None
