"""The AGV guide path: the apron's lanes, crossings and dead-end spurs as a directed graph.

AGVs follow fixed paths (at Qianwan, more than 40,000 magnetic nails in the apron floor).
:class:`GuidePath` is that network as a directed graph of :class:`Node` and :class:`Edge`;
:func:`build_guidepath` lays one out on a :class:`~opentos.model.layout.TerminalLayout`.
Routing over it, with time windows, lives in :mod:`opentos.control.routing`.

Every place where an AGV stops for a while -- a hand-over under a quay crane, a transfer
point at a block's waterside end, a charger, a parking place -- is a *spur*: a dead end
joined to one through node by a short pair of edges (in and out). Nothing routes through a
spur, so an AGV standing in one never blocks another; routing relies on it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal, get_args

from opentos.errors import InvalidValue, NotFound
from opentos.model.layout import TerminalLayout

NodeKind = Literal["lane", "crossing", "qc_handover", "block_handover", "charger", "parking"]
NODE_KINDS: tuple[NodeKind, ...] = get_args(NodeKind)
SPUR_KINDS: frozenset[NodeKind] = frozenset({"qc_handover", "block_handover", "charger", "parking"})
"""Kinds of dead-end nodes where AGVs stop; the others are through nodes."""


@dataclass(frozen=True, slots=True)
class Node:
    """A point of the guide path at ``(x_m, y_m)`` (terminal coordinates)."""

    id: str
    x_m: float
    y_m: float
    kind: NodeKind

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id or "->" in self.id:
            raise InvalidValue(
                f"guide path node id {self.id!r} must be a non-empty text without '->' "
                "(edge and segment ids use it)"
            )
        if self.kind not in NODE_KINDS:
            raise InvalidValue(
                f"guide path node {self.id}: kind must be one of {', '.join(NODE_KINDS)}, "
                f"got {self.kind!r}"
            )
        for name in ("x_m", "y_m"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidValue(f"guide path node {self.id}: {name} must be a number")
            if not math.isfinite(value):
                raise InvalidValue(f"guide path node {self.id}: {name} must be finite")

    @property
    def is_spur(self) -> bool:
        """True for a dead end where AGVs stop (hand-over, charger, parking)."""
        return self.kind in SPUR_KINDS


def segment_id(a: str, b: str) -> str:
    """The id of the stretch of floor between nodes ``a`` and ``b``, whichever way driven."""
    return f"{a}<->{b}" if a <= b else f"{b}<->{a}"


@dataclass(frozen=True, slots=True)
class Edge:
    """A one-way edge from ``from_node`` to ``to_node``; ``bend`` if the AGV turns on it."""

    from_node: str
    to_node: str
    length_m: float
    bend: bool

    def __post_init__(self) -> None:
        if self.from_node == self.to_node:
            raise InvalidValue(f"guide path edge {self.id} is a loop")
        length = self.length_m
        if (
            isinstance(length, bool)
            or not isinstance(length, int | float)
            or not math.isfinite(length)
            or length <= 0
        ):
            raise InvalidValue(f"guide path edge {self.id}: length_m must be > 0, got {length!r}")

    @property
    def id(self) -> str:
        """``"<from>-><to>"``."""
        return f"{self.from_node}->{self.to_node}"

    @property
    def segment(self) -> str:
        """The stretch of floor this edge and its reverse share: :func:`segment_id`."""
        return segment_id(self.from_node, self.to_node)


class GuidePath:
    """A directed graph of guide path nodes and edges; immutable once built.

    Spur nodes (kinds in :data:`SPUR_KINDS`) are named after what they serve:
    ``"<qc>/H<n>"`` for quay crane hand-overs, ``"<block>/W<n>"`` for waterside transfer
    points, the charger's id for chargers, ``"P<nn>"`` for parking places.

    Raises
    ------
    InvalidValue
        A node id is used twice, an edge names an unknown node or is given twice, or a spur
        is not a dead end joined to one through node both ways.
    """

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        self._nodes: dict[str, Node] = {}
        for node in nodes:
            if node.id in self._nodes:
                raise InvalidValue(f"guide path node id {node.id!r} is used twice")
            self._nodes[node.id] = node
        self._edges = tuple(edges)
        self._out: dict[str, list[Edge]] = {i: [] for i in self._nodes}
        self._in: dict[str, list[Edge]] = {i: [] for i in self._nodes}
        self._by_pair: dict[tuple[str, str], Edge] = {}
        for edge in self._edges:
            for end in (edge.from_node, edge.to_node):
                if end not in self._nodes:
                    raise InvalidValue(f"guide path edge {edge.id} names unknown node {end!r}")
            if (edge.from_node, edge.to_node) in self._by_pair:
                raise InvalidValue(f"guide path edge {edge.id} is given twice")
            self._by_pair[edge.from_node, edge.to_node] = edge
            self._out[edge.from_node].append(edge)
            self._in[edge.to_node].append(edge)
        self._owned: dict[tuple[NodeKind, str], list[str]] = {}
        for node in self._nodes.values():
            if node.is_spur:
                self._check_spur(node)
            if node.kind in ("qc_handover", "block_handover"):
                owner = node.id.rpartition("/")[0]
                self._owned.setdefault((node.kind, owner), []).append(node.id)
        self._distances: dict[str, dict[str, float]] = {}
        self._quay_handovers = sorted(
            (n.x_m, n.id) for n in self._nodes.values() if n.kind == "qc_handover"
        )
        xs = sorted({x for x, _ in self._quay_handovers})
        steps = [b - a for a, b in pairwise(xs)]
        self.handover_reach_m = min(steps) / 2 if steps else 0.0
        """Half the spacing of the quay hand-over spurs: every position along the quay has
        one on each crane lane within this distance."""

    def _check_spur(self, node: Node) -> None:
        out, into = self._out[node.id], self._in[node.id]
        if (
            len(out) != 1
            or len(into) != 1
            or out[0].to_node != into[0].from_node
            or self._nodes[out[0].to_node].is_spur
        ):
            raise InvalidValue(
                f"guide path spur {node.id} ({node.kind}) must be a dead end joined to one "
                f"through node by an edge each way; it has edges to "
                f"{[e.to_node for e in out]} and from {[e.from_node for e in into]}"
            )

    # lookups --------------------------------------------------------------------------------

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Every node, in the order given."""
        return tuple(self._nodes.values())

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every edge, in the order given."""
        return self._edges

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def node(self, node_id: str) -> Node:
        """The node ``node_id``.

        Raises
        ------
        NotFound
            No node has that id.
        """
        try:
            return self._nodes[node_id]
        except KeyError:
            raise NotFound(f"no node {node_id!r} in the guide path") from None

    def out_edges(self, node_id: str) -> tuple[Edge, ...]:
        """Edges leaving ``node_id`` (raises :class:`NotFound` for an unknown node)."""
        self.node(node_id)
        return tuple(self._out[node_id])

    def in_edges(self, node_id: str) -> tuple[Edge, ...]:
        """Edges entering ``node_id`` (raises :class:`NotFound` for an unknown node)."""
        self.node(node_id)
        return tuple(self._in[node_id])

    def edge(self, from_node: str, to_node: str) -> Edge:
        """The edge from ``from_node`` to ``to_node``.

        Raises
        ------
        NotFound
            There is no such edge.
        """
        try:
            return self._by_pair[from_node, to_node]
        except KeyError:
            raise NotFound(f"no guide path edge {from_node}->{to_node}") from None

    def spur_parent(self, node_id: str) -> str:
        """The through node a spur hangs off.

        Raises
        ------
        InvalidValue
            ``node_id`` is not a spur.
        """
        if not self.node(node_id).is_spur:
            raise InvalidValue(f"guide path node {node_id} is not a spur")
        return self._out[node_id][0].to_node

    def quay_handovers_near(self, x_m: float, within_m: float | None = None) -> list[str]:
        """Hand-over spurs under the quay cranes within ``within_m`` of ``x_m`` along the quay.

        ``within_m`` defaults to :attr:`handover_reach_m`.

        Quay cranes travel along the quay, so their hand-over positions are not fixed: a
        crane standing at ``x`` hands over at the spurs of every crane lane within its
        reach. Nearest first, then by lane.
        """
        reach = self.handover_reach_m if within_m is None else within_m
        near = [
            (abs(x - x_m), node_id)
            for x, node_id in self._quay_handovers
            if abs(x - x_m) <= reach + 1e-9
        ]
        return [node_id for _, node_id in sorted(near)]

    def block_handovers(self, block_id: str) -> list[str]:
        """The waterside transfer spurs of block ``block_id``: ``["A05/W1", ...]``.

        Raises
        ------
        NotFound
            The guide path has no transfer point for that block.
        """
        return self._owned_by("block_handover", block_id, "block")

    def _owned_by(self, kind: NodeKind, owner: str, what: str) -> list[str]:
        try:
            return list(self._owned[kind, owner])
        except KeyError:
            raise NotFound(f"the guide path has no {kind} spur for {what} {owner!r}") from None

    def of_kind(self, kind: NodeKind) -> list[str]:
        """Ids of the nodes of ``kind``, in the order given."""
        return [n.id for n in self._nodes.values() if n.kind == kind]

    def chargers(self) -> list[str]:
        """Ids of the charger spurs."""
        return self.of_kind("charger")

    def parkings(self) -> list[str]:
        """Ids of the parking spurs: ``["P01", "P02", ...]``."""
        return self.of_kind("parking")

    def spurs(self) -> list[str]:
        """Ids of every spur (hand-overs, transfer points, chargers, parking places)."""
        return [n.id for n in self._nodes.values() if n.is_spur]

    # geometry -------------------------------------------------------------------------------

    def distance_m(self, from_node: str, to_node: str) -> float:
        """Length of the shortest path from ``from_node`` to ``to_node``; ``inf`` if none.

        Dijkstra from ``from_node`` runs once and is cached for every target.

        Raises
        ------
        NotFound
            Either node is unknown.
        """
        self.node(to_node)
        distances = self._distances.get(from_node)
        if distances is None:
            self.node(from_node)
            distances = self._dijkstra(from_node)
            self._distances[from_node] = distances
        return distances.get(to_node, math.inf)

    def _dijkstra(self, source: str) -> dict[str, float]:
        done: dict[str, float] = {}
        heap: list[tuple[float, str]] = [(0.0, source)]
        while heap:
            d, u = heapq.heappop(heap)
            if u in done:
                continue
            done[u] = d
            for edge in self._out[u]:
                if edge.to_node not in done:
                    heapq.heappush(heap, (d + edge.length_m, edge.to_node))
        return done

    def nearest_node(self, x_m: float, y_m: float, kind: NodeKind | None = None) -> str:
        """The node (of ``kind``, if given) nearest to ``(x_m, y_m)``; ties go to the first.

        Raises
        ------
        NotFound
            The guide path has no node of that kind.
        """
        best, best_d = "", math.inf
        for node in self._nodes.values():
            if kind is not None and node.kind != kind:
                continue
            d = math.hypot(node.x_m - x_m, node.y_m - y_m)
            if d < best_d:
                best, best_d = node.id, d
        if not best:
            raise NotFound(f"the guide path has no node of kind {kind!r}")
        return best


# --- building one on a layout ----------------------------------------------------------------

_QC_LANE_PITCH_M = 10.0
"""Quay crane lanes lie at y = 10, 20, ... m; each lane's hand-over lay-by 5 m quay-side."""
_BLOCK_LANE_SETBACK_M = 5.0
"""The block lane runs this far inside the apron's landside edge."""
_MIN_LANE_PITCH_M = 4.0
_END_MARGIN_M = 5.0
_PARKING_SPUR_M = 10.0
_SNAP_M = 1.0
"""Positions along a lane closer than this share one node."""


def _snap(xs: list[float], x: float) -> float:
    """``x``, or a position of ``xs`` within :data:`_SNAP_M` of it (then nothing is added)."""
    for known in xs:
        if abs(known - x) < _SNAP_M:
            return known
    xs.append(x)
    return x


def build_guidepath(
    layout: TerminalLayout,
    *,
    qc_lanes: int = 2,
    parking: int | None = None,
    handover_pitch_m: float = 12.0,
) -> GuidePath:
    """Lay out an automated terminal's AGV guide path on ``layout``'s apron.

    East-west lanes run the length of the apron, one-way with alternating directions (even
    lanes counted from the quay run east, odd ones west); two-way north-south connectors join
    all of them at both ends of the apron, at every quay crane's rail position and at the
    centre of every block. Every place where an AGV stops is a spur hanging off a lane or a
    connector::

        y (m)        x_w       QC01                    QC02                  x_e
          0   ~~~~~~~~~~~~~~~~~~~~~~~~~~~ quay edge ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
          5             |  o   o | o   o   o   o   o   o | o   o   o   o   o  | QH1:<x>
         10     Q1      +--->----+----------->-----------+----------->---------+
         15             |  o   o | o   o   o   o   o   o | o   o   o   o   o  | QH2:<x>
         20     Q2      +---<----+-----------<-----------+-----------<---------+
         ..     P01 o---+        |                       |                     +---o P20
         ..     T1      +--->----+----------->-----------+----------->---------+
         ..     T2      +---<----+-----------<-----------+-----------<---------+
                        :          (apron.travel_lanes lanes, evenly spaced)   :
        W-5     B       +--->---+--+--+--+--+------->------+--+--+--+--+-->----+
                                o  o  o  o  o              o  o  o  o  o
        ~W+5                 A01/W1 .. A01/W5            A02/W1 .. A02/W5
                             +--------------+            +--------------+
                             |      A01     |            |      A02     |   ...

    (``+`` through nodes, ``o`` spurs, ``|`` two-way connectors; the connectors at the
    blocks' centres and the chargers are left out of the sketch.)

    - ``Q1 .. Qk``: ``qc_lanes`` lanes under the quay cranes at y = 10, 20, ... m, with a
      hand-over spur ``"QH<i>:<x>"`` 5 m quay-side of lane ``Qi`` every ``handover_pitch_m``
      along the quay: the cranes travel, and a crane hands over at the spurs within its
      reach wherever it stands (:meth:`GuidePath.quay_handovers_near`).
    - ``T1 .. Tn``: ``layout.apron.travel_lanes`` travel lanes, evenly spaced between the
      last quay crane lane and the block lane.
    - ``B``: the block lane, 5 m inside the apron's landside edge; a spur ``"<block>/W<j>"``
      runs from it to each waterside transfer point at the block's waterside end, the
      points evenly spread across the block's width.
    - a charger is a spur (its own id) from the lane nearest to it, at its ``x``.
    - parking places ``P01 ..`` (``parking`` of them, default one per AGV of the layout) are
      10 m spurs off the two end connectors, half at the west end and half at the east end;
      the lanes span the whole quay, or a little more if cranes, blocks or chargers lie
      beyond it, so the parking rows may stand just beyond the quay's ends.

    Through nodes are named ``"<lane>:<x>"`` (``"T3:245.0"``) and, on the end connectors
    between lanes, ``"XW:<y>"`` / ``"XE:<y>"``. Connector edges and spur edges are bends
    (``bend=True``): a connector between two lanes about 10 m apart is a lane change the
    AGV drives as a curve; lane edges are straight.

    Parameters
    ----------
    layout
        The terminal.
    qc_lanes
        Lanes under the quay cranes.
    handover_pitch_m
        Distance along the quay between hand-over spurs on a crane lane (about a 40' bay).
    parking
        Parking spurs; default one per AGV of the layout.

    Raises
    ------
    InvalidValue
        ``qc_lanes`` or ``parking`` is not a positive (non-negative) integer, or the apron is
        too narrow for the quay crane lanes and the travel lanes (less than 4 m apart).
    """
    if isinstance(qc_lanes, bool) or not isinstance(qc_lanes, int) or qc_lanes < 1:
        raise InvalidValue(f"guide path: qc_lanes must be an integer >= 1, got {qc_lanes!r}")
    n_parking = len(layout.agvs) if parking is None else parking
    if isinstance(n_parking, bool) or not isinstance(n_parking, int) or n_parking < 0:
        raise InvalidValue(f"guide path: parking must be an integer >= 0, got {parking!r}")

    # East-west lanes, from the quay inland.
    width = layout.apron.width_m
    y_block_lane = width - _BLOCK_LANE_SETBACK_M
    lanes: list[tuple[str, float]] = [
        (f"Q{i}", _QC_LANE_PITCH_M * i) for i in range(1, qc_lanes + 1)
    ]
    y_last_qc = lanes[-1][1]
    travel = layout.apron.travel_lanes
    pitch = (y_block_lane - y_last_qc) / (travel + 1)
    if pitch < _MIN_LANE_PITCH_M:
        raise InvalidValue(
            f"guide path: the {width:g} m apron is too narrow for {qc_lanes} quay crane lanes "
            f"(to y {y_last_qc:g} m), {travel} travel lanes and the block lane at "
            f"y {y_block_lane:g} m (lanes would be {pitch:.1f} m apart, at least "
            f"{_MIN_LANE_PITCH_M:g} m needed)"
        )
    lanes += [(f"T{j}", y_last_qc + pitch * j) for j in range(1, travel + 1)]
    lanes.append(("B", y_block_lane))
    lane_y = dict(lanes)

    # Where things stand along the quay.
    transfer_points: list[tuple[str, float, float]] = []  # (id, x, y)
    for block in layout.blocks:
        n = block.waterside_transfer_points
        for j in range(1, n + 1):
            x = block.x_m + (j - 0.5) * block.width_m / n
            transfer_points.append((f"{block.id}/W{j}", x, block.y_m))
    features = (
        [qc.rail_position_m for qc in layout.quay_cranes]
        + [b.x_m + b.width_m / 2 for b in layout.blocks]
        + [x for _, x, _ in transfer_points]
        + [c.x_m for c in layout.chargers]
    )
    x_west = min([0.0, *(x - _END_MARGIN_M for x in features)]) + 0.0
    x_east = max([layout.quay.length_m, *(x + _END_MARGIN_M for x in features)])

    connectors: list[float] = []
    for x in (
        x_west,
        x_east,
        *(qc.rail_position_m for qc in layout.quay_cranes),
        *(b.x_m + b.width_m / 2 for b in layout.blocks),
    ):
        _snap(connectors, x)
    lane_xs: dict[str, list[float]] = {name: list(connectors) for name, _ in lanes}

    nodes: list[Node] = []
    edges: list[Edge] = []
    spurs: list[tuple[Node, str]] = []  # (spur, through node id)

    def lane_node(lane: str, x: float) -> str:
        return f"{lane}:{x:.1f}"

    n_positions = int((x_east - x_west) // handover_pitch_m)
    for k in range(n_positions):
        x_h = round(x_west + handover_pitch_m * (k + 0.5), 1)
        for i in range(1, qc_lanes + 1):
            lane = f"Q{i}"
            x = _snap(lane_xs[lane], x_h)
            spur = Node(f"QH{i}:{x_h:.1f}", x_h, lane_y[lane] - 5.0, "qc_handover")
            spurs.append((spur, lane_node(lane, x)))
    for spur_id, x_tp, y_tp in transfer_points:
        x = _snap(lane_xs["B"], x_tp)
        spurs.append((Node(spur_id, x_tp, y_tp, "block_handover"), lane_node("B", x)))
    for charger in layout.chargers:
        lane = min(lanes, key=lambda item: abs(item[1] - charger.y_m))[0]
        x = _snap(lane_xs[lane], charger.x_m)
        spurs.append((Node(charger.id, charger.x_m, charger.y_m, "charger"), lane_node(lane, x)))

    # Lane nodes and one-way lane edges.
    connector_set = set(connectors)
    for index, (lane, y) in enumerate(lanes):
        xs = sorted(lane_xs[lane])
        for x in xs:
            kind: NodeKind = "crossing" if x in connector_set else "lane"
            nodes.append(Node(lane_node(lane, x), x, y, kind))
        if index % 2:
            xs.reverse()
        edges.extend(
            Edge(lane_node(lane, a), lane_node(lane, b), abs(b - a), False) for a, b in pairwise(xs)
        )

    # Parking rows on the end connectors: half west (north to south), half east.
    digits = max(2, len(str(n_parking)))
    west_count = (n_parking + 1) // 2
    y_top, y_bottom = lanes[0][1], y_block_lane
    parking_number = 1
    end_extras: dict[float, list[tuple[float, str]]] = {x_west: [], x_east: []}
    for end_x, count, outward in (
        (x_west, west_count, -1.0),
        (x_east, n_parking - west_count, 1.0),
    ):
        side = "XW" if outward < 0 else "XE"
        ys_on_end = [y for _, y in lanes]
        for k in range(count):
            y = y_top + (y_bottom - y_top) * (k + 0.5) / count
            y_snapped = _snap(ys_on_end, y)
            if y_snapped == y:  # a new node on the connector between lanes
                parent = f"{side}:{y:.1f}"
                nodes.append(Node(parent, end_x, y, "lane"))
                end_extras[end_x].append((y, parent))
            else:
                parent = lane_node(next(n for n, ly in lanes if ly == y_snapped), end_x)
            spur = Node(
                f"P{parking_number:0{digits}d}", end_x + outward * _PARKING_SPUR_M, y, "parking"
            )
            spurs.append((spur, parent))
            parking_number += 1

    # Two-way connectors across all lanes.
    for x in sorted(connectors):
        column = [(y, lane_node(lane, x)) for lane, y in lanes] + end_extras.get(x, [])
        column.sort()
        for (ya, a), (yb, b) in pairwise(column):
            edges.append(Edge(a, b, yb - ya, True))
            edges.append(Edge(b, a, yb - ya, True))

    # Spurs: a dead end, an edge each way to its through node.
    positions = {n.id: n for n in nodes}
    for spur, parent_id in spurs:
        through = positions[parent_id]
        length = max(math.hypot(spur.x_m - through.x_m, spur.y_m - through.y_m), 1.0)
        nodes.append(spur)
        edges.append(Edge(parent_id, spur.id, length, True))
        edges.append(Edge(spur.id, parent_id, length, True))
    return GuidePath(nodes, edges)
