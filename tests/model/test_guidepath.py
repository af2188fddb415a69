"""Tests for the AGV guide path: its shape on the presets, spurs, lookups and distances."""

from __future__ import annotations

import itertools
import math
import random
import re
from collections import deque

import pytest

from opentos.errors import InvalidValue, NotFound
from opentos.model.guidepath import (
    SPUR_KINDS,
    Edge,
    GuidePath,
    Node,
    build_guidepath,
    segment_id,
)
from opentos.model.layout import AgvApron, TerminalLayout
from opentos.presets import load_preset

PRESETS = ["qianwan-1", "tiny"]


def reachable(
    path: GuidePath, source: str, *, reverse: bool = False, skip_spurs: bool = False
) -> set[str]:
    """Nodes reachable from ``source`` (or reaching it, with ``reverse``), breadth first."""
    seen = {source}
    queue = deque([source])
    while queue:
        u = queue.popleft()
        edges = path.in_edges(u) if reverse else path.out_edges(u)
        for e in edges:
            v = e.from_node if reverse else e.to_node
            if v in seen or (skip_spurs and path.node(v).is_spur):
                continue
            seen.add(v)
            queue.append(v)
    return seen


@pytest.fixture(scope="module", params=PRESETS)
def preset(request: pytest.FixtureRequest) -> tuple[TerminalLayout, GuidePath]:
    """A preset layout and its guide path."""
    layout = load_preset(request.param)
    return layout, build_guidepath(layout)


def test_guidepath_is_strongly_connected(preset: tuple[TerminalLayout, GuidePath]) -> None:
    """Every node reaches every node."""
    _, path = preset
    everything = {n.id for n in path.nodes}
    first = path.nodes[0].id
    assert reachable(path, first) == everything
    assert reachable(path, first, reverse=True) == everything


def test_through_nodes_are_strongly_connected_without_spurs(
    preset: tuple[TerminalLayout, GuidePath],
) -> None:
    """The through nodes alone stay strongly connected (routing's deadlock argument needs it)."""
    _, path = preset
    through = {n.id for n in path.nodes if not n.is_spur}
    first = next(iter(through))
    assert reachable(path, first, skip_spurs=True) == through
    assert reachable(path, first, reverse=True, skip_spurs=True) == through


def test_quay_handovers_reach_every_crane_position(
    preset: tuple[TerminalLayout, GuidePath],
) -> None:
    """Wherever a quay crane stands, it reaches one hand-over spur on every crane lane."""
    layout, _ = preset
    for qc_lanes in (1, 2, 3):
        path = build_guidepath(layout, qc_lanes=qc_lanes)
        for x in range(0, int(layout.quay.length_m) + 1, 7):
            ids = path.quay_handovers_near(float(x))
            lanes = {node_id.split(":")[0] for node_id in ids}
            assert lanes == {f"QH{i}" for i in range(1, qc_lanes + 1)}, (x, ids)
            for node_id in ids:
                node = path.node(node_id)
                assert node.kind == "qc_handover"
                assert abs(node.x_m - x) <= path.handover_reach_m + 1e-9
                assert 0 < node.y_m < 10 * qc_lanes


def test_every_block_has_its_transfer_points(preset: tuple[TerminalLayout, GuidePath]) -> None:
    """Each block has one spur per waterside transfer point, at its waterside end."""
    layout, path = preset
    for block in layout.blocks:
        ids = path.block_handovers(block.id)
        assert len(ids) == block.waterside_transfer_points
        for node_id in ids:
            node = path.node(node_id)
            assert node.kind == "block_handover"
            assert node.y_m == block.y_m
            assert block.x_m < node.x_m < block.x_m + block.width_m


def test_chargers_and_parking_are_spurs(preset: tuple[TerminalLayout, GuidePath]) -> None:
    """Each charger is a spur at its position; there is a parking spur for every AGV."""
    layout, path = preset
    assert path.chargers() == [c.id for c in layout.chargers]
    for charger in layout.chargers:
        node = path.node(charger.id)
        assert (node.x_m, node.y_m, node.kind) == (charger.x_m, charger.y_m, "charger")
    assert path.parkings() == [f"P{i:02d}" for i in range(1, len(layout.agvs) + 1)]
    assert len(build_guidepath(layout, parking=50).parkings()) == 50


def test_spurs_are_dead_ends(preset: tuple[TerminalLayout, GuidePath]) -> None:
    """A spur has one edge in and one out, both to the same through node; none passes it."""
    _, path = preset
    spurs = [n for n in path.nodes if n.kind in SPUR_KINDS]
    assert spurs
    for node in spurs:
        (out,) = path.out_edges(node.id)
        (into,) = path.in_edges(node.id)
        assert out.to_node == into.from_node == path.spur_parent(node.id)
        assert not path.node(out.to_node).is_spur
        assert out.length_m == into.length_m
        assert out.length_m <= 20


def test_lanes_are_one_way_and_alternate() -> None:
    """East-west lanes are one-way, alternating from the quay; connectors are two-way bends."""
    path = build_guidepath(load_preset("tiny"))

    def along(lane: str) -> list[str]:
        ids = [n.id for n in path.nodes if n.id.startswith(f"{lane}:")]
        return sorted(ids, key=lambda i: path.node(i).x_m)

    for a, b in itertools.pairwise(along("Q1")):
        assert not path.edge(a, b).bend
        with pytest.raises(NotFound):
            path.edge(b, a)
    for a, b in itertools.pairwise(along("Q2")):
        path.edge(b, a)
        with pytest.raises(NotFound):
            path.edge(a, b)
    path.edge("T1:0.0", "T1:100.0")
    path.edge("T2:100.0", "T2:0.0")
    path.edge("B:0.0", "B:90.0")
    down, up = path.edge("Q1:100.0", "Q2:100.0"), path.edge("Q2:100.0", "Q1:100.0")
    assert down.bend
    assert up.bend
    assert down.segment == up.segment == segment_id("Q2:100.0", "Q1:100.0")


def test_connectors_at_every_block_and_quay_crane(preset: tuple[TerminalLayout, GuidePath]) -> None:
    """A two-way connector runs across all lanes at every quay crane and every block centre."""
    layout, path = preset
    lanes = sorted({n.y_m for n in path.nodes if re.fullmatch(r"Q\d+|T\d+|B", n.id.split(":")[0])})
    xs = [qc.rail_position_m for qc in layout.quay_cranes] + [
        b.x_m + b.width_m / 2 for b in layout.blocks
    ]
    for x in xs:
        column = [
            n
            for n in path.nodes
            if n.kind == "crossing" and abs(n.x_m - x) < 1.0 and n.y_m in lanes
        ]
        assert len(column) == len(lanes)
        column.sort(key=lambda n: n.y_m)
        for a, b in itertools.pairwise(column):
            assert path.edge(a.id, b.id).bend
            assert path.edge(b.id, a.id).bend


def test_qianwan_graph_size() -> None:
    """The qianwan-1 guide path has a few hundred nodes."""
    path = build_guidepath(load_preset("qianwan-1"))
    assert 300 <= len(path) <= 1000
    assert {h.split(":")[0] for h in path.quay_handovers_near(601.0)} == {"QH1", "QH2"}
    assert len(path.quay_handovers_near(601.0)) == 2
    assert path.block_handovers("A19")[-1] == "A19/W5"


def test_distance_m() -> None:
    """distance_m is the shortest path length: 0 to itself, a lane's length, triangle rule."""
    path = build_guidepath(load_preset("tiny"))
    assert path.distance_m("P01", "P01") == 0.0
    assert path.distance_m("Q1:0.0", "Q1:300.0") == pytest.approx(300.0)
    # Q2 runs west: going east on it means a detour through other lanes.
    assert path.distance_m("Q2:0.0", "Q2:300.0") > 300.0
    rng = random.Random(7)
    ids = [n.id for n in path.nodes]
    for _ in range(200):
        a, b, c = rng.sample(ids, 3)
        assert path.distance_m(a, c) <= path.distance_m(a, b) + path.distance_m(b, c) + 1e-9
        assert math.isfinite(path.distance_m(a, b))
    with pytest.raises(NotFound):
        path.distance_m("P01", "nowhere")
    with pytest.raises(NotFound):
        path.distance_m("nowhere", "P01")


def test_nearest_node() -> None:
    """nearest_node finds the closest node, of a kind if asked."""
    path = build_guidepath(load_preset("tiny"))
    assert path.nearest_node(100.0, 6.0) == "QH1:102.0"
    assert path.nearest_node(100.0, 6.0, "crossing") == "Q1:100.0"
    assert path.nearest_node(0.0, 0.0, "parking") == "P01"
    assert path.nearest_node(1000.0, 50.0, "block_handover") == "A01/W1"


def test_unknown_ids_raise_not_found() -> None:
    """Unknown nodes, cranes and blocks raise NotFound."""
    path = build_guidepath(load_preset("tiny"))
    with pytest.raises(NotFound, match="nowhere"):
        path.node("nowhere")
    with pytest.raises(NotFound):
        path.out_edges("nowhere")
    with pytest.raises(NotFound, match="Z01"):
        path.block_handovers("Z01")
    with pytest.raises(InvalidValue, match="not a spur"):
        path.spur_parent("Q1:0.0")


def test_narrow_apron_is_rejected() -> None:
    """An apron too narrow for its lanes is an InvalidValue naming the widths."""
    layout = load_preset("tiny")
    narrow = TerminalLayout(
        **{
            **{f: getattr(layout, f) for f in ("name", "un_locode", "quay", "quay_cranes")},
            "apron": AgvApron(width_m=60.0, qc_lanes=2, travel_lanes=9),
            "blocks": layout.blocks,
        }
    )
    with pytest.raises(InvalidValue, match="too narrow"):
        build_guidepath(narrow)
    with pytest.raises(InvalidValue, match="qc_lanes"):
        build_guidepath(layout, qc_lanes=0)


def test_guidepath_checks_its_graph() -> None:
    """Duplicate nodes, unknown edge ends and spurs that are not dead ends are rejected."""
    a, b = Node("a", 0, 0, "lane"), Node("b", 10, 0, "lane")
    spur = Node("P01", 0, 5, "parking")
    with pytest.raises(InvalidValue, match="twice"):
        GuidePath([a, a], [])
    with pytest.raises(InvalidValue, match="unknown node"):
        GuidePath([a], [Edge("a", "b", 10.0, False)])
    with pytest.raises(InvalidValue, match="dead end"):
        GuidePath([a, spur], [Edge("a", "P01", 5.0, True)])
    with pytest.raises(InvalidValue, match="dead end"):
        GuidePath(
            [a, b, spur],
            [
                Edge("a", "P01", 5.0, True),
                Edge("P01", "b", 5.0, True),
                Edge("b", "a", 10.0, False),
            ],
        )
    with pytest.raises(InvalidValue, match="length_m"):
        Edge("a", "b", 0.0, False)
    with pytest.raises(InvalidValue, match="->"):
        Node("a->b", 0, 0, "lane")
    with pytest.raises(InvalidValue, match="kind"):
        Node("x", 0, 0, "road")  # type: ignore[arg-type]
    path = GuidePath([a, b, spur], [Edge("a", "P01", 5.0, True), Edge("P01", "a", 5.0, True)])
    assert path.spurs() == ["P01"]
    assert path.distance_m("P01", "b") == math.inf
