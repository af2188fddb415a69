"""MOVINS (stowage instructions), UN D.95B as the SMDG MOVINS guide 2.1 uses it (``SMDG20``).

One message holds one vessel call in one port: the header (``BGM``, ``DTM+137``),
the vessel group (``TDT+20`` with voyage, carrier and vessel, ``LOC+5`` this port,
``LOC+61`` the next one, ``DTM+132/133``, ``RFF+VON`` the loading voyage) and one
group per handling instruction (``HAN+LOA/DIS/RES/SHI``), each listing its slots
(``LOC+147`` BBBRRTT) with what the slot concerns::

    LOC+147+0120382::5          slot
    RFF+BM:1                    reference (mandatory in the directory; a dummy here)
    MEA+WT++KGM:24000           weight, or MEA+WT++KGM::10000:20000 a weight class
    DIM+5+CMT:30                out of gauge
    LOC+9 / LOC+11              ports of loading and discharge
    TMP+2+-18:CEL               reefer set point
    EQD+CN+<number>+22G1+++5    the box, or only its size type for a category
    RFF+AAQ:<number>            then DGS+IMD+... for each dangerous-goods entry

Codes of ``HAN`` (4079): ``LOA`` load, ``DIS`` discharge, ``RES`` restow via the
quay, ``SHI`` shift on board.
"""

from __future__ import annotations

from datetime import datetime

from opentos.edi.envelope import Message, MessageHeader, write_interchange
from opentos.edi.messages.common import (
    FULL_EMPTY_CODE,
    container_number,
    dgs,
    dims,
    dtm,
    full_empty,
    iso_type,
    kg,
    locode,
    measure,
    read_dgs,
    read_dims,
    read_dtm,
    read_tmp,
    slot,
    tmp,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment, decimal
from opentos.errors import DomainError, InvalidValue
from opentos.model.container import DangerousGoods
from opentos.model.stowage_instructions import (
    Handling,
    HandlingGroup,
    SlotInstruction,
    StowageInstructions,
    VesselIdKind,
    WeightClass,
)

HANDLING_CODES: dict[str, Handling] = {
    "LOA": Handling.LOAD,
    "DIS": Handling.DISCHARGE,
    "RES": Handling.RESTOW,
    "SHI": Handling.SHIFT,
}
"""``HAN`` handling instruction codes of the SMDG MOVINS guide and the model's handling."""
_HANDLING_CODE = {handling: code for code, handling in HANDLING_CODES.items()}

_VESSEL_CODE_LISTS = {"103": VesselIdKind.CALL_SIGN, "146": VesselIdKind.IMO}
_VESSEL_CODE_LIST = {kind: code for code, kind in _VESSEL_CODE_LISTS.items()}
_PORT_QUALIFIERS = ("9", "11", "13", "76", "83")

_D95B = (
    S("BGM", "M", 1, name="beginning of message"),
    S("DTM", "M", 1, ("137",), name="preparation date/time"),
    G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
    G(
        "SG2",
        "C",
        9,
        (
            S("NAD", "M", 1, name="party"),
            G("SG3", "C", 9, (S("CTA", "M", 1), S("COM", "C", 9))),
        ),
    ),
    G(
        "SG4",
        "M",
        3,
        (
            S("TDT", "M", 1, ("20",), name="vessel and voyage"),
            # The directory allows one LOC; SMDG files give this port and the next.
            S("LOC", "M", 2, ("5", "61"), name="this port, next port"),
            S("DTM", "M", 99, ("132", "133", "136", "178"), name="arrival/departure"),
            S("RFF", "C", 1, ("VON",), name="loading voyage"),
            S("FTX", "C", 1),
        ),
    ),
    G(
        "SG5",
        "M",
        99,
        (
            S("HAN", "M", 1, tuple(HANDLING_CODES), name="handling instruction"),
            G(
                "SG6",
                "M",
                9999,
                (
                    S("LOC", "M", 1, ("147",), name="slot"),
                    S("RFF", "M", 99, ("BM", "BN"), name="reference"),
                    S("FTX", "C", 9),
                    S("MEA", "C", 9, ("WT", "VGM"), name="weight or weight class"),
                    S("DIM", "C", 9, ("5", "6", "7", "8", "9"), name="out of gauge"),
                    S("LOC", "C", 9, _PORT_QUALIFIERS, name="ports"),
                    S("NAD", "C", 99),
                    G("SG7", "C", 1, (S("TMP", "M", 1, ("2",)), S("RNG", "C", 1))),
                    G("SG8", "C", 99, (S("EQD", "M", 1, ("CN",)), S("EQN", "C", 1))),
                    G("SG9", "C", 99, (S("EQA", "M", 1), S("EQN", "C", 1))),
                    G("SG10", "C", 9999, (S("GID", "M", 1), S("GDS", "C", 1))),
                    G(
                        "SG11",
                        "C",
                        999,
                        (
                            S("RFF", "M", 1, ("AAQ",), name="dangerous-goods reference"),
                            G("SG12", "M", 99, (S("DGS", "M", 1, ("IMD",)), S("FTX", "C", 1))),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SPECS: tuple[MessageSpec, ...] = (
    # Files that name no guide (an empty 0057) follow the same directory and guide.
    MessageSpec(
        "MOVINS",
        "D95B",
        "SMDG20|",
        _D95B,
        "Stowage instructions",
        guide="SMDG MOVINS 2.1",
        tolerates="no association code",
    ),
)
"""MOVINS tables OpenTOS reads and writes."""

VERSIONS = {"SMDG20": ("D", "95B")}
"""Association code -> UN directory version and release."""


# --------------------------------------------------------------------------- reading


def read_movins(message: Message, problems: Problems) -> StowageInstructions:
    """The stowage instructions of a read MOVINS message; problems go to ``problems``.

    What cannot be read is left out (a slot with a bad slot code, a group with
    an unknown handling code) after an error naming its segment and element.
    """
    tree = message.tree if message.tree is not None else Node("MOVINS", list(message.body))
    header: dict[str, object] = {}
    bgm = tree.segment("BGM")
    if bgm is not None:
        header["message_id"] = bgm.el(2)
    prepared = tree.segment("DTM", "137")
    if prepared is not None:
        header["prepared_at"] = read_dtm(prepared, problems)
    vessel_groups = tree.groups("SG4")
    if vessel_groups:
        _read_vessel(vessel_groups[0], header, problems)
    groups: list[HandlingGroup] = []
    for node in tree.groups("SG5"):
        group = _read_handling(node, problems)
        if group is not None:
            groups.append(group)
    try:
        return StowageInstructions(groups=tuple(groups), **_clean(header))  # type: ignore[arg-type]
    except (InvalidValue, TypeError) as exc:
        problems.error(f"stowage instruction header: {exc}", at=bgm)
        return StowageInstructions(groups=tuple(groups))


def _clean(header: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in header.items() if v is not None}


def _read_vessel(node: Node, header: dict[str, object], problems: Problems) -> None:
    tdt = node.trigger
    header["voyage"] = tdt.el(2)
    header["carrier"] = tdt.el(5, 1)
    vessel_id, code_list, name = tdt.el(8, 1), tdt.el(8, 2), tdt.el(8, 4)
    header["vessel_id"] = vessel_id
    header["vessel_name"] = name
    if vessel_id:
        kind = _VESSEL_CODE_LISTS.get(code_list)
        if kind is None:
            problems.warning(
                f"vessel code list {code_list!r} is not 103 (call sign) or 146 (IMO); "
                "read as a call sign",
                at=tdt,
                element="8.2",
                value=code_list,
            )
            kind = VesselIdKind.CALL_SIGN
        header["vessel_id_kind"] = kind
    here = node.segment("LOC", "5")
    if here is not None:
        header["port"] = locode(here.el(2, 1), here, "2.1", problems)
    nxt = node.segment("LOC", "61")
    if nxt is not None:
        header["next_port"] = locode(nxt.el(2, 1), nxt, "2.1", problems)
    for qualifier, name in (("132", "eta"), ("133", "etd")):
        seg = node.segment("DTM", qualifier)
        if seg is not None:
            header[name] = read_dtm(seg, problems)
    von = node.segment("RFF", "VON")
    if von is not None:
        header["loading_voyage"] = von.el(1, 2)


def _read_handling(node: Node, problems: Problems) -> HandlingGroup | None:
    han = node.trigger
    handling = HANDLING_CODES.get(han.el(1, 1))
    if handling is None:
        problems.error(
            f"handling instruction {han.el(1, 1)!r} is not one the guide uses "
            f"({', '.join(HANDLING_CODES)}); its slots were not read",
            at=han,
            element="1.1",
            value=han.el(1, 1),
        )
        return None
    slots: list[SlotInstruction] = []
    seen: set[str] = set()
    for slot_node in node.groups("SG6"):
        item = _read_slot(slot_node, problems)
        if item is None:
            continue
        loc = slot_node.trigger
        if str(item.slot) in seen:
            problems.error(
                f"slot {item.slot} appears twice under HAN+{han.el(1, 1)}; the second was not read",
                at=loc,
                element="2.1",
                value=loc.el(2, 1),
            )
            continue
        if handling.names_boxes and item.container is None:
            problems.error(
                f"{handling} instruction for slot {item.slot} names no container (EQD)",
                at=loc,
                element="2.1",
                value=loc.el(2, 1),
            )
            continue
        seen.add(str(item.slot))
        slots.append(item)
    if not slots:
        return None
    try:
        return HandlingGroup(handling, tuple(slots))
    except DomainError as exc:
        problems.error(str(exc), at=han, element="1.1", value=han.el(1, 1))
        return None


def _read_slot(node: Node, problems: Problems) -> SlotInstruction | None:
    loc = node.trigger
    position = slot(loc.el(2, 1), loc, "2.1", problems)
    if position is None:
        return None
    values: dict[str, object] = {}
    for mea in node.segments("MEA"):
        _read_weight(mea, values, problems)
    dim_segs = node.segments("DIM")
    if dim_segs:
        values["oog"] = read_dims(dim_segs, problems)
    for qualifier, name in (("9", "port_of_loading"), ("11", "port_of_discharge")):
        seg = node.segment("LOC", qualifier)
        if seg is not None:
            values[name] = locode(seg.el(2, 1), seg, "2.1", problems)
    for tmp_node in node.groups("SG7")[:1]:
        values["reefer"] = read_tmp(tmp_node.trigger, problems)
    equipment = node.groups("SG8")
    if equipment:
        _read_equipment(equipment[0].trigger, values, problems)
        for extra in equipment[1:]:
            problems.warning(
                "only one EQD per slot is read; this one was ignored",
                at=extra.trigger,
                element="2",
                value=extra.trigger.el(2),
            )
    goods: list[DangerousGoods] = []
    for ref_node in node.groups("SG11"):
        for dg_node in ref_node.groups("SG12"):
            dg = read_dgs(dg_node.trigger, problems)
            if dg is not None:
                goods.append(dg)
    values["dangerous_goods"] = tuple(goods)
    try:
        return SlotInstruction(position, **_clean(values))  # type: ignore[arg-type]
    except DomainError as exc:
        problems.error(str(exc), at=loc, element="2.1", value=loc.el(2, 1))
        return None


def _read_weight(mea: Segment, values: dict[str, object], problems: Problems) -> None:
    if mea.el(3, 2):
        values["weight_kg"] = kg(measure(mea, problems))
        return
    low, high = mea.el(3, 3), mea.el(3, 4)
    if not (low or high):
        problems.error("MEA gives neither a weight nor a range", at=mea, element="3", value="")
        return
    unit = mea.el(3, 1)
    if unit != "KGM":
        problems.error(f"weight class unit {unit!r} is not KGM", at=mea, element="3.1", value=unit)
        return
    low_kg = decimal(low) if low else 0.0
    high_kg = decimal(high)
    if low_kg is None or high_kg is None:
        problems.error(
            "weight class needs numeric minimum and maximum",
            at=mea,
            element="3.3" if low_kg is None else "3.4",
            value=f"{low}:{high}",
        )
        return
    try:
        values["weight_class"] = WeightClass(round(low_kg), round(high_kg))
    except InvalidValue as exc:
        problems.error(str(exc), at=mea, element="3.3", value=f"{low}:{high}")


def _read_equipment(eqd: Segment, values: dict[str, object], problems: Problems) -> None:
    number = eqd.el(2, 1)
    if number:
        values["container"] = container_number(number, eqd, "2.1", problems)
    code = eqd.el(3, 1)
    if code:
        values["iso_type"] = iso_type(code, eqd, "3.1", problems)
    status = eqd.el(6, 1)
    if status:
        values["full_empty"] = full_empty(eqd, problems)


# --------------------------------------------------------------------------- writing


def write_movins(obj: StowageInstructions, version: str = "SMDG20") -> list[Segment]:
    """The body of a MOVINS message (without UNH/UNT) for ``obj``.

    Raises
    ------
    InvalidValue
        If ``version`` is not a MOVINS version OpenTOS writes, or ``obj`` lacks
        what the guide makes mandatory (see :meth:`StowageInstructions.missing`).
    """
    if version not in VERSIONS:
        raise InvalidValue(f"MOVINS version {version!r} is not one of {', '.join(VERSIONS)}")
    missing = obj.missing()
    prepared, port = obj.prepared_at, obj.port
    if missing or prepared is None or port is None:
        raise InvalidValue(f"stowage instructions lack {', '.join(missing)} for MOVINS")
    body = [Segment.of("BGM", None, obj.message_id, "9"), dtm("137", prepared)]
    vessel = (
        (obj.vessel_id, _VESSEL_CODE_LIST[obj.vessel_id_kind], "", obj.vessel_name)
        if obj.vessel_id
        else ("", "", "", obj.vessel_name)
    )
    carrier = (obj.carrier, "172", "20") if obj.carrier else None
    body.append(Segment.of("TDT", "20", obj.voyage, None, None, carrier, None, None, vessel))
    body.append(Segment.of("LOC", "5", (port.code, "139", "6")))
    if obj.next_port is not None:
        body.append(Segment.of("LOC", "61", (obj.next_port.code, "139", "6")))
    if obj.eta is not None:
        body.append(dtm("132", obj.eta))
    if obj.etd is not None:
        body.append(dtm("133", obj.etd))
    if obj.loading_voyage:
        body.append(Segment.of("RFF", ("VON", obj.loading_voyage)))
    for group in obj.groups:
        body.append(Segment.of("HAN", _HANDLING_CODE[group.handling]))
        for item in group.slots:
            body.extend(_write_slot(item))
    return body


def _write_slot(item: SlotInstruction) -> list[Segment]:
    out = [Segment.of("LOC", "147", (str(item.slot), "", "5")), Segment.of("RFF", ("BM", "1"))]
    if item.weight_kg is not None:
        out.append(Segment.of("MEA", "WT", None, ("KGM", str(item.weight_kg))))
    if item.weight_class is not None:
        wc = item.weight_class
        out.append(Segment.of("MEA", "WT", None, ("KGM", "", str(wc.min_kg), str(wc.max_kg))))
    if item.oog is not None:
        out.extend(dims(item.oog))
    if item.port_of_loading is not None:
        out.append(Segment.of("LOC", "9", (item.port_of_loading.code, "139", "6")))
    if item.port_of_discharge is not None:
        out.append(Segment.of("LOC", "11", (item.port_of_discharge.code, "139", "6")))
    if item.reefer is not None:
        out.append(tmp(item.reefer))
    if item.container is not None or item.iso_type is not None or item.full_empty is not None:
        out.append(
            Segment.of(
                "EQD",
                "CN",
                None if item.container is None else str(item.container),
                None if item.iso_type is None else item.iso_type.code,
                None,
                None,
                None if item.full_empty is None else FULL_EMPTY_CODE[item.full_empty],
            )
        )
    if item.dangerous_goods:
        out.append(
            Segment.of("RFF", ("AAQ", "" if item.container is None else str(item.container)))
        )
        out.extend(dgs(dg) for dg in item.dangerous_goods)
    return out


def movins_interchange(
    obj: StowageInstructions,
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
    version: str = "SMDG20",
) -> str:
    """A whole interchange (UNA … UNZ) holding one MOVINS message for ``obj``."""
    body = write_movins(obj, version)
    directory, release = VERSIONS[version]
    header = MessageHeader("1", "MOVINS", directory, release, "UN", version)
    return write_interchange(
        [(header, body)],
        sender=sender,
        recipient=recipient,
        reference=reference,
        prepared=prepared,
    )
