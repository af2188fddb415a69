"""COPRAR load and discharge orders: golden files, writing, round trips, broken input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opentos.edi.envelope import read_interchange
from opentos.edi.messages.coprar import coprar_interchange, read_coprar, write_coprar
from opentos.edi.problems import Problems
from opentos.errors import EdiError
from opentos.model.container import Container, DangerousGoods, FullEmpty, PackingGroup
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.moves import MoveKind
from opentos.model.orders import LoadDischargeOrder, OrderItem, VesselCall
from opentos.model.slots import BayRowTier

DATA = Path(__file__).parent / "data"
WHEN = datetime(2025, 3, 10, 8, 15, tzinfo=UTC)


def golden(name: str) -> str:
    return (DATA / name).read_text()


def read(text: str, strict: bool = False) -> tuple[LoadDischargeOrder | None, Problems]:
    interchange = read_interchange(text, strict=strict)
    order = read_coprar(interchange.messages[0], interchange.problems)
    return order, interchange.problems


def test_load_order_golden_reads_strictly() -> None:
    """The loading-order golden file reads strictly and maps to the boxes it lists."""
    order, problems = read(golden("coprar-load.edi"), strict=True)
    assert problems.items == []
    assert order is not None
    assert order.kind is MoveKind.LOAD
    assert order.reference == "LO2503100001"
    assert order.issued == datetime(2025, 3, 10, 8, 15, tzinfo=UTC)
    assert order.vessel == VesselCall(
        "MSC TESSA", "FA512W", "MSC", imo="9839131", port=UnLocode("CNTAO")
    )
    assert [str(i.container.number) for i in order.items] == [
        "MSCU1234566",
        "MEDU5551230",
        "CMAU4102303",
        "TGHU3001008",
    ]
    first, reefer, dg, empty = order.items
    assert first.booking == "177BKG0012345"
    assert first.slot is None
    assert first.container.gross_weight_kg == 24350
    assert first.container.vgm_kg == 24400
    assert first.container.tare_kg == 3850
    assert first.container.place_of_delivery == UnLocode("DEDUI")
    assert first.container.seals[0].number == "FJ1234567"
    assert reefer.container.reefer is not None
    assert reefer.container.reefer.set_point_c == -18.0
    assert dg.container.operator == "CMA"
    assert dg.container.dangerous_goods == (DangerousGoods("3", 1263, PackingGroup.II, 23.0),)
    assert empty.container.full_empty is FullEmpty.EMPTY


def test_discharge_order_golden_has_slots_and_oog() -> None:
    """The discharge-order golden file gives each box's slot, and the flat's out-of-gauge."""
    order, problems = read(golden("coprar-discharge.edi"), strict=True)
    assert problems.items == []
    assert order is not None
    assert order.kind is MoveKind.DISCHARGE
    assert [i.slot for i in order.items] == [
        BayRowTier(12, 3, 82),
        BayRowTier(14, 1, 12),
        BayRowTier(3, 0, 84),
    ]
    oog = order.items[1].container.oog
    assert oog is not None
    assert (oog.over_right_mm, oog.over_left_mm, oog.over_height_mm) == (250, 250, 400)


@pytest.mark.parametrize("name", ["coprar-load.edi", "coprar-discharge.edi"])
def test_golden_writes_back_to_its_segments(name: str) -> None:
    """Golden -> order -> write gives exactly the golden's body segments."""
    interchange = read_interchange(golden(name), strict=True)
    order = read_coprar(interchange.messages[0], interchange.problems)
    assert order is not None
    assert write_coprar(order) == list(interchange.messages[0].body)


def test_order_round_trips_through_an_interchange() -> None:
    """Order -> EDIFACT -> order is the identity, and the written file reads strictly."""
    order, _ = read(golden("coprar-discharge.edi"))
    assert order is not None
    text = coprar_interchange(
        order, sender="MSC", recipient="CNTAOQQCT", reference="X1", prepared=WHEN
    )
    again, problems = read(text, strict=True)
    assert again == order
    assert problems.items == []


def test_unknown_version_is_refused() -> None:
    """Writing a version OpenTOS has no table for raises a ValueError naming it."""
    order, _ = read(golden("coprar-load.edi"))
    assert order is not None
    with pytest.raises(ValueError, match="D96A"):
        write_coprar(order, version="D96A")


# --- Hypothesis -----------------------------------------------------------------------------

_TYPES = ["22G1", "45G1", "42G1", "45R1", "22T6"]
_PORTS = [UnLocode(c) for c in ("CNTAO", "NLRTM", "KRPUS", "BEANR", "USLAX")]


@st.composite
def containers(draw: st.DrawFn, operator: str) -> Container:
    number = ContainerNumber.from_parts(
        draw(st.sampled_from(["MSC", "MED", "TGH", "CMA"])), "U", draw(st.integers(0, 999_999))
    )
    size = SizeType.parse(draw(st.sampled_from(_TYPES)))
    full = draw(st.booleans())
    tare = draw(st.integers(1800, 4500))
    gross = draw(st.one_of(st.none(), st.integers(tare, 32_000))) if full else None
    reefer = None
    if size.code == "45R1" and full and draw(st.booleans()):
        from opentos.model.container import ReeferSetting

        reefer = ReeferSetting(draw(st.integers(-300, 250)) / 10)
    goods = ()
    if full and draw(st.booleans()):
        goods = (DangerousGoods("3", draw(st.integers(1000, 3500)), PackingGroup.II, 23.5),)
    return Container(
        number=number,
        iso_type=size,
        operator=draw(st.sampled_from([operator, "ONE"])),
        full_empty=FullEmpty.FULL if full else FullEmpty.EMPTY,
        gross_weight_kg=gross,
        vgm_kg=gross,
        tare_kg=tare,
        port_of_loading=draw(st.one_of(st.none(), st.sampled_from(_PORTS))),
        port_of_discharge=draw(st.one_of(st.none(), st.sampled_from(_PORTS))),
        reefer=reefer,
        dangerous_goods=goods,
    )


@st.composite
def orders(draw: st.DrawFn) -> LoadDischargeOrder:
    operator = draw(st.sampled_from(["MSC", "MAEU", "COS"]))
    kind = draw(st.sampled_from([MoveKind.LOAD, MoveKind.DISCHARGE]))
    boxes = draw(
        st.lists(containers(operator), min_size=1, max_size=5, unique_by=lambda c: c.number)
    )
    items = tuple(
        OrderItem(
            box,
            draw(
                st.one_of(
                    st.none(),
                    st.builds(
                        BayRowTier,
                        st.integers(1, 99),
                        st.integers(0, 20),
                        st.sampled_from([2, 4, 82, 84]),
                    ),
                )
            ),
            draw(st.one_of(st.none(), st.text("ABC0123456789", min_size=1, max_size=12))),
        )
        for box in boxes
    )
    use_imo = draw(st.booleans())
    vessel = VesselCall(
        draw(st.text("ABCDEFGH XYZ", min_size=1, max_size=20).map(lambda s: s.strip() or "V")),
        draw(st.text("0123456789NSEW", min_size=1, max_size=10)),
        operator,
        call_sign=None if use_imo else "9HA1234",
        imo="9839131" if use_imo else None,
        port=draw(st.one_of(st.none(), st.sampled_from(_PORTS))),
    )
    issued = draw(st.one_of(st.none(), st.just(WHEN)))
    return LoadDischargeOrder("REF-1", kind, vessel, items, issued)


@settings(max_examples=50, deadline=None)
@given(orders())
def test_generated_orders_round_trip(order: LoadDischargeOrder) -> None:
    """Any order written as COPRAR reads back strictly to an equal order."""
    text = coprar_interchange(order, sender="S", recipient="R", reference="1", prepared=WHEN)
    again, _problems = read(text, strict=True)
    assert again == order


# --- broken input ---------------------------------------------------------------------------


def broken(old: str, new: str) -> str:
    text = golden("coprar-load.edi")
    assert old in text
    return text.replace(old, new, 1)


def test_container_number_with_a_blank_is_read_with_a_warning() -> None:
    """A container number written with a blank is read, with a warning naming EQD element 2.1."""
    order, problems = read(broken("EQD+CN+MSCU1234566", "EQD+CN+MSCU 123456 6"))
    assert order is not None
    assert order.items[0].container.number == ContainerNumber.parse("MSCU1234566")
    (warning,) = problems.warnings
    assert (warning.segment, warning.tag, warning.element) == (8, "EQD", "2.1")
    assert problems.errors == []


def test_bad_check_digit_drops_the_box_and_keeps_the_rest() -> None:
    """A wrong check digit is an error at EQD 2.1; that box is left out, the others are read."""
    order, problems = read(broken("EQD+CN+MSCU1234566", "EQD+CN+MSCU1234567"))
    assert order is not None
    assert len(order.items) == 3
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element, error.value) == (
        8,
        "EQD",
        "2.1",
        "MSCU1234567",
    )


def test_bad_weight_is_an_error_naming_the_mea() -> None:
    """A weight that is not a number is an error at MEA element 3.2; the box is left out."""
    order, problems = read(broken("MEA+AAE+G+KGM:24350", "MEA+AAE+G+KGM:24X50"))
    assert order is not None
    assert len(order.items) == 3
    (error,) = problems.errors
    assert (error.segment, error.tag, error.element, error.value) == (13, "MEA", "3.2", "24X50")


def test_wrong_port_qualifier_is_a_warning() -> None:
    """A TDT stage qualifier the guide does not use is a warning naming TDT element 1."""
    order, problems = read(broken("TDT+20+", "TDT+21+"))
    assert order is not None
    assert any(p.tag == "TDT" and p.element == "1" for p in problems.warnings)


def test_missing_vessel_is_an_error() -> None:
    """Without the mandatory TDT group the order cannot be built; the problem says so."""
    text = broken("TDT+20+FA512W+1++MSC:172:20+++9839131:146:11:MSC TESSA'\n", "")
    text = text.replace("LOC+5+CNTAO:139:6'\n", "", 1).replace("UNT+41", "UNT+39")
    order, problems = read(text)
    assert order is None
    assert any("SG2" in p.message for p in problems.errors)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("EQD+CN+MSCU1234566", "EQD+CN+MSCU 123456 6"),
        ("EQD+CN+MSCU1234566", "EQD+CN+MSCU1234567"),
        ("MEA+AAE+G+KGM:24350", "MEA+AAE+G+KGM:24X50"),
        ("TDT+20+", "TDT+21+"),
        ("BGM+45+", "BGM+47+"),
    ],
)
def test_strict_reading_raises(old: str, new: str) -> None:
    """Strict reading raises EdiError at the first problem of each broken variant."""
    with pytest.raises(EdiError):
        read(broken(old, new), strict=True)
