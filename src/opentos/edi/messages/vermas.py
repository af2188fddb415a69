"""VERMAS (verified gross mass), UN D.16A as the SMDG VERMAS guide 1.0 uses it (``SMDG10``).

One message may declare several boxes, one ``EQD`` group each::

    BGM+749+<document number>+9         VGM declaration (document code 749)
    DTM+137:<when>:203                  when it was declared
    EQD+CN+<number>+22G1:6346:5         the box
    RFF+BN:<booking>  RFF+BM:<B/L>      references
    MEA+AAE+VGM+KGM:<mass>              the verified gross mass
    DTM+798:<when>:203                  when the mass was determined
    DOC+SM1:VGM:306+<certificate>       SOLAS method 1 or 2 and the weighing document
    NAD+SPC+++<name>                    party responsible for the VGM (the shipper)
    CTA+RP+:<name>                      the authorised person: the signature
    NAD+WPA+++<name>                    the weighing party
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from opentos.edi.envelope import Message, MessageHeader, write_interchange
from opentos.edi.messages.common import (
    container_number,
    dtm,
    iso_type,
    kg,
    measure,
    read_dtm,
)
from opentos.edi.problems import Problems
from opentos.edi.structure import G, MessageSpec, Node, S
from opentos.edi.syntax import Segment
from opentos.errors import DomainError, InvalidValue
from opentos.model.vgm import VgmDeclaration, VgmMethod

DOCUMENT_CODE = "749"
"""BGM 1001: transport equipment gross mass verification."""

_METHODS = {m.value: m for m in VgmMethod}

_D16A = (
    S("BGM", "M", 1, name="beginning of message"),
    S("DTM", "C", 9, ("137",), name="declaration date/time"),
    G("SG1", "C", 9, (S("RFF", "M", 1), S("DTM", "C", 9))),
    G(
        "SG2",
        "C",
        9,
        (
            S("NAD", "M", 1, name="message party"),
            G("SG3", "C", 9, (S("CTA", "M", 1), S("COM", "C", 9))),
        ),
    ),
    G(
        "SG4",
        "M",
        99999,
        (
            S("EQD", "M", 1, ("CN",), name="container"),
            S("RFF", "C", 9, ("BN", "BM", "SQ", "AAS"), name="references"),
            S("LOC", "C", 9),
            S("SEL", "C", 9),
            G("SG5", "C", 9, (S("TDT", "M", 1), S("RFF", "C", 9))),
            G(
                "SG6",
                "M",
                9,
                (
                    S("MEA", "M", 1, ("AAE",), name="verified gross mass"),
                    S("DTM", "C", 9, ("798",), name="weighing date/time"),
                ),
            ),
            G(
                "SG7",
                "C",
                9,
                (
                    # SM1/SM2 are checked by the reader (a wrong code is one error there)
                    S("DOC", "M", 1, name="weighing method and document"),
                    S("DTM", "C", 9),
                ),
            ),
            G(
                "SG8",
                "C",
                9,
                (
                    S("NAD", "M", 1, ("SPC", "WPA"), name="responsible or weighing party"),
                    G(
                        "SG9",
                        "C",
                        9,
                        (S("CTA", "M", 1, ("RP", "BN"), name="contact"), S("COM", "C", 9)),
                    ),
                ),
            ),
        ),
    ),
)

SPECS: tuple[MessageSpec, ...] = (
    MessageSpec(
        "VERMAS",
        "D16A",
        "SMDG10",
        _D16A,
        "Verified gross mass",
        guide="SMDG VERMAS 1.0",
        tolerates="the deviations every table tolerates",
    ),
)
"""VERMAS tables OpenTOS reads and writes."""

VERSIONS = {"SMDG10": ("D", "16A")}
"""Association code -> UN directory version and release."""


# --------------------------------------------------------------------------- reading


def read_vermas(message: Message, problems: Problems) -> tuple[VgmDeclaration, ...]:
    """The VGM declarations of a read VERMAS message, one per readable ``EQD`` group.

    A box whose number or mass cannot be read is left out after an error
    naming the segment and element.
    """
    tree = message.tree if message.tree is not None else Node("VERMAS", list(message.body))
    common: dict[str, object] = {}
    bgm = tree.segment("BGM")
    if bgm is not None:
        if bgm.el(1, 1) not in (DOCUMENT_CODE, ""):
            problems.warning(
                f"document code {bgm.el(1, 1)!r} is not {DOCUMENT_CODE} (VGM declaration)",
                at=bgm,
                element="1.1",
                value=bgm.el(1, 1),
            )
        common["document_number"] = bgm.el(2, 1)
    declared = tree.segment("DTM", "137")
    if declared is not None:
        common["declared_at"] = read_dtm(declared, problems)
    out: list[VgmDeclaration] = []
    for node in tree.groups("SG4"):
        declaration = _read_container(node, common, problems)
        if declaration is not None:
            out.append(declaration)
    return tuple(out)


def _read_container(
    node: Node, common: dict[str, object], problems: Problems
) -> VgmDeclaration | None:
    eqd = node.trigger
    number = container_number(eqd.el(2, 1), eqd, "2.1", problems)
    values: dict[str, object] = dict(common)
    if eqd.el(3, 1):
        values["iso_type"] = iso_type(eqd.el(3, 1), eqd, "3.1", problems)
    for qualifier, name in (("BN", "booking_reference"), ("BM", "bill_of_lading")):
        ref = node.segment("RFF", qualifier)
        if ref is not None and ref.el(1, 2):
            values[name] = ref.el(1, 2)
    mass = _read_mass(node, eqd, values, problems)
    for doc_node in node.groups("SG7")[:1]:
        doc = doc_node.trigger
        method = _METHODS.get(doc.el(1, 1))
        if method is None:
            problems.error(
                "weighing method is not SM1 or SM2", at=doc, element="1.1", value=doc.el(1, 1)
            )
        else:
            values["method"] = method
            values["certificate_reference"] = doc.el(2, 1) or None
    for party in node.groups("SG8"):
        nad = party.trigger
        party_name = nad.el(4, 1) or None
        if nad.qualifier == "SPC":
            values["responsible_party"] = party_name
            for contact in party.groups("SG9"):
                if contact.trigger.qualifier == "RP":
                    values["authorised_person"] = contact.trigger.el(2, 2) or None
        elif nad.qualifier == "WPA":
            values["weighing_party"] = party_name
    if number is None or mass is None:
        return None
    try:
        return VgmDeclaration(
            container=number,
            vgm_kg=mass,
            **{k: v for k, v in values.items() if v is not None},  # type: ignore[arg-type]
        )
    except (DomainError, TypeError) as exc:
        problems.error(f"VGM declaration: {exc}", at=eqd, element="2.1", value=eqd.el(2, 1))
        return None


def _read_mass(
    node: Node, eqd: Segment, values: dict[str, object], problems: Problems
) -> int | None:
    groups = node.groups("SG6")
    vgm = [g for g in groups if g.trigger.el(2, 1) == "VGM"]
    if not vgm:
        if groups:
            mea = groups[0].trigger
            problems.error(
                "MEA does not give the verified gross mass (VGM)",
                at=mea,
                element="2.1",
                value=mea.el(2, 1),
            )
        else:
            problems.error(
                "no verified gross mass (MEA+AAE+VGM) for the container",
                at=eqd,
                element="2.1",
                value=eqd.el(2, 1),
            )
        return None
    group = vgm[0]
    when = group.segment("DTM", "798")
    if when is not None:
        values["weighed_at"] = read_dtm(when, problems)
    mass = kg(measure(group.trigger, problems))
    if mass is not None and mass <= 0:
        problems.error(
            "verified gross mass must be more than 0 kg",
            at=group.trigger,
            element="3.2",
            value=group.trigger.el(3, 2),
        )
        return None
    return mass


# --------------------------------------------------------------------------- writing


def write_vermas(declarations: Sequence[VgmDeclaration], version: str = "SMDG10") -> list[Segment]:
    """The body of one VERMAS message (without UNH/UNT) declaring every box given.

    The message header (document number, declaration time) is shared: all
    declarations must agree on it.

    Raises
    ------
    InvalidValue
        If there is no declaration, the declarations disagree on the document
        number or declaration time, or ``version`` is not one OpenTOS writes.
    """
    if version not in VERSIONS:
        raise InvalidValue(f"VERMAS version {version!r} is not one of {', '.join(VERSIONS)}")
    if not declarations:
        raise InvalidValue("a VERMAS message needs at least one VGM declaration")
    first = declarations[0]
    for other in declarations[1:]:
        if (other.document_number, other.declared_at) != (first.document_number, first.declared_at):
            raise InvalidValue(
                f"VGM declarations for {first.container} and {other.container} belong to "
                "different documents (document number or declaration time differ)"
            )
    body = [Segment.of("BGM", DOCUMENT_CODE, first.document_number, "9")]
    if first.declared_at is not None:
        body.append(dtm("137", first.declared_at))
    for declaration in declarations:
        body.extend(_write_container(declaration))
    return body


def _write_container(d: VgmDeclaration) -> list[Segment]:
    code = None if d.iso_type is None else (d.iso_type.code, "6346", "5")
    out = [Segment.of("EQD", "CN", str(d.container), code)]
    if d.booking_reference is not None:
        out.append(Segment.of("RFF", ("BN", d.booking_reference)))
    if d.bill_of_lading is not None:
        out.append(Segment.of("RFF", ("BM", d.bill_of_lading)))
    out.append(Segment.of("MEA", "AAE", "VGM", ("KGM", str(d.vgm_kg))))
    if d.weighed_at is not None:
        out.append(dtm("798", d.weighed_at))
    if d.method is not None:
        out.append(Segment.of("DOC", (d.method.value, "VGM", "306"), d.certificate_reference))
    if d.responsible_party is not None or d.authorised_person is not None:
        out.append(Segment.of("NAD", "SPC", None, None, d.responsible_party))
        if d.authorised_person is not None:
            out.append(Segment.of("CTA", "RP", ("", d.authorised_person)))
    if d.weighing_party is not None:
        out.append(Segment.of("NAD", "WPA", None, None, d.weighing_party))
    return out


def vermas_interchange(
    declarations: Sequence[VgmDeclaration],
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
    version: str = "SMDG10",
) -> str:
    """A whole interchange (UNA … UNZ) holding one VERMAS message for ``declarations``."""
    body = write_vermas(declarations, version)
    directory, release = VERSIONS[version]
    header = MessageHeader("1", "VERMAS", directory, release, "UN", version)
    return write_interchange(
        [(header, body)],
        sender=sender,
        recipient=recipient,
        reference=reference,
        prepared=prepared,
    )
