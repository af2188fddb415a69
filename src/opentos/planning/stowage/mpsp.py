"""The multi-port stowage planning problem (MPSP) of Avriel et al., for one bay.

A ship calls at ports ``0 ... N-1``. ``T[i][j]`` containers are loaded at port ``i`` for
port ``j`` (``i < j``) into one bay of ``R`` tiers by ``C`` stacks. At each port the
containers for that port are unloaded first; every container above one of them is shifted
(taken off and stowed again, one shift each); then the port's own containers are loaded,
together with the shifted ones. Containers that block nothing stay where they are (no
voluntary restows). The aim is to minimise the total number of shifts.

The text format is the one of Parreño-Torres et al. (2019): the headers ``N: n``,
``R: r``, ``C: c``, ``seed: k`` in that order, then the ``N x N`` matrix ``T``, one row a
line. Blank lines and extra spaces are ignored.

A plan is the bay as it leaves each port ``p = 0 ... N-2``: ``C`` stacks, each a
bottom-to-top tuple of destination ports.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from opentos.errors import DataImportError, InvalidValue
from opentos.planning.result import Result, Status

Stack = tuple[int, ...]
"""Destination ports of the containers in one stack, bottom to top."""
Bay = tuple[Stack, ...]
"""The stacks of the bay, in a fixed order."""

_HEADERS = ("N", "R", "C", "seed")
_HEADER_RE = re.compile(r"^\s*([A-Za-z]+)\s*:\s*(\S+)\s*$")
_NO_MIN = 1 << 30  # the "minimum destination" of an empty stack: every container fits on it


# --- the problem --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MpspInstance:
    """One bay of ``tiers`` x ``stacks`` slots and the transport matrix of a voyage."""

    ports: int
    tiers: int
    stacks: int
    transport: tuple[tuple[int, ...], ...]
    """``transport[i][j]``: containers loaded at port ``i`` for port ``j`` (only ``i < j``)."""
    seed: int = 0

    def __post_init__(self) -> None:
        for name, value in (("ports", self.ports), ("tiers", self.tiers), ("stacks", self.stacks)):
            if value < 1:
                raise InvalidValue(f"{name} must be at least 1, got {value!r}")
        if len(self.transport) != self.ports or any(
            len(row) != self.ports for row in self.transport
        ):
            raise InvalidValue(f"transport must be a {self.ports} x {self.ports} matrix")
        for i, row in enumerate(self.transport):
            for j, count in enumerate(row):
                if count < 0 or (count > 0 and j <= i):
                    raise InvalidValue(
                        f"transport[{i}][{j}] = {count!r}: counts are >= 0 and only i < j ship"
                    )

    @property
    def capacity(self) -> int:
        """Slots in the bay."""
        return self.tiers * self.stacks

    def on_board(self, port: int) -> tuple[int, ...]:
        """Containers per destination as the bay leaves ``port`` (index = destination)."""
        return tuple(
            sum(self.transport[i][d] for i in range(port + 1)) if d > port else 0
            for d in range(self.ports)
        )

    def overloaded_ports(self) -> list[int]:
        """Ports after which more containers would be on board than the bay holds."""
        return [p for p in range(self.ports) if sum(self.on_board(p)) > self.capacity]


@dataclass(frozen=True, slots=True)
class MpspSolution:
    """The bay as it leaves each port ``0 ... N-2`` and the shifts that plan costs."""

    shifts: int
    states: tuple[Bay, ...]


# --- text format --------------------------------------------------------------------------------


def parse_mpsp(text: str, source: str = "<string>") -> MpspInstance:
    """Read an instance in the Parreño-Torres et al. format.

    Raises
    ------
    DataImportError
        Listing every problem with its line number: a missing or misplaced header, a
        matrix of the wrong size, a non-integer or negative count, a positive count on or
        below the diagonal, or a port after which the bay would be over capacity.
    """
    lines = [(k, line) for k, line in enumerate(text.splitlines(), start=1) if line.strip()]
    problems: list[str] = []
    values: dict[str, int] = {}
    for index, name in enumerate(_HEADERS):
        if index >= len(lines):
            problems.append(f"line {len(text.splitlines()) + 1}: missing header '{name}: <int>'")
            continue
        number, line = lines[index]
        match = _HEADER_RE.match(line)
        if match is None or match.group(1).lower() != name.lower():
            problems.append(f"line {number}: expected header '{name}: <int>', got {line.strip()!r}")
            continue
        try:
            values[name] = int(match.group(2))
        except ValueError:
            problems.append(f"line {number}: header {name} is not an integer: {match.group(2)!r}")
            continue
        if name != "seed" and values[name] < 1:
            problems.append(f"line {number}: {name} must be at least 1, got {values[name]}")
    if problems:
        raise DataImportError(source, problems)
    n, tiers, stacks = values["N"], values["R"], values["C"]
    rows = lines[len(_HEADERS) :]
    if len(rows) != n:
        where = rows[n][0] if len(rows) > n else (lines[-1][0] + 1)
        problems.append(f"line {where}: expected {n} matrix rows, got {len(rows)}")
    matrix: list[tuple[int, ...]] = []
    row_lines: list[int] = []
    for i, (number, line) in enumerate(rows[:n]):
        fields = line.replace(",", " ").split()
        if len(fields) != n:
            problems.append(f"line {number}: row {i} has {len(fields)} entries, expected {n}")
            continue
        row: list[int] = []
        for j, field in enumerate(fields):
            try:
                count = int(field)
            except ValueError:
                problems.append(f"line {number}: T[{i}][{j}] is not an integer: {field!r}")
                count = 0
            if count < 0:
                problems.append(f"line {number}: T[{i}][{j}] = {count} is negative")
            elif count > 0 and j <= i:
                problems.append(
                    f"line {number}: T[{i}][{j}] = {count} must be 0 "
                    "(port {i} cannot ship to itself or an earlier port)".replace("{i}", str(i))
                )
            row.append(count)
        matrix.append(tuple(row))
        row_lines.append(number)
    if problems:
        raise DataImportError(source, problems)
    instance = MpspInstance(n, tiers, stacks, tuple(matrix), values["seed"])
    for p in instance.overloaded_ports():
        problems.append(
            f"line {row_lines[p]}: {sum(instance.on_board(p))} containers on board after "
            f"port {p} exceed the bay's {instance.capacity} slots"
        )
    if problems:
        raise DataImportError(source, problems)
    return instance


def format_mpsp(instance: MpspInstance) -> str:
    """Write ``instance`` in the format :func:`parse_mpsp` reads (an exact round-trip)."""
    head = [
        f"N: {instance.ports}",
        f"R: {instance.tiers}",
        f"C: {instance.stacks}",
        f"seed: {instance.seed}",
    ]
    body = [" ".join(str(count) for count in row) for row in instance.transport]
    return "\n".join(head + body) + "\n"


def generate_mpsp(n: int, r: int, c: int, seed: int) -> MpspInstance:
    """A random feasible instance whose bay is filled to about 70-90 % after each port.

    Port ``i`` loads what brings the bay up to a random fill in [70 %, 90 %] (nothing if
    the containers staying on board already exceed it), each container for a destination
    drawn uniformly from the later ports.
    """
    if n < 1 or r < 1 or c < 1:
        raise InvalidValue(f"generate_mpsp needs n, r, c >= 1, got {n}, {r}, {c}")
    rng = random.Random(seed)
    capacity = r * c
    matrix = [[0] * n for _ in range(n)]
    for i in range(n - 1):
        staying = sum(matrix[k][d] for k in range(i) for d in range(i + 1, n))
        target = round(capacity * rng.uniform(0.7, 0.9))
        for _ in range(max(0, min(target, capacity) - staying)):
            matrix[i][rng.randrange(i + 1, n)] += 1
    return MpspInstance(n, r, c, tuple(tuple(row) for row in matrix), seed)


def to_json(solution: MpspSolution) -> dict[str, object]:
    """``{"shifts": int, "states": [...]}`` with every bay as lists of stacks."""
    return {
        "shifts": solution.shifts,
        "states": [[list(stack) for stack in bay] for bay in solution.states],
    }


# --- the validator ------------------------------------------------------------------------------


def validate_mpsp(instance: MpspInstance, solution: MpspSolution) -> list[str]:
    """Replay ``solution`` port by port; return every rule it breaks (empty: valid).

    Checks the shape of each bay, that it holds exactly the containers still on board,
    that each stack keeps what lay below the lowest container unloaded there, and that
    the reported shifts equal a recount: every container for a later port that lay above
    a container for port ``p`` as the bay left port ``p - 1`` was shifted at ``p``.
    """
    problems: list[str] = []
    n = instance.ports
    if len(solution.states) != max(0, n - 1):
        return [f"expected {max(0, n - 1)} states (ports 0..{n - 2}), got {len(solution.states)}"]
    previous: Bay = tuple(() for _ in range(instance.stacks))
    recount = 0
    for p, bay in enumerate(solution.states):
        if len(bay) != instance.stacks:
            problems.append(f"port {p}: {len(bay)} stacks, expected {instance.stacks}")
            return problems
        counts = [0] * n
        for s, stack in enumerate(bay):
            if len(stack) > instance.tiers:
                problems.append(f"port {p}: stack {s} is {len(stack)} high, max {instance.tiers}")
            for dest in stack:
                if not isinstance(dest, int) or not p < dest < n:
                    problems.append(f"port {p}: stack {s} holds a container for port {dest!r}")
                else:
                    counts[dest] += 1
        expected = instance.on_board(p)
        for dest in range(p + 1, n):
            if counts[dest] != expected[dest]:
                problems.append(
                    f"port {p}: {counts[dest]} containers for port {dest} on board, "
                    f"expected {expected[dest]}"
                )
        for s, (before, after) in enumerate(zip(previous, bay, strict=True)):
            lowest = before.index(p) if p in before else len(before)
            recount += sum(1 for dest in before[lowest:] if dest != p)
            if after[:lowest] != before[:lowest]:
                problems.append(
                    f"port {p}: stack {s} must keep {list(before[:lowest])} at the bottom, "
                    f"got {list(after)}"
                )
        previous = bay
    if solution.shifts != recount:
        problems.append(f"reported {solution.shifts} shifts, the replay counts {recount}")
    return problems


# --- bounds -------------------------------------------------------------------------------------


def _blockers(bay: Bay) -> int:
    """Containers above one for an earlier port: each will be shifted at least once."""
    total = 0
    for stack in bay:
        lowest = _NO_MIN
        for dest in stack:
            if dest > lowest:
                total += 1
            else:
                lowest = dest
    return total


def _load_bounds(instance: MpspInstance) -> list[int]:
    """Per port, containers loaded there that must sit above an earlier-bound one.

    The old containers may be arranged freely (a relaxation). A container for a port
    after ``t`` loaded at ``q`` blocks unless its stack holds no old container for a port
    ``<= t``; those old containers fill at least ``ceil(a_t / R)`` stacks.
    """
    n, tiers, capacity = instance.ports, instance.tiers, instance.capacity
    bounds = [0] * n
    for q in range(1, n - 1):
        old = [sum(instance.transport[i][d] for i in range(q)) if d > q else 0 for d in range(n)]
        new = instance.transport[q]
        total_old = sum(old)
        best = 0
        for t in range(q + 1, n):
            early = sum(old[q + 1 : t + 1])
            late = total_old - early
            used = -(-early // tiers)
            spare = tiers * used - early
            clean = capacity - tiers * used - max(0, late - spare)
            best = max(best, sum(new[t + 1 :]) - clean)
        bounds[q] = best
    return bounds


# --- moves --------------------------------------------------------------------------------------


def _unload(bay: Bay, port: int) -> tuple[Bay, list[int], int]:
    """Kept stacks, shifted containers and the number of shifts at ``port``."""
    kept: list[Stack] = []
    moved: list[int] = []
    for stack in bay:
        lowest = stack.index(port) if port in stack else len(stack)
        kept.append(stack[:lowest])
        moved.extend(dest for dest in stack[lowest:] if dest != port)
    return tuple(kept), moved, len(moved)


def _loads(instance: MpspInstance, port: int) -> list[int]:
    return [d for d, count in enumerate(instance.transport[port]) for _ in range(count)]


def _canonical(bay: Bay) -> Bay:
    return tuple(sorted(bay))


BlockKey = Callable[[int, int], float]
"""Rank of stack ``index`` with minimum destination ``lowest`` when a container must block."""


def _greedy_place(kept: Bay, pool: Sequence[int], tiers: int, block_key: BlockKey) -> Bay:
    """Load ``pool`` farthest-first, each on the fitting stack with the nearest minimum.

    A container fits on a stack whose containers all go to its port or later; when none
    with room fits, ``block_key`` picks the stack it will block.
    """
    stacks = [list(stack) for stack in kept]
    lowest = [min(stack) if stack else _NO_MIN for stack in kept]
    for dest in sorted(pool, reverse=True):
        fit: tuple[int, int] | None = None
        block: tuple[float, int] | None = None
        for s, stack in enumerate(stacks):
            if len(stack) >= tiers:
                continue
            if lowest[s] >= dest:
                if fit is None or lowest[s] < fit[0]:
                    fit = (lowest[s], s)
            else:
                key = block_key(s, lowest[s])
                if block is None or key < block[0]:
                    block = (key, s)
        chosen = fit[1] if fit is not None else block[1] if block is not None else -1
        if chosen < 0:
            raise AssertionError("no room left in the bay")  # capacity was checked first
        stacks[chosen].append(dest)
        lowest[chosen] = min(lowest[chosen], dest)
    return tuple(tuple(stack) for stack in stacks)


def _placements(kept: Bay, pool: Sequence[int], tiers: int) -> Iterator[Bay]:
    """Every way to put ``pool`` on top of ``kept`` (all stacks, all orders)."""
    counts: dict[int, int] = {}
    for dest in pool:
        counts[dest] = counts.get(dest, 0) + 1
    rooms = [tiers - len(stack) for stack in kept]

    def segments(room: int, exact: bool) -> Iterator[Stack]:
        if not exact:
            yield ()
        remaining = sum(counts.values())
        if room == 0 or remaining == 0:
            if exact and remaining == 0:
                yield ()
            return
        for dest in sorted(counts):
            if counts[dest] == 0:
                continue
            counts[dest] -= 1
            for rest in segments(room - 1, exact):
                yield (dest, *rest)
            counts[dest] += 1

    def fill(s: int) -> Iterator[Bay]:
        if s == len(kept):
            if sum(counts.values()) == 0:
                yield ()
            return
        if sum(counts.values()) > sum(rooms[s:]):
            return
        last = s == len(kept) - 1
        for segment in list(segments(rooms[s], last)):
            for dest in segment:
                counts[dest] -= 1
            for rest in fill(s + 1):
                yield (kept[s] + segment, *rest)
            for dest in segment:
                counts[dest] += 1

    yield from fill(0)


# --- search -------------------------------------------------------------------------------------


class _OutOfTime(Exception):
    """The search passed its deadline."""


def _noisy_key(noise: Sequence[float]) -> BlockKey:
    """Block the stack whose turn comes last, give or take a few random ports."""

    def key(s: int, lowest: int) -> float:
        return -lowest + noise[s]

    return key


def _beam_search(
    instance: MpspInstance, width: int, rng: random.Random, deadline: float
) -> tuple[int, tuple[Bay, ...]]:
    """Port by port, keep the ``width`` bays with the fewest shifts plus blockers."""
    keys: list[BlockKey] = [
        lambda s, lowest: -lowest,  # block the stack whose turn comes last
        lambda s, lowest: lowest,  # sacrifice the stack that is dug out next
    ]
    if width > 1:
        for k in range(6):
            noise = [(1 + k) * rng.random() for _ in range(instance.stacks)]
            keys.append(_noisy_key(noise))
    beam: list[tuple[int, tuple[Bay, ...]]] = [(0, ())]
    empty: Bay = tuple(() for _ in range(instance.stacks))
    for port in range(instance.ports - 1):
        found: dict[Bay, tuple[int, int, tuple[Bay, ...]]] = {}
        for cost, history in beam:
            if time.perf_counter() > deadline:
                raise _OutOfTime
            kept, moved, shifts = _unload(history[-1] if history else empty, port)
            pool = moved + _loads(instance, port)
            for key in keys:
                bay = _greedy_place(kept, pool, instance.tiers, key)
                canon = _canonical(bay)
                score = cost + shifts + _blockers(bay)
                if canon not in found or (score, cost + shifts) < found[canon][:2]:
                    found[canon] = (score, cost + shifts, (*history, bay))
        ranked = sorted(found.items(), key=lambda item: (item[1][0], item[1][1], item[0]))
        beam = [(cost, history) for _, (_, cost, history) in ranked[:width]]
    return beam[0]


def _exact_search(
    instance: MpspInstance,
    upper: int,
    later_bounds: Sequence[int],
    deadline: float,
    max_states: int,
) -> tuple[int, tuple[Bay, ...]] | None:
    """Dynamic programming over bays (stacks are interchangeable) for a plan below ``upper``.

    Returns None when none exists, which proves ``upper`` optimal. Raises
    :class:`_OutOfTime` past ``deadline`` or when a port has more than ``max_states`` bays.
    """
    empty: Bay = tuple(() for _ in range(instance.stacks))
    level: dict[Bay, tuple[int, tuple[Bay, ...]]] = {empty: (0, ())}
    for port in range(instance.ports - 1):
        following: dict[Bay, tuple[int, tuple[Bay, ...]]] = {}
        for cost, history in level.values():
            kept, moved, shifts = _unload(history[-1] if history else empty, port)
            pool = moved + _loads(instance, port)
            for bay in _placements(kept, pool, instance.tiers):
                if time.perf_counter() > deadline:
                    raise _OutOfTime
                total = cost + shifts
                if total + _blockers(bay) + later_bounds[port + 1] >= upper:
                    continue
                canon = _canonical(bay)
                if canon not in following or total < following[canon][0]:
                    following[canon] = (total, (*history, bay))
                    if len(following) > max_states:
                        raise _OutOfTime
        level = following
    if not level:
        return None
    return min(level.values(), key=lambda item: item[0])


def solve_mpsp(
    instance: MpspInstance, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[MpspSolution]:
    """Plan the bay for every port so that few containers are shifted.

    A greedy (farthest destination first, each container on the stack it blocks
    nothing in) seeds a beam search whose width doubles while time remains; small
    instances are then searched exactly. The plan is OPTIMAL when its shifts meet the
    lower bound (containers forced to block by the loads and the capacity) or the exact
    search finished; otherwise FEASIBLE. The same seed gives the same plan as long as the
    time limit does not cut the search short.

    Parameters
    ----------
    instance
        The voyage and the bay.
    time_limit_s
        Wall-clock budget in seconds (``>= 0``).
    seed
        Seeds the randomised tie-breaks of the beam search.
    """
    if time_limit_s < 0:
        raise InvalidValue(f"Expected time_limit_s >= 0, got {time_limit_s!r}")
    start = time.perf_counter()
    deadline = start + time_limit_s
    if instance.overloaded_ports():
        return Result(Status.INFEASIBLE, None, None, time.perf_counter() - start)

    bounds = _load_bounds(instance)
    later_bounds = [sum(bounds[p:]) for p in range(instance.ports + 1)]
    lower = later_bounds[0]
    rng = random.Random(seed)
    best = _beam_search(instance, 1, rng, float("inf"))
    small = instance.capacity <= 16
    beam_deadline = start + (time_limit_s / 4 if small else time_limit_s)
    width, exact_done = 1, False
    while best[0] > lower and width < 1024:
        try:
            found = _beam_search(instance, width * 4, rng, beam_deadline)
        except _OutOfTime:
            break
        width *= 4
        best = min(best, found, key=lambda item: item[0])
    if best[0] > lower and small:
        try:
            better = _exact_search(instance, best[0], later_bounds, deadline, 200_000)
        except _OutOfTime:
            pass
        else:
            exact_done = True
            if better is not None:
                best = better
    shifts, states = best
    proven = exact_done or shifts <= lower
    return Result(
        Status.OPTIMAL if proven else Status.FEASIBLE,
        float(shifts),
        MpspSolution(shifts, states),
        time.perf_counter() - start,
        bound=float(shifts if proven else lower),
        statistics={"beam_width": float(width), "lower_bound": float(lower)},
    )
