"""VERMAS (SMDG VERMAS 1.0, D.16A, SMDG10): VGM declarations read, written, applied."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import Interchange, read_interchange
from opentos.edi.messages.vermas import read_vermas, vermas_interchange, write_vermas
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.vgm import VgmDeclaration, VgmMethod, apply_vgm

GOLDEN = Path(__file__).parent / "data" / "vermas.edi"
DECLARED = datetime(2025, 3, 3, 10, 30, tzinfo=UTC)


def _golden() -> str:
    return GOLDEN.read_text()


def _read(text: str, strict: bool = False) -> tuple[tuple[VgmDeclaration, ...], Interchange]:
    interchange = read_interchange(text, strict=strict)
    return read_vermas(interchange.messages[0], interchange.problems), interchange


def _number(text: str, segment: str) -> int:
    """The segment number (1 = first after UNA) of the first line starting with ``segment``."""
    return next(i for i, line in enumerate(text.splitlines()) if line.startswith(segment))


def test_golden_reads_strictly_and_maps_each_container() -> None:
    """The golden VERMAS reads strictly and gives one declaration per EQD with its values."""
    declarations, interchange = _read(_golden(), strict=True)
    assert interchange.problems.items == []
    assert interchange.messages[0].spec is not None
    assert interchange.messages[0].spec.association == "SMDG10"
    first, second = declarations
    assert first == VgmDeclaration(
        container=ContainerNumber.parse("TRLU1122335"),
        vgm_kg=18_650,
        method=VgmMethod.SM1,
        weighed_at=datetime(2025, 3, 3, 9, 15, tzinfo=UTC),
        responsible_party="QINGDAO HAIDA TRADING CO",
        authorised_person="LI WEI",
        weighing_party="QQCT GATE SCALE 3",
        iso_type=SizeType.parse("22G1"),
        booking_reference="QDB7781234",
        certificate_reference="WT-88123",
        document_number="VGM20250303001",
        declared_at=DECLARED,
    )
    assert first.is_signed
    assert second.container == ContainerNumber.parse("MSMU3456789")
    assert (second.vgm_kg, second.method) == (27_310, VgmMethod.SM2)
    assert second.bill_of_lading == "MEDUQD123456"
    assert second.weighing_party is None
    assert second.certificate_reference is None


def test_golden_to_domain_to_edi_gives_the_golden_segments() -> None:
    """Writing the read declarations gives exactly the golden body segments."""
    declarations, interchange = _read(_golden(), strict=True)
    assert write_vermas(declarations) == list(interchange.messages[0].body)


def test_to_dict_is_json_ready() -> None:
    """to_dict gives plain JSON values: number text, kg, method code, ISO datetimes."""
    declarations, _ = _read(_golden(), strict=True)
    data = declarations[0].to_dict()
    assert data["container"] == "TRLU1122335"
    assert data["vgm_kg"] == 18650
    assert data["method"] == "SM1"
    assert data["weighed_at"] == "2025-03-03T09:15:00+00:00"


def test_domain_to_edi_to_domain_is_the_identity() -> None:
    """Declarations written to an interchange read back strictly to equal declarations."""
    declarations = (
        VgmDeclaration(
            container=ContainerNumber.parse("FSCU2468108"),
            vgm_kg=12_000,
            method=VgmMethod.SM2,
            authorised_person="ANNA MUELLER",
            declared_at=DECLARED,
        ),
    )
    text = vermas_interchange(
        declarations, sender="SHIPPER", recipient="QQCT", reference="77", prepared=DECLARED
    )
    back, interchange = _read(text, strict=True)
    assert interchange.problems.items == []
    assert back == declarations


_WHEN = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(second=0, microsecond=0))
_NAME = st.from_regex(r"[A-Z]([A-Z0-9 .,&\-]{0,30}[A-Z0-9])?", fullmatch=True)
_REF = st.from_regex(r"[A-Z0-9]([A-Z0-9\-/]{0,15}[A-Z0-9])?", fullmatch=True)


@st.composite
def _declarations(draw: st.DrawFn) -> tuple[VgmDeclaration, ...]:
    document = draw(st.just("") | _REF)
    declared = draw(st.none() | _WHEN)
    serials = draw(st.lists(st.integers(0, 999_999), min_size=1, max_size=4, unique=True))
    out = []
    for serial in serials:
        method = draw(st.none() | st.sampled_from(list(VgmMethod)))
        out.append(
            VgmDeclaration(
                container=ContainerNumber.from_parts("TGH", "U", serial),
                vgm_kg=draw(st.integers(1, 45_000)),
                method=method,
                weighed_at=draw(st.none() | _WHEN),
                responsible_party=draw(st.none() | _NAME),
                authorised_person=draw(st.none() | _NAME),
                weighing_party=draw(st.none() | _NAME),
                iso_type=draw(st.none() | st.sampled_from([SizeType.parse("22G1")])),
                booking_reference=draw(st.none() | _REF),
                bill_of_lading=draw(st.none() | _REF),
                certificate_reference=None if method is None else draw(st.none() | _REF),
                document_number=document,
                declared_at=declared,
            )
        )
    return tuple(out)


@settings(max_examples=50, deadline=None)
@given(_declarations())
def test_property_write_then_read_is_the_identity(declarations: tuple[VgmDeclaration, ...]) -> None:
    """Any valid declarations of one document survive VERMAS writing and strict reading."""
    text = vermas_interchange(
        declarations, sender="A", recipient="B", reference="1", prepared=DECLARED
    )
    back, _ = _read(text, strict=True)
    assert back == declarations


# ---------------------------------------------------------------- broken variants


def _variant(old: str, new: str) -> str:
    text = _golden()
    assert old in text
    return text.replace(old, new, 1)


def test_container_number_with_a_space_is_read_with_a_warning() -> None:
    """A container number with a blank is read, with a warning at EQD 2.1."""
    text = _variant("EQD+CN+TRLU1122335", "EQD+CN+TRLU 1122335")
    declarations, interchange = _read(text)
    warnings = [(p.segment, p.tag, p.element) for p in interchange.problems.warnings]
    assert warnings == [(_number(text, "EQD+CN+TRLU 1122335"), "EQD", "2.1")]
    assert declarations[0].container == ContainerNumber.parse("TRLU1122335")
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_wrong_method_qualifier_is_reported_and_the_mass_kept() -> None:
    """DOC with a method other than SM1/SM2 is an error at DOC 1.1; the VGM is still read."""
    text = _variant("DOC+SM1:VGM:306", "DOC+SM3:VGM:306")
    declarations, interchange = _read(text)
    at = _number(text, "DOC+SM3")
    errors = [(p.segment, p.tag, p.element) for p in interchange.problems.errors]
    assert errors == [(at, "DOC", "1.1")]
    assert declarations[0].method is None
    assert declarations[0].vgm_kg == 18_650
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_missing_mandatory_mass_drops_that_container_only() -> None:
    """A container without its mandatory MEA is reported at EQD; the other is still declared."""
    text = _variant(
        "MEA+AAE+VGM+KGM:18650'\nDTM+798:202503030915:203'\n",
        "",
    )
    declarations, interchange = _read(text)
    at = _number(text, "EQD+CN+TRLU1122335")
    assert (at, "EQD") in [(p.segment, p.tag) for p in interchange.problems.errors]
    assert [str(d.container) for d in declarations] == ["MSMU3456789"]
    with pytest.raises(EdiError):
        _read(text, strict=True)


def test_bad_mass_is_an_error_at_mea() -> None:
    """A mass that is not a number is an error at MEA 3.2 naming the value."""
    text = _variant("KGM:27310", "KGM:27.3X0")
    declarations, interchange = _read(text)
    errors = [(p.segment, p.tag, p.element, p.value) for p in interchange.problems.errors]
    assert errors == [(_number(text, "MEA+AAE+VGM+KGM:27.3X0"), "MEA", "3.2", "27.3X0")]
    assert [str(d.container) for d in declarations] == ["TRLU1122335"]
    with pytest.raises(EdiError):
        _read(text, strict=True)


# ---------------------------------------------------------------- domain rules


def _box(number: str = "TRLU1122335") -> Container:
    return Container(
        ContainerNumber.parse(number),
        SizeType.parse("22G1"),
        "COSU",
        FullEmpty.FULL,
        gross_weight_kg=18_000,
        tare_kg=2_200,
    )


def test_apply_vgm_sets_the_mass_for_the_same_box() -> None:
    """apply_vgm returns the record with vgm_kg set; planning then uses the VGM."""
    declaration = VgmDeclaration(container=ContainerNumber.parse("TRLU1122335"), vgm_kg=18_650)
    box = apply_vgm(_box(), declaration)
    assert box.vgm_kg == 18_650
    assert box.weight_for_planning_kg == 18_650
    assert box.gross_weight_kg == 18_000


def test_apply_vgm_refuses_another_box() -> None:
    """A declaration for another container is refused, naming both numbers."""
    declaration = VgmDeclaration(container=ContainerNumber.parse("MSMU3456789"), vgm_kg=20_000)
    with pytest.raises(InvalidValue, match=r"MSMU3456789.*TRLU1122335"):
        apply_vgm(_box(), declaration)


def test_declaration_validates_its_values() -> None:
    """A zero or implausible VGM, an unknown method and a naive time are refused."""
    number = ContainerNumber.parse("TRLU1122335")
    with pytest.raises(InvalidValue, match="positive"):
        VgmDeclaration(container=number, vgm_kg=0)
    with pytest.raises(InvalidValue, match="plausible"):
        VgmDeclaration(container=number, vgm_kg=60_000)
    with pytest.raises(InvalidValue, match="SM1"):
        VgmDeclaration(container=number, vgm_kg=1, method="SM3")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="time zone"):
        VgmDeclaration(container=number, vgm_kg=1, weighed_at=datetime(2025, 1, 1))


def test_writer_refuses_declarations_of_different_documents() -> None:
    """Declarations with different document numbers cannot share one message."""
    a = VgmDeclaration(
        container=ContainerNumber.parse("TRLU1122335"), vgm_kg=1, document_number="A"
    )
    b = VgmDeclaration(
        container=ContainerNumber.parse("MSMU3456789"), vgm_kg=1, document_number="B"
    )
    with pytest.raises(InvalidValue, match="different documents"):
        write_vermas([a, b])
    with pytest.raises(InvalidValue, match="at least one"):
        write_vermas([])
