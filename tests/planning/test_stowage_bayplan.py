"""Bay-plan pictures: files written, deterministic, what the SVG shows, bad input refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opentos.errors import InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    PackingGroup,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.slots import BayRowTier
from opentos.model.vessel_classes import vessel_class
from opentos.planning.stowage.bayplan import draw_bay_plan
from opentos.planning.stowage.problem import NO_VGM, StowagePlan, StowageProblem, Stowed

PORT = UnLocode.parse("CNTAO")
KRPUS, SGSIN, NLRTM = (UnLocode.parse(p) for p in ("KRPUS", "SGSIN", "NLRTM"))


def box(
    serial: int,
    iso_type: str,
    pod: UnLocode,
    vgm_kg: int | None,
    *,
    dangerous_goods: tuple[DangerousGoods, ...] = (),
    oog: OutOfGauge | None = None,
) -> Container:
    """A full box of MSC with a made-up number; ``vgm_kg=None`` gives it only a gross mass."""
    return Container(
        number=ContainerNumber.from_parts("MSC", "U", serial),
        iso_type=SizeType.parse(iso_type),
        operator="MSC",
        full_empty=FullEmpty.FULL,
        gross_weight_kg=vgm_kg or 12_300,
        vgm_kg=vgm_kg,
        port_of_discharge=pod,
        dangerous_goods=dangerous_goods,
        oog=oog,
    )


def slot(text: str) -> BayRowTier:
    return BayRowTier.parse(text)


# On board in bay section 12 (11/13) of the 1,000 TEU feeder; weights are chosen so that
# every label is unique in the picture.
ON_BOARD = (
    Stowed(box(1, "45G1", NLRTM, 21_300), slot("0120002")),  # 40', hold bottom: "21.3"
    Stowed(box(2, "22G1", SGSIN, 13_600), slot("0110204")),  # 20' forward, hold bottom: "14"
    Stowed(box(3, "22G1", NLRTM, 18_700), slot("0130204")),  # 20' aft, hold bottom: "19"
    Stowed(box(4, "45G1", PORT, 7_700), slot("0120104")),  # discharged here: not drawn
)
LOAD = (
    box(10, "45R1", KRPUS, 27_400),  # 40' reefer on deck: "27.4" and "R"
    box(11, "22G1", SGSIN, 15_100, dangerous_goods=(DangerousGoods("3", 1263, PackingGroup.II),)),
    box(12, "22G1", KRPUS, 11_200),  # 20' aft on deck: "11"
    box(13, "42P1", NLRTM, 30_500, oog=OutOfGauge(over_height_mm=300)),  # "30.5" and "OOG"
    box(14, "45G1", KRPUS, 22_600),  # 40' in the hold, on box 1: "22.6"
    box(15, "22G1", SGSIN, None),  # no VGM: refused
)
PLAN = StowagePlan(
    placements=(
        (LOAD[0].number, slot("0120182")),
        (LOAD[1].number, slot("0110282")),
        (LOAD[2].number, slot("0130282")),
        (LOAD[3].number, slot("0120482")),
        (LOAD[4].number, slot("0120004")),
    ),
    refused=((LOAD[5].number, NO_VGM),),
)


@pytest.fixture(scope="module")
def feeder_call() -> StowageProblem:
    """The 1,000 TEU feeder at Qingdao, bound for Busan, Singapore and Rotterdam."""
    return StowageProblem(
        profile=vessel_class(1000),
        port=PORT,
        rotation=(KRPUS, SGSIN, NLRTM),
        on_board=ON_BOARD,
        load=LOAD,
    )


def text_at(svg: str, label: str) -> tuple[float, float]:
    """Where the one ``<text>`` element reading ``label`` is, in SVG coordinates (y down).

    matplotlib writes a one-line text at ``x=".." y=".."`` (its anchor), a line of a
    multi-line text at ``transform="translate(x y)"`` (its left end).
    """
    number = r"(-?[\d.]+)"
    place = rf'(?:x="{number}" y="{number}"|transform="translate\({number} {number}\)")'
    found = re.findall(rf"<text [^>]*{place}[^>]*>{re.escape(label)}</text>", svg)
    assert len(found) == 1, f"{label!r} is written {len(found)} times"
    x, y = (float(v) for v in found[0] if v)
    return x, y


def test_draws_png_and_svg(feeder_call: StowageProblem, tmp_path: Path) -> None:
    """Both formats are written, chosen by the suffix, and hold a real picture."""
    png, svg = tmp_path / "plan.png", tmp_path / "plan.svg"
    draw_bay_plan(feeder_call, PLAN, png)
    draw_bay_plan(feeder_call, PLAN, svg)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.stat().st_size > 20_000
    assert svg.read_text().startswith("<?xml")
    assert svg.stat().st_size > 20_000


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_same_plan_gives_the_same_bytes(
    feeder_call: StowageProblem, tmp_path: Path, suffix: str
) -> None:
    """Drawing the same plan twice writes byte-identical files."""
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    draw_bay_plan(feeder_call, PLAN, first)
    draw_bay_plan(feeder_call, PLAN, second)
    assert first.read_bytes() == second.read_bytes()


def test_svg_shows_weights_markers_and_ports(feeder_call: StowageProblem, tmp_path: Path) -> None:
    """Each box shows its weight and markers; the legend names every port; discharged boxes go."""
    path = tmp_path / "plan.svg"
    draw_bay_plan(feeder_call, PLAN, path)
    svg = path.read_text()
    for weight in ("21.3", "14", "19", "27.4", "15", "11", "30.5", "22.6"):
        text_at(svg, weight)
    for marker in ("R", "3", "OOG"):
        text_at(svg, marker)
    assert ">7.7</text>" not in svg  # box 4 is discharged here
    for legend in ("KRPUS (3)", "SGSIN (2)", "NLRTM (3)", "loaded", "on board"):
        text_at(svg, legend)
    text_at(svg, "Bay 12 (11/13): 5 loaded / 8 boxes")


def test_rows_tiers_and_bays_are_where_the_bay_view_puts_them(
    feeder_call: StowageProblem, tmp_path: Path
) -> None:
    """Seen from astern: port rows left, starboard right, deck above hold, fore 20' bay left."""
    path = tmp_path / "plan.svg"
    draw_bay_plan(feeder_call, PLAN, path, bays=[12])
    svg = path.read_text()
    row_04, row_00, row_01 = (text_at(svg, w) for w in ("30.5", "21.3", "27.4"))
    assert row_04[0] < row_00[0] < row_01[0]
    assert row_01[1] < row_00[1]  # deck above hold (SVG y grows downwards)
    fore, aft = text_at(svg, "15"), text_at(svg, "11")  # row 02 on deck, bays 11 and 13
    assert fore[0] < aft[0] < row_00[0]
    assert abs(fore[1] - aft[1]) < 5  # same tier: a cell is 14.4 pt high


def test_bays_chooses_the_panels(feeder_call: StowageProblem, tmp_path: Path) -> None:
    """``bays`` draws only the sections of the bays named, a 20' bay naming its section."""
    path = tmp_path / "plan.svg"
    draw_bay_plan(feeder_call, PLAN, path, bays=[13])
    titles = re.findall(r">(Bay \d+[^<]*)</text>", path.read_text())
    assert titles == ["Bay 12 (11/13): 5 loaded / 8 boxes"]
    draw_bay_plan(feeder_call, PLAN, path)
    titles = re.findall(r">(Bay \d+[^<]*)</text>", path.read_text())
    assert len(titles) == len(feeder_call.profile.sections)
    assert titles[0] == "Bay 01: 0 loaded / 0 boxes"


@pytest.mark.parametrize("name", ["plan.pdf", "plan", "plan.svg.txt"])
def test_refuses_other_file_types(feeder_call: StowageProblem, tmp_path: Path, name: str) -> None:
    """Only .png and .svg are written; the error names the file."""
    with pytest.raises(InvalidValue, match=re.escape(name)):
        draw_bay_plan(feeder_call, PLAN, tmp_path / name)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(("bays", "message"), [([2], "bay 02 does not exist"), ([], "empty")])
def test_refuses_bays_the_vessel_lacks(
    feeder_call: StowageProblem, tmp_path: Path, bays: list[int], message: str
) -> None:
    """A bay that does not exist, or no bay at all, is refused."""
    with pytest.raises(InvalidValue, match=message):
        draw_bay_plan(feeder_call, PLAN, tmp_path / "plan.png", bays=bays)


def test_refuses_a_placement_at_a_slot_that_cannot_take_the_box(
    feeder_call: StowageProblem, tmp_path: Path
) -> None:
    """A 40' box planned in a 20' bay cannot be drawn; the error names box and slot."""
    plan = StowagePlan(placements=((LOAD[4].number, slot("0110004")),))
    with pytest.raises(InvalidValue, match=rf"{LOAD[4].number} at 0110004"):
        draw_bay_plan(feeder_call, plan, tmp_path / "plan.png")
