"""BAPLIE 1.5, 1.6, 2.1, 2.1.1 and 2.2: the slot-centric bay plan (UN D.95B, 1.5 also 1:911).

Each reported slot is one group ``SG2``, opened by its position; what the guide
says about the slot (weight, ports, set point, out-of-gauge, dangerous goods)
is said once for the boxes in it::

    LOC+147+0120382::5          slot, ISO 9711 (code list agency 5 = ISO)
    FTX+HAN++<code>             handling instruction (SMDG code)
    FTX+AAA+++<text>            description of non-container cargo
    MEA+WT++KGM:<kg>            gross weight (2.2: also MEA+VGM++KGM:<kg>)
    DIM+5..9+CMT:…              out-of-gauge front, back, right, left, height
    TMP+2+<set point>:CEL       reefer set point
    LOC+9 / 11 / 83+<UN/LOCODE> port of loading, of discharge, place of delivery
    RFF+BM:1                    (mandatory in the directory; a dummy reference)
    EQD+CN+<number>+<ISO type>+++5|4 and NAD+CA+<operator>:172:20, per box (SG3)
    DGS+IMD+<class>+<UN>+…      dangerous goods (SG4)

BAPLIE 1.5 (``BAPLIE:1:911:UN:SMDG15``, or ``SMDG15``/``SMDG16`` on D.95B) has
the same groups and segments; it has no VGM, so its tables list only
``MEA+WT`` (a ``MEA+VGM`` there is read, with a warning).

A slot with several boxes (a bundle of flats) reports the bundle's weight; it
is read as the weight of the first box. Slots without an ``EQD`` are kept
without a container. The helpers at the end are shared with BAPLIE 3.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from opentos.edi.envelope import Message
from opentos.edi.messages.common import (
    code_as_sent,
    dgs,
    dims,
    dtm,
    equipment_id,
    full_empty,
    kg,
    locode,
    measure,
    read_dgs,
    read_dims,
    read_dtm,
    read_tmp,
    size_type,
    slot,
    slot_code,
    tmp,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import (
    MAX_GROSS_KG,
    Container,
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import ContainerKind
from opentos.model.onboard import OnBoardPlan, PlanFunction, Stowed
from opentos.model.slots import BayRowTier

ASSOCIATIONS = {
    "1.5": "SMDG15",
    "1.6": "SMDG16",
    "2.1": "SMDG21",
    "2.1.1": "SMDG20",
    "2.2": "SMDG22",
}
"""UNH association codes of the BAPLIE 1 and 2 versions OpenTOS writes."""

PORT_QUALIFIERS = ("9", "11", "83")
"""LOC qualifiers OpenTOS maps: port of loading, port of discharge, place of delivery."""

OPERATOR = re.compile(r"[A-Z0-9]{1,4}")
"""A container operator as the model takes it: 1-4 capital letters or digits."""
_OOG_KINDS = (ContainerKind.OPEN_TOP, ContainerKind.FLAT_RACK, ContainerKind.PLATFORM)
_SLOT_LOCS = ("6", "9", "11", "12", "13", "64", "68", "70", "76", "83", "97", "152")


def _body(weights: tuple[str, ...]) -> tuple[S | G, ...]:
    """The slot-centric table of BAPLIE 1.x and 2.x; ``weights``: the MEA qualifiers used."""
    return (
        S("BGM", "M", 1, name="beginning of message"),
        S("DTM", "M", 1, ("137",), name="preparation date/time"),
        S("RFF", "C", 1),
        S("NAD", "C", 3),
        G(
            "SG1",
            "M",
            3,
            (
                S("TDT", "M", 1, ("20",), name="vessel and voyage"),
                S("LOC", "M", 2, ("5", "61"), name="departure port, next port of call"),
                S("DTM", "M", 99, ("178", "132", "133", "136"), name="arrival, departure"),
                S("RFF", "C", 1),
                S("FTX", "C", 1),
            ),
        ),
        G(
            # The directory allows 9999 slots; the largest vessels report more.
            "SG2",
            "C",
            99999,
            (
                S("LOC", "M", 1, ("147",), name="stowage location"),
                S("GID", "C", 1),
                S("GDS", "C", 1),
                S("FTX", "C", 9),
                S(
                    "MEA",
                    "M",
                    9,
                    weights,
                    name="gross weight" + (", VGM" if "VGM" in weights else ""),
                ),
                S("DIM", "C", 9, ("5", "6", "7", "8", "9"), name="out-of-gauge"),
                S("TMP", "C", 1, ("2",), name="reefer set point"),
                S("RNG", "C", 1, ("5",)),
                S("LOC", "C", 9, _SLOT_LOCS, name="ports"),
                S("RFF", "M", 1, ("BM", "BN")),
                G(
                    "SG3",
                    "C",
                    3,
                    (
                        S("EQD", "M", 1, ("CN",), name="container"),
                        S("EQA", "C", 9),
                        S("NAD", "C", 1, ("CA",), name="container operator"),
                    ),
                ),
                G("SG4", "C", 999, (S("DGS", "M", 1, ("IMD",)), S("FTX", "C", 1))),
            ),
        ),
    )


SPEC = MessageSpec(
    "BAPLIE",
    "D95B",
    "SMDG20|SMDG22|SMDG21|",
    _body(("WT", "VGM")),
    "Bayplan/stowage plan occupied and empty locations",
    guide="SMDG BAPLIE 2.0, 2.1, 2.1.1 and 2.2",
    tolerates="no association code (files that name no guide)",
)
"""BAPLIE 2 on D.95B; also read for an empty association code (files that name no guide)."""

_BODY_1 = _body(("WT",))

SPEC_1_D95B = MessageSpec(
    "BAPLIE",
    "D95B",
    "SMDG15|SMDG16",
    _BODY_1,
    "Bayplan/stowage plan occupied and empty locations",
    guide="SMDG BAPLIE 1.5 and 1.6 sent on D.95B",
    tolerates="gross weight in MEA+WT only, as 1.x had no VGM",
)
"""BAPLIE 1.x content sent on the D.95B directory: as 2.x, without the VGM."""

SPEC_1_5 = MessageSpec(
    "BAPLIE",
    "1911",
    "SMDG15",
    _BODY_1,
    "Bayplan/stowage plan occupied and empty locations",
    guide="SMDG BAPLIE 1.5 on the 91.1 directory (UNH BAPLIE:1:911)",
    tolerates="gross weight in MEA+WT only, as 1.x had no VGM",
)
"""BAPLIE 1.5 on the 91.1 draft directory (UNH ``BAPLIE:1:911:UN:SMDG15``)."""


# ---------------------------------------------------------------- shared helpers


@dataclass(slots=True)
class Header:
    """The header fields of a plan as read, before the plan is built."""

    document_number: str = ""
    function: PlanFunction = PlanFunction.ORIGINAL
    full: bool = True
    partial_scope: str = ""
    prepared_at: datetime | None = None
    vessel_name: str = ""
    imo_number: str | None = None
    call_sign: str | None = None
    carrier: str = ""
    voyage: str = ""
    departure_port: UnLocode | None = None
    next_port: UnLocode | None = None
    arrived_at: datetime | None = None
    departed_at: datetime | None = None
    next_port_eta: datetime | None = None
    sources: dict[str, tuple[Segment, str]] = field(default_factory=dict)
    """Where each field was read (segment, element), to name it in a problem."""


@dataclass(slots=True)
class Box:
    """What a slot or an EQD group says about one container, before it is built."""

    eqd: Segment
    operator: str = ""
    operator_at: Segment | None = None
    gross_kg: int | None = None
    vgm_kg: int | None = None
    loading: UnLocode | None = None
    discharge: UnLocode | None = None
    delivery: UnLocode | None = None
    reefer: ReeferSetting | None = None
    reefer_at: Segment | None = None
    dangerous: list[DangerousGoods] = field(default_factory=list)
    oog: OutOfGauge | None = None
    oog_at: Segment | None = None


def function_of(seg: Segment, element: str, text: str, problems: Problems) -> PlanFunction:
    """The message function code; an unknown one is read as original, with an error."""
    if not text:
        return PlanFunction.ORIGINAL
    try:
        return PlanFunction(text)
    except ValueError:
        problems.error(
            "message function is not 9 (original), 5 (replacement), 2 (addition) or 3 (deletion)",
            at=seg,
            element=element,
            value=text,
        )
        return PlanFunction.ORIGINAL


def read_vessel(tdt: Segment, header: Header, problems: Problems, carrier_list: str) -> None:
    """Voyage, carrier and vessel id and name from ``TDT+20``."""
    header.voyage = tdt.el(2)
    header.sources["voyage"] = (tdt, "2")
    header.carrier = tdt.el(5, 1)
    header.sources["carrier"] = (tdt, "5.1")
    listed = tdt.el(5, 2)
    if header.carrier and listed and listed not in (carrier_list, "172", "LINES"):
        problems.warning(
            f"carrier code list {listed!r} read as {carrier_list}",
            at=tdt,
            element="5.2",
            value=listed,
        )
    ident = tdt.el(8, 1).strip()
    header.vessel_name = tdt.el(8, 4)
    header.sources["vessel_name"] = (tdt, "8.4")
    if ident:
        # Seven digits are an IMO (Lloyd's) number; anything else is a call sign.
        if ident.isdigit() and len(ident) == 7:
            header.imo_number = ident
            header.sources["imo_number"] = (tdt, "8.1")
        else:
            header.call_sign = ident
            header.sources["call_sign"] = (tdt, "8.1")


def vessel_tdt(
    plan: OnBoardPlan, carrier_list: tuple[str, str], imo_list: tuple[str, str]
) -> Segment:
    """``TDT+20+voyage+++carrier+++id:list:agency:name``; the IMO number before the call sign."""
    if plan.imo_number:
        ident: tuple[str, ...] = (plan.imo_number, *imo_list, plan.vessel_name)
    elif plan.call_sign:
        ident = (plan.call_sign, "103", "", plan.vessel_name)
    else:
        ident = ("", "", "", plan.vessel_name)
    carrier = (plan.carrier, *carrier_list) if plan.carrier else None
    return Segment.of("TDT", "20", plan.voyage, None, None, carrier, None, None, ident)


def read_times(segs: Sequence[Segment], header: Header, problems: Problems) -> None:
    """Arrival (178), departure (136) and next-port ETA (132) from ``DTM`` segments."""
    for seg in segs:
        q = seg.qualifier
        name = {"178": "arrived_at", "136": "departed_at", "132": "next_port_eta"}.get(q)
        if name is None:
            problems.warning(
                f"DTM qualifier {q!r} is not one OpenTOS keeps (178, 136, 132)",
                at=seg,
                element="1.1",
                value=q,
            )
            continue
        value = read_dtm(seg, problems)
        if value is not None:
            setattr(header, name, value)
            header.sources[name] = (seg, "1.2")


def time_segments(plan: OnBoardPlan, fmt: str) -> tuple[list[Segment], list[Segment]]:
    """``DTM`` segments of the departure port (178, 136) and of the next port (132)."""
    at_departure = [
        dtm(q, t, fmt) for q, t in (("178", plan.arrived_at), ("136", plan.departed_at)) if t
    ]
    at_next = [dtm("132", plan.next_port_eta, fmt)] if plan.next_port_eta else []
    return at_departure, at_next


def weight(seg: Segment, problems: Problems, element: int = 3) -> int | None:
    """Whole kg of a ``MEA``; 0 means not known; out-of-range values are errors."""
    value = kg(measure(seg, problems, element))
    if value is None or value == 0:
        return None
    if value > MAX_GROSS_KG:
        problems.error(
            f"weight {value} kg is over the plausible maximum {MAX_GROSS_KG} kg",
            at=seg,
            element=f"{element}.2",
            value=seg.el(element, 2),
        )
        return None
    return value


def read_port(seg: Segment, box: Box, problems: Problems, known: dict[str, UnLocode]) -> None:
    """Port of loading, discharge or place of delivery of a box; other LOCs are left.

    ``known`` caches the codes read so far: a plan names a handful of ports
    tens of thousands of times.
    """
    q = seg.qualifier
    if q not in PORT_QUALIFIERS:
        return
    text = seg.el(2, 1)
    port = known.get(text)
    if port is None:
        port = locode(text, seg, "2.1", problems)
        if port is None:
            return
        known[text] = port
    if q == "9":
        box.loading = port
    elif q == "11":
        box.discharge = port
    else:
        box.delivery = port


def port_segments(box: Container) -> list[Segment]:
    """``LOC+9``, ``LOC+11``, ``LOC+83`` for the ports a box has."""
    return [
        Segment("LOC", ((q,), (str(p),)))
        for q, p in (
            ("9", box.port_of_loading),
            ("11", box.port_of_discharge),
            ("83", box.place_of_delivery),
        )
        if p is not None
    ]


def build_box(box: Box, operator_default: str, problems: Problems) -> tuple[Container, bool] | None:
    """The container of an ``EQD`` and what was read for it; None when it names no box.

    The flag is False when the box cannot go in the plan: a fact of it is unknown
    (each an error; the box is marked, ``Container.unknown``) or the model rejected it.
    """
    eqd = box.eqd
    number = equipment_id(eqd.el(2, 1), eqd, "2.1", problems)
    if number is None:
        return None
    size = size_type(eqd.el(3, 1), eqd, "3.1", problems)
    status = full_empty(eqd, problems)
    unknown = set(size.unknown)
    if not number.verified:
        unknown.add("number")
    if status is None:
        unknown.add("full_empty")
    operator = box.operator or operator_default
    if not operator:
        problems.error(f"container {number} has no operator (no NAD and no carrier in TDT)", at=eqd)
        unknown.add("operator")
    elif not OPERATOR.fullmatch(operator):
        problems.error(
            f"container {number}: operator {operator!r} must be 1-4 capital letters or digits",
            at=box.operator_at or eqd,
            element="2.1",
            value=operator,
        )
        unknown.add("operator")
        operator = ""
    size_type_ = size.size_type
    type_known = "type" not in unknown
    reefer = box.reefer
    if reefer is not None and type_known and size_type_.kind is not ContainerKind.REEFER:
        problems.error(
            f"container {number}: set point {reefer} given for size type {size_type_}, "
            "not a reefer; the set point was not read",
            at=box.reefer_at or eqd,
            element="2.1",
            value=str(reefer.set_point_c),
        )
        reefer = None
    oog = box.oog
    if oog is not None and type_known and size_type_.kind not in _OOG_KINDS:
        problems.error(
            f"container {number}: out-of-gauge given for size type {size_type_}; only open "
            "tops, flat racks and platforms carry out-of-gauge cargo; it was not read",
            at=box.oog_at or eqd,
            element="1",
        )
        oog = None
    bare = Container(
        number,
        size_type_,
        operator,
        status or FullEmpty.FULL,
        iso_code_as_sent=code_as_sent(size),
        unknown=frozenset(unknown),
    )
    try:
        full = replace(
            bare,
            gross_weight_kg=box.gross_kg,
            vgm_kg=box.vgm_kg,
            port_of_loading=box.loading,
            port_of_discharge=box.discharge,
            place_of_delivery=box.delivery,
            reefer=reefer,
            dangerous_goods=tuple(box.dangerous),
            oog=oog,
        )
    except InvalidValue as exc:
        problems.error(str(exc), at=eqd)
        return bare, False
    return full, not unknown


def stowed(
    problems: Problems,
    at: Segment,
    position: BayRowTier,
    container: Container | None,
    handling: Sequence[str],
    description: str = "",
    weight_kg: int | None = None,
) -> Stowed | None:
    """A :class:`Stowed`; a rule it breaks becomes an error at ``at``."""
    try:
        return Stowed(position, container, tuple(handling), description, weight_kg)
    except InvalidValue as exc:
        problems.error(str(exc), at=at)
        return None


class Tracker:
    """Where each slot and container was first given, to report repeats by segment."""

    __slots__ = ("containers", "numbers", "ports", "slots")

    def __init__(self, containers: list[Container]) -> None:
        self.containers = containers
        """Every box read (the message's ``containers``), in the plan or not."""
        self.slots: dict[BayRowTier, Segment] = {}
        self.numbers: dict[ContainerNumber, Segment] = {}
        self.ports: dict[str, UnLocode] = {}
        """Ports read so far, by their code."""

    def new_slot(self, position: BayRowTier, seg: Segment, problems: Problems) -> bool:
        """True the first time a slot is seen; a repeat is an error naming both segments."""
        first = self.slots.get(position)
        if first is None:
            self.slots[position] = seg
            return True
        problems.error(
            f"slot {position} is given twice, in segments {first.number} and {seg.number}; "
            "the second was not read",
            at=seg,
            element="2.1",
            value=seg.el(2, 1),
        )
        return False

    def new_container(self, box: Container, seg: Segment, problems: Problems) -> bool:
        """True the first time a container is seen; a repeat is an error naming both."""
        first = self.numbers.get(box.number)
        if first is None:
            self.numbers[box.number] = seg
            return True
        problems.error(
            f"container {box.number} is given twice, in segments {first.number} and "
            f"{seg.number}; the second was not read",
            at=seg,
            element="2.1",
            value=seg.el(2, 1),
        )
        return False


_HEADER_FIELDS = (
    "vessel_name",
    "imo_number",
    "call_sign",
    "carrier",
    "voyage",
    "departure_port",
    "next_port",
    "arrived_at",
    "departed_at",
    "next_port_eta",
    "prepared_at",
    "partial_scope",
)


def build_plan(
    header: Header,
    stowage: list[Stowed],
    lost: list[BayRowTier],
    blocked: list[BayRowTier],
    message: Message,
    problems: Problems,
) -> OnBoardPlan:
    """The plan; a header field the model rejects is reported and left out."""
    document = header.document_number or message.header.reference or "-"
    kwargs: dict[str, Any] = {}
    for name in _HEADER_FIELDS:
        value = getattr(header, name)
        if value is None or value == "":
            continue
        try:
            OnBoardPlan("-", full=header.full if name == "partial_scope" else True, **{name: value})
        except InvalidValue as exc:
            seg, element = header.sources.get(name, (message.unh, ""))
            problems.error(str(exc), at=seg, element=element or None, value=str(value))
            continue
        kwargs[name] = value
    try:
        return OnBoardPlan(
            document,
            function=header.function,
            full=header.full,
            stowage=tuple(stowage),
            lost_slots=tuple(lost),
            blocked_slots=tuple(blocked),
            **kwargs,
        )
    except InvalidValue as exc:
        problems.error(str(exc), at=message.unh)
        raise EdiError(problems.source, [str(p) for p in problems.errors]) from None


def require(
    plan: OnBoardPlan, version: str, what: Callable[[OnBoardPlan], object], name: str
) -> None:
    """Raise InvalidValue when the plan lacks what the guide makes mandatory."""
    if not what(plan):
        raise InvalidValue(f"BAPLIE {version} needs {name}; plan {plan.document_number} has none")


# ---------------------------------------------------------------- reading


def read(message: Message, problems: Problems) -> OnBoardPlan:
    """Map a BAPLIE 1.x or 2.x message tree to an :class:`OnBoardPlan`."""
    tree = message.tree
    assert tree is not None
    header = Header()
    bgm = tree.segment("BGM")
    if bgm is not None:
        header.document_number = bgm.el(2)
        header.function = function_of(bgm, "3", bgm.el(3), problems)
        if not header.document_number:
            problems.error("BGM has no document number", at=bgm, element="2")
    prepared = tree.segment("DTM", "137")
    if prepared is not None:
        header.prepared_at = read_dtm(prepared, problems)
        header.sources["prepared_at"] = (prepared, "1.2")
    voyages = tree.groups("SG1")
    if voyages:
        _read_voyage(voyages[0], header, problems)
    stowage: list[Stowed] = []
    tracker = Tracker(message.containers)
    for group in tree.groups("SG2"):
        _read_slot(group, header.carrier, tracker, stowage, problems)
    return build_plan(header, stowage, [], [], message, problems)


def _read_voyage(group: Node, header: Header, problems: Problems) -> None:
    read_vessel(group.trigger, header, problems, "172")
    for seg in group.segments("LOC"):
        q = seg.qualifier
        if q not in ("5", "61"):
            continue
        port = locode(seg.el(2, 1), seg, "2.1", problems)
        name = "departure_port" if q == "5" else "next_port"
        setattr(header, name, port)
        header.sources[name] = (seg, "2.1")
    read_times(group.segments("DTM"), header, problems)


def _read_slot(
    group: Node,
    carrier: str,
    tracker: Tracker,
    stowage: list[Stowed],
    problems: Problems,
) -> None:
    loc = group.trigger
    position = slot(loc.el(2, 1), loc, "2.1", problems)
    if position is not None and not tracker.new_slot(position, loc, problems):
        position = None
    shared = Box(loc)
    handling: list[str] = []
    description = ""
    eqds: list[Node] = []
    for item in group.items[1:]:
        if isinstance(item, Node):
            if item.name == "SG3":
                eqds.append(item)
            else:
                dg = read_dgs(item.trigger, problems)
                if dg is not None:
                    shared.dangerous.append(dg)
            continue
        tag = item.tag
        if tag == "MEA":
            _read_mea(item, shared, problems)
        elif tag == "LOC":
            read_port(item, shared, problems, tracker.ports)
        elif tag == "TMP":
            shared.reefer = read_tmp(item, problems)
            shared.reefer_at = item
        elif tag == "FTX":
            if item.qualifier == "HAN" and item.el(3, 1):
                handling.append(item.el(3, 1))
            elif item.qualifier == "AAA" and item.el(4, 1):
                description = item.el(4, 1)
    dim_segs = group.segments("DIM")
    if dim_segs:
        shared.oog = read_dims(dim_segs, problems)
        shared.oog_at = dim_segs[0]
    if not eqds:
        if position is None:
            return
        entry = stowed(
            problems, loc, position, None, handling, description, shared.gross_kg or shared.vgm_kg
        )
        if entry is not None:
            stowage.append(entry)
        return
    for k, eqd_group in enumerate(eqds):
        eqd = eqd_group.trigger
        box = Box(
            eqd,
            loading=shared.loading,
            discharge=shared.discharge,
            delivery=shared.delivery,
            reefer=shared.reefer,
            reefer_at=shared.reefer_at,
            dangerous=shared.dangerous,
            oog=shared.oog,
            oog_at=shared.oog_at,
        )
        if k == 0:
            box.gross_kg, box.vgm_kg = shared.gross_kg, shared.vgm_kg
        nad = eqd_group.segment("NAD")
        if nad is not None:
            box.operator, box.operator_at = nad.el(2, 1), nad
        stow_box(box, position, handling, carrier, tracker, stowage, problems)


def stow_box(
    box: Box,
    position: BayRowTier | None,
    handling: Sequence[str],
    carrier: str,
    tracker: Tracker,
    stowage: list[Stowed],
    problems: Problems,
) -> None:
    """Build the box of an ``EQD``, list it as read, and stow it in the plan if it can be.

    A box stays out of the plan (with the errors that say why) when its slot
    could not be read or was given before, a fact of it is unknown, or it was
    given before.
    """
    built = build_box(box, carrier, problems)
    if built is None:
        return
    container, complete = built
    tracker.containers.append(container)
    eqd = box.eqd
    if position is None or not complete or not tracker.new_container(container, eqd, problems):
        return
    entry = stowed(problems, eqd, position, container, handling)
    if entry is not None:
        stowage.append(entry)


def _read_mea(seg: Segment, box: Box, problems: Problems) -> None:
    q = seg.qualifier
    if q in ("WT", "AET", "G"):
        box.gross_kg = weight(seg, problems)
    elif q == "VGM":
        box.vgm_kg = weight(seg, problems)


# ---------------------------------------------------------------- writing


def write(plan: OnBoardPlan, version: str) -> list[Segment]:
    """The body of a BAPLIE 1.5, 1.6, 2.1, 2.1.1 or 2.2 message (UNH/UNT excluded).

    Only 2.2 writes the VGM; the others write the gross weight (the VGM when
    there is no gross weight).

    Lost and blocked slots, the partial scope and the weight-only details BAPLIE 2
    has no place for are not written; a slot's shared details (weight, ports, set
    point, out-of-gauge, dangerous goods) are those of its first box, and the
    weight is the first box's.

    Raises
    ------
    InvalidValue
        When the plan lacks what the guide makes mandatory: the preparation time,
        a port (departure or next) and a date/time of the voyage.
    """
    require(plan, version, lambda p: p.prepared_at, "the preparation date/time (DTM+137)")
    require(plan, version, lambda p: p.departure_port or p.next_port, "a port (LOC+5 or LOC+61)")
    require(
        plan,
        version,
        lambda p: p.arrived_at or p.departed_at or p.next_port_eta,
        "an arrival or departure date/time (DTM+178, 136 or 132)",
    )
    assert plan.prepared_at is not None
    vgm = version == "2.2"
    out: list[Segment] = [
        Segment.of("BGM", None, plan.document_number, plan.function.value),
        dtm("137", plan.prepared_at, "201"),
        vessel_tdt(plan, ("172", "20"), ("146", "11")),
    ]
    for q, port in (("5", plan.departure_port), ("61", plan.next_port)):
        if port is not None:
            out.append(Segment.of("LOC", q, (str(port), "139", "6")))
    at_departure, at_next = time_segments(plan, "201")
    out.extend(at_departure)
    out.extend(at_next)
    stowage = plan.stowage
    i, n = 0, len(stowage)
    while i < n:
        j = i + 1
        position = stowage[i].slot
        while j < n and stowage[j].slot == position:
            j += 1
        _write_slot(stowage[i:j], vgm, out)
        i = j
    return out


def _write_slot(entries: Sequence[Stowed], vgm: bool, out: list[Segment]) -> None:
    first = entries[0]
    out.append(Segment("LOC", (_Q147, (slot_code(first.slot), "", "5"))))
    for code in first.handling:
        out.append(Segment.of("FTX", "HAN", None, code))
    if first.description:
        out.append(Segment.of("FTX", "AAA", None, None, first.description))
    boxes = [e.container for e in entries if e.container is not None]
    lead = boxes[0] if boxes else None
    if lead is None:
        out.append(_mea("WT", first.weight_kg))
    else:
        gross = lead.gross_weight_kg
        if not vgm and gross is None:
            gross = lead.vgm_kg
        if gross is not None or not vgm or lead.vgm_kg is None:
            out.append(_mea("WT", gross))
        if vgm and lead.vgm_kg is not None:
            out.append(_mea("VGM", lead.vgm_kg))
        if lead.oog is not None:
            out.extend(dims(lead.oog))
        if lead.reefer is not None:
            out.append(tmp(lead.reefer))
        out.extend(port_segments(lead))
    out.append(_DUMMY_RFF)
    for box in boxes:
        out.append(Segment("EQD", (_CN, (str(box.number),), (box.iso_code,), (), (), _fe(box))))
        out.append(Segment("NAD", (("CA",), (box.operator, "172", "20"))))
    if lead is not None:
        for dg in lead.dangerous_goods:
            out.append(dgs(dg))


def _mea(qualifier: str, value: int | None) -> Segment:
    return Segment("MEA", ((qualifier,), (), ("KGM", str(value or 0))))


def _fe(box: Container) -> tuple[str]:
    return _FULL if box.full_empty is FullEmpty.FULL else _EMPTY


# Segments of the per-slot hot path are built directly in their trimmed form
# (Segment.of trims; these never have trailing empties): a 20,000-slot plan
# writes some 200,000 segments.
_Q147 = ("147",)
_CN = ("CN",)
_FULL = ("5",)
_EMPTY = ("4",)
_DUMMY_RFF = Segment("RFF", (("BM", "1"),))
