"""Stock-take import: messages in the user's words, file lines, equipment of the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opentos.errors import DataImportError
from opentos.model.ids import ContainerNumber
from opentos.model.places import EquipmentPlace, parse_place
from opentos.presets import load_preset
from opentos.storage.stocktake import (
    equipment_problem,
    import_stocktake,
    parse_stocktake,
)
from opentos.storage.store import Store

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = "number,iso_type,operator,full_empty,place,gross_weight_kg,tare_kg"
QIANWAN = load_preset("qianwan-1")
TINY = load_preset("tiny")


def n(serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts("TST", "U", serial)


def row(serial: int, place: str, *, iso: str = "22G1", fe: str = "F", gross: str = "") -> str:
    return f"{n(serial)},{iso},TST,{fe},{place},{gross},"


def problems_of(text: str, layout: object = None) -> tuple[str, ...]:
    with pytest.raises(DataImportError) as caught:
        parse_stocktake(text, "take.csv", layout)  # type: ignore[arg-type]
    return caught.value.problems


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """The tiny terminal in an empty database."""
    with Store.create(database_url, TINY, "tiny") as created:
        yield created


# --- messages at the parse level ----------------------------------------------------------------


def test_full_empty_lists_the_allowed_values() -> None:
    """A bad full/empty names line, column and the allowed values, not an enum repr."""
    text = "\n".join([HEADER, row(1, "yard:A01.001.01.1", fe="X")])
    assert problems_of(text) == (
        "line 2, column full_empty: 'X' is not one of F (full), E (empty)",
    )


def test_weights_are_reported_under_their_own_column() -> None:
    """A negative or non-numeric weight is a weight problem, never Python's int() text."""
    text = "\n".join(
        [
            HEADER,
            row(1, "yard:A01.001.01.1", gross="-5"),
            row(2, "yard:A01.003.01.1", gross="12.5"),
            row(3, "yard:A01.005.01.1", gross="abc"),
        ]
    )
    problems = problems_of(text)
    assert problems[0] == (
        "line 2, column gross_weight_kg: '-5' must be a whole number of kilograms "
        "from 1 to 45000 (leave it empty if not known)"
    )
    assert problems[1].startswith("line 3, column gross_weight_kg: '12.5' must be a whole number")
    assert problems[2].startswith("line 4, column gross_weight_kg: 'abc' must be a whole number")
    assert not any("invalid literal" in p or "column operator" in p for p in problems)


def test_gross_below_tare_is_a_gross_weight_problem() -> None:
    """The cross-check of gross and tare names the gross_weight_kg column."""
    text = f"{HEADER}\n{n(1)},22G1,TST,F,yard:A01.001.01.1,2000,3000\n"
    assert problems_of(text) == (
        "line 2, column gross_weight_kg: 2000 kg is less than the tare_kg 3000 kg",
    )


def test_every_bad_cell_of_a_row_is_reported() -> None:
    """One row with several bad cells gets one problem per cell, each under its column."""
    text = "number,iso_type,operator,full_empty,place,un_number,packing_group,reefer_set_point_c\n"
    text += "XYZ,ZZZZ,toolong,,yard:A01,12,IV,4\n"
    problems = problems_of(text)
    columns = [p.split(":")[0] for p in problems]
    assert columns == [
        "line 2, column number",
        "line 2, column iso_type",
        "line 2, column operator",
        "line 2, column full_empty",
        "line 2, column place",
        "line 2, column imdg_class",
    ]
    assert problems[2] == (
        "line 2, column operator: 'toolong' must be 1-4 letters or digits "
        "(the line operator's code, e.g. MSC)"
    )
    assert problems[3] == "line 2, column full_empty: empty; give F (full) or E (empty)"
    assert problems[5] == (
        "line 2, column imdg_class: empty, but un_number and packing_group is given; "
        "give the IMDG class (e.g. 3 or 2.1)"
    )


def test_dangerous_goods_cells_name_what_is_allowed() -> None:
    """UN number and packing group problems say what a valid value looks like."""
    text = "number,iso_type,operator,full_empty,place,imdg_class,un_number,packing_group\n"
    text += f"{n(1)},22G1,TST,F,yard:A01.001.01.1,3,12,IV\n"
    text += f"{n(2)},22G1,TST,F,yard:A01.003.01.1,3,,\n"
    text += f"{n(3)},22G1,TST,F,yard:A01.005.01.1,3,UN1203,ii\n"
    assert problems_of(text) == (
        "line 2, column un_number: '12' must be a UN number of 4 digits from 0001 to 3599 "
        "(e.g. 1203 or UN1203)",
        "line 2, column packing_group: 'IV' is not one of I, II, III (the IMDG packing group)",
        "line 3, column un_number: empty; a row with an imdg_class needs its UN number (e.g. 1203)",
    )


def test_reefer_set_point_in_words() -> None:
    """A set point must be a temperature in range, and only on a reefer."""
    text = "number,iso_type,operator,full_empty,place,reefer_set_point_c\n"
    text += f"{n(1)},22R1,TST,F,yard:A01.001.01.1,cold\n"
    text += f"{n(2)},22G1,TST,F,yard:A01.003.01.1,4\n"
    text += f"{n(3)},22R1,TST,F,yard:A01.005.01.1,-18.5\n"
    problems = problems_of(text)
    assert problems[0] == (
        "line 2, column reefer_set_point_c: 'cold' must be a temperature in °C from -70 to 40, "
        "e.g. -18 or 4.5"
    )
    assert problems[1].startswith("line 3, column reefer_set_point_c: '4' is given, but size type")
    assert len(problems) == 2


def test_line_numbers_count_blank_lines() -> None:
    """Lines are the file's lines: blank lines count, the first data row is not 'a row'."""
    text = "\n".join(
        [HEADER, "", row(1, "yard:A01.001.01.1", fe="X"), "", "", row(2, "yard:A01.003.01.1")]
    )
    assert problems_of(text)[0].startswith("line 3, column full_empty:")
    good = "\n".join([HEADER, "", row(1, "yard:A01.001.01.1"), "", ",,,,,,", row(2, "x:1")])
    assert problems_of(good) == (
        "line 6, column place: place 'x:1': unknown kind 'x' (yard, vessel or equipment)",
    )
    take = parse_stocktake("\n\n" + "\n".join([HEADER, "", row(1, "yard:A01.001.01.1")]))
    assert take.lines == (5,)


def test_a_quoted_cell_over_two_lines_is_named_by_its_first_line() -> None:
    """A row spanning lines (a quoted newline) is reported at the line it starts on."""
    text = f'{HEADER}\n{row(1, "yard:A01.001.01.1")}\n"a\nb",22G1,TST,F,yard:A01.003.01.1,,\n'
    text += row(2, "yard:A01.005.01.1", fe="Q") + "\n"
    problems = problems_of(text)
    assert problems[0].startswith("line 3, column number:")
    assert problems[1].startswith("line 5, column full_empty:")


def test_extra_cells_are_an_error_naming_the_line() -> None:
    """A row with more cells than the header has columns is refused, not silently cut."""
    text = "\n".join([HEADER, row(1, "yard:A01.001.01.1") + ",surprise"])
    assert problems_of(text) == (
        "line 2: 8 cells, but the header (line 1) names 7 columns; extra: 'surprise'",
    )


def test_an_empty_file_and_a_header_only_file_say_so() -> None:
    """No header, or no data rows, is an error that says which."""
    for empty in ("", "\n\n", "\ufeff"):
        (problem,) = problems_of(empty)
        assert problem.startswith("the file is empty: expected a header row")
    assert problems_of(HEADER + "\n\n") == ("no data rows: the file has only the header (line 1)",)


def test_header_problems_name_the_columns() -> None:
    """Duplicate, unnamed, missing and unknown columns are all reported on the header line."""
    problems = problems_of("number,Number,wieght,,place\n")
    assert problems == (
        "line 1: column number appears twice (header cells 1 and 2)",
        "line 1: header cell 4 is empty; name its column",
        "line 1: missing column(s) iso_type, operator, full_empty",
        "line 1: unknown column(s) 'wieght'; the columns are number, iso_type, operator, "
        "full_empty, place (required) and gross_weight_kg, vgm_kg, tare_kg, port_of_loading, "
        "port_of_discharge, place_of_delivery, reefer_set_point_c, imdg_class, un_number, "
        "packing_group (optional)",
    )


def test_duplicates_name_both_lines() -> None:
    """A container or a place given twice names the line it was first given on."""
    text = "\n".join(
        [
            HEADER,
            row(1, "yard:A01.001.01.1"),
            "",
            row(1, "yard:A01.003.01.1"),
            row(2, "yard:A01.001.01.1"),
        ]
    )
    assert problems_of(text) == (
        f"line 4, column number: {n(1)} is also on line 2",
        "line 5, column place: yard:A01.001.01.1 is also on line 2",
    )


def test_many_bad_rows_are_all_counted() -> None:
    """Every bad row is a problem of its own; the error's text shows the first and 'N more'."""
    text = (
        HEADER
        + "\n"
        + "\n".join(row(i, f"yard:A01.{2 * i - 1:03d}.01.1", fe="X") for i in range(1, 301))
    )
    with pytest.raises(DataImportError) as caught:
        parse_stocktake(text, "take.csv")
    assert len(caught.value.problems) == 300
    assert caught.value.problems[-1].startswith("line 301, column full_empty:")
    assert "(and 295 more)" in str(caught.value)


# --- equipment of the terminal -------------------------------------------------------------------


@pytest.mark.parametrize(
    "place",
    [
        "equipment:QC01",
        "equipment:QC07:4",
        "equipment:AGV01",
        "equipment:AGV38:2",
        "equipment:A05-W",
        "equipment:TRK-0042",
        "equipment:TRK-0042:2",
        "equipment:TRK-LU-4521",
        "equipment:TRK00042",
        "equipment:R01-W07",
        "equipment:R02-W36:3",
    ],
)
def test_equipment_of_the_terminal_is_accepted(place: str) -> None:
    """Machines of the stored layout, trucks TRK-..., wagons <track>-W<spot> are equipment."""
    equipment = parse_place(place)
    assert isinstance(equipment, EquipmentPlace)
    assert equipment_problem(QIANWAN, equipment) is None


@pytest.mark.parametrize(
    ("place", "reason"),
    [
        ("equipment:BANANA", "BANANA is no equipment of this terminal; the equipment is: quay "
         "cranes QC01 .. QC07 (7); AGVs AGV01 .. AGV38 (38); yard cranes A01-W .. A19-L (38); "
         "trucks TRK-<number or plate>; rail wagons <track>-W<spot> on tracks R01, R02"),
        ("equipment:AGV99", "AGV99 is no equipment of this terminal"),
        ("equipment:AGV07:3", "AGV07 is an AGV; it carries a box at position 1 or 2"),
        ("equipment:QC01:5", "QC01 is a quay crane; it holds a box at position 1 (main trolley), "
         "2-3 (transfer platform) or 4 (portal trolley)"),
        ("equipment:A05-W:2", "A05-W is a yard crane; it holds one box (equipment:A05-W)"),
        ("equipment:TRK-0042:3", "a truck carries a box at position 1 or 2"),
        ("equipment:TRKBANANA", "TRKBANANA is no equipment of this terminal"),
        ("equipment:R01-W37", "rail track R01 takes wagons at spots W1 to W36, not W37"),
        ("equipment:R09-W01", "R09-W01 is no equipment of this terminal"),
        ("equipment:R01-W01:4", "a rail wagon carries a box at position 1, 2 or 3"),
    ],
)  # fmt: skip
def test_other_equipment_is_refused_with_what_is_allowed(place: str, reason: str) -> None:
    """Equipment the terminal does not have is refused, naming the line, column and value."""
    text = "\n".join([HEADER, row(1, place)])
    (problem,) = problems_of(text, QIANWAN)
    assert problem.startswith(f"line 2, column place: '{place}': {reason}")


def test_a_single_trolley_crane_has_no_platform() -> None:
    """The tiny terminal's single-trolley QC02 holds a box on its trolley only."""
    platform = EquipmentPlace("QC02", 2)
    assert "QC02 is a quay crane; it holds a box at position 1 (its trolley" in str(
        equipment_problem(TINY, platform)
    )
    assert equipment_problem(TINY, EquipmentPlace("QC01", 3)) is None
    assert "no equipment of this terminal" in str(
        equipment_problem(TINY, EquipmentPlace("R01-W01"))
    )


def test_import_checks_equipment_against_the_store(store: Store) -> None:
    """A take parsed without a layout is still checked when applied; nothing is imported."""
    text = "\n".join([HEADER, "", row(1, "equipment:AGV99"), row(2, "equipment:AGV01")])
    take = parse_stocktake(text, "take.csv")
    with pytest.raises(DataImportError) as caught:
        import_stocktake(store, take, T0)
    assert caught.value.problems == (
        "line 3, column place: 'equipment:AGV99': AGV99 is no equipment of this terminal; the "
        "equipment is: quay cranes QC01, QC02; AGVs AGV01, AGV02, AGV03, AGV04; yard cranes "
        "A01-W, A01-L; trucks TRK-<number or plate>",
    )
    assert store.counts()["containers_known"] == 0


# --- applying -------------------------------------------------------------------------------------


def test_found_boxes_arrive_with_no_equipment_and_no_instruction(store: Store) -> None:
    """A box found on a truck is present on it: its event names no equipment, no instruction."""
    text = "\n".join([HEADER, row(1, "equipment:TRK-0042:2"), row(2, "yard:A01.001.01.1")])
    assert import_stocktake(store, parse_stocktake(text, "take.csv", TINY), T0) == 2
    events = store.events()
    assert {str(e.to_place) for e in events} == {"equipment:TRK-0042:2", "yard:A01.001.01.1"}
    assert all(e.from_place is None for e in events)
    assert all(e.equipment is None and e.work_instruction is None for e in events)


def test_a_ledger_refusal_names_the_file_line(store: Store) -> None:
    """A floating box is named by its file line, not by its place in the tier-sorted batch."""
    text = "\n".join(
        [
            HEADER,
            "",
            row(1, "yard:A01.001.01.1"),
            "",
            row(2, "yard:A01.003.01.2"),  # tier 2 over an empty stack
            row(3, "yard:A01.005.01.1"),
        ]
    )
    with pytest.raises(DataImportError) as caught:
        import_stocktake(store, parse_stocktake(text, "take.csv"), T0)
    (problem,) = caught.value.problems
    assert problem.startswith(f"line 5: {n(2)}")
    assert "event " not in problem
    assert "a row" not in problem
    assert store.counts()["containers_known"] == 0


def test_a_box_already_in_the_terminal_names_its_line(store: Store) -> None:
    """Importing a box that is already in the terminal is refused at the row's line."""
    first = "\n".join([HEADER, row(1, "yard:A01.001.01.1")])
    import_stocktake(store, parse_stocktake(first), T0)
    again = "\n".join([HEADER, row(5, "yard:A01.005.01.1"), "", row(1, "yard:A01.003.01.1")])
    with pytest.raises(DataImportError) as caught:
        import_stocktake(store, parse_stocktake(again), T0)
    assert caught.value.problems == (
        f"line 4: {n(1)} cannot arrive: it is already at yard:A01.001.01.1",
    )


def test_a_refused_registration_names_the_line_of_its_container(store: Store) -> None:
    """A box in the yard listed again with another length is refused on its own file line."""
    import_stocktake(store, parse_stocktake("\n".join([HEADER, row(2, "yard:A01.001.01.1")])), T0)
    text = "\n".join(
        [HEADER, row(1, "yard:A01.003.01.1"), "", row(2, "yard:A01.002.01.1", iso="42G1")]
    )
    with pytest.raises(DataImportError) as caught:
        import_stocktake(store, parse_stocktake(text), T0)
    (problem,) = caught.value.problems
    assert problem.startswith(
        f"line 4: {n(2)} is at yard:A01.001.01.1 as a 22G1 (20'); registering it as a 42G1 (40')"
    )


# --- fuzz -----------------------------------------------------------------------------------------

CELLS = st.sampled_from(
    ["", " ", "[/]", "\x1b[31m", "MSCU1234566", "22G1", "45R1", "F", "e", "MSC", "-5", "12000",
     "yard:A01.001.01.1", "equipment:AGV01:2", "equipment:TRK-1", "vessel:V:0120382", "3", "UN1203",
     "II", "4.5", "nan", '"', "a,b", "\n", "\r\n"]
)  # fmt: skip


@given(
    header=st.lists(st.sampled_from(["number", "iso_type", "operator", "full_empty", "place",
                                     "gross_weight_kg", "un_number", "imdg_class", "x", ""]),
                    max_size=8),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=6),
)  # fmt: skip
def test_parse_stocktake_only_raises_data_import_error(
    header: list[str], rows: list[list[str]]
) -> None:
    """Whatever the file holds, reading it gives a stock-take or a DataImportError."""
    text = "\n".join(",".join(r) for r in [header, *rows])
    try:
        take = parse_stocktake(text, "fuzz.csv", QIANWAN)
    except DataImportError as exc:
        assert exc.problems
        assert all(isinstance(p, str) and p for p in exc.problems)
    else:
        assert len(take.containers) == len(take.places) == len(take.lines)
