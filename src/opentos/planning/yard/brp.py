"""The restricted block relocation problem (BRP) of Caserta, Schwarze and Voß (2011).

W stacks hold blocks numbered 1 ... N that leave in that order. The next block to leave
is retrieved as soon as it is on top of its stack; otherwise the block on top of it is
relocated to another stack (the *restricted* rule: only blockers of the next block move).
No stack may grow above ``max_height`` (Caserta's H + 2, H the tallest initial stack).
The objective is the number of relocations.

File format (Caserta et al. 2011)::

    W N
    h p_1 ... p_h        one line per stack, bottom to top

:func:`solve_brp` is exact: a pilot heuristic gives an upper bound, then iterative
deepening A* (IDA*) with a transposition table proves optimality or runs out of time.
:func:`validate_brp` replays a solution independently of the solver.
"""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from opentos.errors import DataImportError, InvalidValue
from opentos.planning.result import Result, Status

__all__ = [
    "BrpInstance",
    "BrpMove",
    "BrpSolution",
    "MoveKind",
    "format_brp",
    "generate_brp",
    "lower_bound",
    "parse_brp",
    "solve_brp",
    "to_json",
    "validate_brp",
]

MoveKind = Literal["relocate", "retrieve"]

_INF = 1 << 60
_FOUND = -1
_MEMO_LIMIT = 1_000_000
"""Transposition-table entries kept before the table is flushed (about 150 MB)."""
_CLOCK_EVERY = 512
"""Search nodes between two looks at the clock."""


# --- problem and solution --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrpInstance:
    """A bay of ``len(stacks)`` stacks, each a tuple of block numbers from bottom to top."""

    stacks: tuple[tuple[int, ...], ...]
    max_height: int

    def __post_init__(self) -> None:
        problems = _instance_problems(self.stacks, self.max_height)
        if problems:
            raise InvalidValue("; ".join(problems))

    @property
    def n_stacks(self) -> int:
        """W, the number of stacks."""
        return len(self.stacks)

    @property
    def n_blocks(self) -> int:
        """N, the number of blocks."""
        return sum(len(stack) for stack in self.stacks)


@dataclass(frozen=True, slots=True)
class BrpMove:
    """Relocate the top ``block`` of ``from_stack`` onto ``to_stack``, or retrieve it."""

    kind: MoveKind
    from_stack: int
    block: int
    to_stack: int | None = None

    def to_json(self) -> dict[str, int | str]:
        """The move as ``{"type": "relocate", "from": s, "to": s2}`` or retrieve without "to".

        The block number is left out, as in the published solution format.
        """
        if self.kind == "retrieve" or self.to_stack is None:
            return {"type": self.kind, "from": self.from_stack}
        return {"type": self.kind, "from": self.from_stack, "to": self.to_stack}


@dataclass(frozen=True, slots=True)
class BrpSolution:
    """Every move in order, retrievals included; ``relocations`` is the objective."""

    relocations: int
    moves: tuple[BrpMove, ...]


def to_json(solution: BrpSolution) -> dict[str, int | list[dict[str, int | str]]]:
    """The solution as ``{"relocations": int, "moves": [...]}`` (stacks 0-based)."""
    return {
        "relocations": solution.relocations,
        "moves": [move.to_json() for move in solution.moves],
    }


def _instance_problems(stacks: Sequence[Sequence[int]], max_height: int) -> list[str]:
    problems: list[str] = []
    if not stacks:
        problems.append("expected at least one stack, got 0")
    if max_height < 0:
        problems.append(f"max_height {max_height} is negative")
    n_blocks = sum(len(stack) for stack in stacks)
    seen: set[int] = set()
    for index, stack in enumerate(stacks):
        if len(stack) > max_height:
            problems.append(
                f"stack {index} holds {len(stack)} blocks, above max_height {max_height}"
            )
        for block in stack:
            if not 1 <= block <= n_blocks:
                problems.append(f"block {block} in stack {index} is outside 1..{n_blocks}")
            elif block in seen:
                problems.append(f"block {block} appears twice")
            seen.add(block)
    return problems


# --- text format -----------------------------------------------------------------------------


def parse_brp(text: str, source: str = "<string>", *, max_height: int | None = None) -> BrpInstance:
    """Read an instance in Caserta's format.

    Parameters
    ----------
    text
        ``W N`` on the first line, then one line ``h p_1 ... p_h`` per stack (bottom to top).
        Blank lines are skipped.
    source
        Name of the text (a file name) for error messages.
    max_height
        Stack height limit; by default H + 2 with H the tallest initial stack.

    Raises
    ------
    DataImportError
        Listing every problem found, each naming its line and value.
    """
    lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, fields) for number, fields in lines if fields]
    problems: list[str] = []
    if not lines:
        raise DataImportError(source, ["empty input: expected a line 'W N'"])

    def integer(number: int, value: str, what: str) -> int | None:
        try:
            return int(value)
        except ValueError:
            problems.append(f"line {number}: {what} {value!r} is not an integer")
            return None

    header_line, header = lines[0]
    if len(header) != 2:
        problems.append(f"line {header_line}: expected 'W N', got {' '.join(header)!r}")
        raise DataImportError(source, problems)
    w = integer(header_line, header[0], "stack count W")
    n = integer(header_line, header[1], "block count N")
    if w is not None and w < 1:
        problems.append(f"line {header_line}: stack count W {w} must be at least 1")
    if n is not None and n < 0:
        problems.append(f"line {header_line}: block count N {n} must not be negative")
    if problems or w is None or n is None:
        raise DataImportError(source, problems)

    body = lines[1:]
    if len(body) != w:
        where = f"line {body[w][0]}" if len(body) > w else f"line {header_line}"
        problems.append(f"{where}: expected {w} stack lines (W = {w}), found {len(body)}")

    stacks: list[tuple[int, ...]] = []
    first_seen: dict[int, int] = {}
    for number, fields in body[:w]:
        height = integer(number, fields[0], "stack height")
        if height is None:
            continue
        if height < 0:
            problems.append(f"line {number}: stack height {height} is negative")
            continue
        if len(fields) - 1 != height:
            problems.append(
                f"line {number}: stack height {height} but {len(fields) - 1} block number(s) follow"
            )
        blocks: list[int] = []
        for value in fields[1:]:
            block = integer(number, value, "block number")
            if block is None:
                continue
            if not 1 <= block <= n:
                problems.append(f"line {number}: block number {block} is outside 1..{n}")
            elif block in first_seen:
                problems.append(
                    f"line {number}: block number {block} already on line {first_seen[block]}"
                )
            else:
                first_seen[block] = number
            blocks.append(block)
        stacks.append(tuple(blocks))

    total = sum(len(stack) for stack in stacks)
    if not problems and total != n:
        problems.append(f"line {header_line}: N = {n} but the stacks hold {total} blocks")
    if not problems:
        missing = [block for block in range(1, n + 1) if block not in first_seen]
        if missing:
            shown = ", ".join(map(str, missing[:10]))
            problems.append(f"line {header_line}: block number(s) {shown} missing (N = {n})")
    if problems:
        raise DataImportError(source, problems)

    tallest = max((len(stack) for stack in stacks), default=0)
    limit = tallest + 2 if max_height is None else max_height
    if limit < tallest:
        raise DataImportError(source, [f"max_height {limit} is below the tallest stack {tallest}"])
    return BrpInstance(tuple(stacks), limit)


def format_brp(instance: BrpInstance) -> str:
    """The instance in Caserta's format; ``parse_brp`` reads it back (height limit H + 2)."""
    lines = [f"{instance.n_stacks} {instance.n_blocks}"]
    lines.extend(" ".join(map(str, (len(stack), *stack))) for stack in instance.stacks)
    return "\n".join(lines) + "\n"


def generate_brp(w: int, h: int, seed: int) -> BrpInstance:
    """W full stacks of height H holding 1 ... W*H in a random order, as Caserta's instances.

    The same ``(w, h, seed)`` always gives the same instance; ``max_height`` is H + 2.
    """
    if w < 1:
        raise InvalidValue(f"Expected w >= 1, got {w}.")
    if h < 0:
        raise InvalidValue(f"Expected h >= 0, got {h}.")
    blocks = list(range(1, w * h + 1))
    random.Random(seed).shuffle(blocks)
    stacks = tuple(tuple(blocks[i * h : (i + 1) * h]) for i in range(w))
    return BrpInstance(stacks, h + 2)


# --- validator -------------------------------------------------------------------------------


def validate_brp(instance: BrpInstance, solution: BrpSolution) -> list[str]:
    """Replay ``solution`` on ``instance``; every broken rule, empty when the solution is valid.

    Checks the restricted rule (only the block on top of the next block to leave moves, and
    only while that block is buried), the height limit, that retrievals take the next block
    from the top of its stack, that every block leaves in order and that ``relocations``
    counts the relocations. The replay stops at the first illegal move.
    """
    problems: list[str] = []
    stacks = [list(stack) for stack in instance.stacks]
    w = len(stacks)
    n_blocks = instance.n_blocks
    next_block = 1
    relocations = 0
    for index, move in enumerate(solution.moves):
        where = f"move {index} ({move.kind} from {move.from_stack})"
        if not 0 <= move.from_stack < w:
            problems.append(f"{where}: stack {move.from_stack} does not exist")
            break
        source = stacks[move.from_stack]
        if not source:
            problems.append(f"{where}: stack {move.from_stack} is empty")
            break
        top = source[-1]
        if top != move.block:
            problems.append(f"{where}: moves block {move.block} but block {top} is on top")
            break
        if move.kind == "retrieve":
            if top != next_block:
                problems.append(f"{where}: retrieves block {top} but block {next_block} is next")
                break
            source.pop()
            next_block += 1
        elif move.kind == "relocate":
            if next_block not in source or top == next_block:
                problems.append(
                    f"{where}: block {top} does not bury block {next_block}, the next to leave"
                )
                break
            target = move.to_stack
            if target is None or not 0 <= target < w or target == move.from_stack:
                problems.append(f"{where}: destination stack {target} is invalid")
                break
            if len(stacks[target]) >= instance.max_height:
                problems.append(
                    f"{where}: stack {target} is full (max_height {instance.max_height})"
                )
                break
            stacks[target].append(source.pop())
            relocations += 1
        else:
            problems.append(f"{where}: unknown move kind {move.kind!r}")
            break
    if not problems and next_block <= n_blocks:
        problems.append(f"blocks {next_block}..{n_blocks} are never retrieved")
    if relocations != solution.relocations and not problems:
        problems.append(
            f"solution claims {solution.relocations} relocations but makes {relocations}"
        )
    return problems


# --- bounds and heuristics -------------------------------------------------------------------


def lower_bound(instance: BrpInstance) -> int:
    """A lower bound on the relocations: LB1 plus the look-ahead of Zhu et al. (see below)."""
    return _lower_bound(instance.stacks, 1, instance.n_blocks, instance.max_height)


def _lower_bound(
    stacks: Sequence[Sequence[int]], first: int, n_blocks: int, max_height: int
) -> int:
    """LB1 plus the blockers that must move twice, in the spirit of LB3 of Zhu et al. (2012).

    LB1 counts the blocks above a smaller block: each moves at least once. Then the
    retrievals are simulated with every blocker of the next block deleted once relocated.
    A blocker larger than the minimum of every other stack that could take it (not full in
    the simulation) is a blocker again wherever it lands, so it moves at least twice. The
    real bay holds the simulated one's blocks plus the relocated ones, so its minima are no
    larger and its stacks no lower: each blocker counted is counted rightly, and only once.
    """
    w = len(stacks)
    big = n_blocks + 1
    stack_of = [0] * (n_blocks + 1)
    pos_of = [0] * (n_blocks + 1)
    prefix_min: list[list[int]] = []
    heights: list[int] = []
    bound = 0
    for index, stack in enumerate(stacks):
        low = big
        minima = [big]
        for pos, block in enumerate(stack):
            if block > low:
                bound += 1
            else:
                low = block
            minima.append(low)
            stack_of[block] = index
            pos_of[block] = pos
        prefix_min.append(minima)
        heights.append(len(stack))
    if w < 2:
        return bound
    others = range(w)
    for block in range(first, n_blocks + 1):
        s = stack_of[block]
        pos = pos_of[block]
        height = heights[s]
        if pos >= height:
            continue  # relocated as a blocker earlier in the simulation
        if height - pos > 1:
            best = -1
            for t in others:
                if t != s and heights[t] < max_height:
                    low = prefix_min[t][heights[t]]
                    best = max(best, low)
            stack = stacks[s]
            for q in range(pos + 1, height):
                if stack[q] > best:
                    bound += 1
        heights[s] = pos
    return bound


def _ranked_targets(
    stacks: Sequence[Sequence[int]], s: int, block: int, max_height: int
) -> list[int]:
    """Stacks that can take ``block`` from stack ``s``, best first (min-max rule).

    Stacks whose minimum is above the block come first, the smallest such minimum first, so
    that the block will not block again and roomy stacks are saved for later; an empty stack
    counts as minimum infinity and only the first empty stack is offered (they are alike).
    Then the other stacks, the largest minimum first, to put off the next relocation. Ties
    go to the lower stack index.
    """
    fits: list[tuple[int, int]] = []
    others: list[tuple[int, int]] = []
    empty_seen = False
    for t, stack in enumerate(stacks):
        if t == s or len(stack) >= max_height:
            continue
        if not stack:
            if empty_seen:
                continue
            empty_seen = True
            fits.append((_INF, t))
            continue
        low = min(stack)
        if low > block:
            fits.append((low, t))
        else:
            others.append((-low, t))
    fits.sort()
    others.sort()
    return [t for _, t in fits] + [t for _, t in others]


def _retrieve(stacks: list[list[int]], where: list[int], block: int, n_blocks: int) -> int:
    """Retrieve while the next block is on top; the new next block."""
    while block <= n_blocks and stacks[where[block]][-1] == block:
        stacks[where[block]].pop()
        block += 1
    return block


def _locate(stacks: Sequence[Sequence[int]], n_blocks: int) -> list[int]:
    where = [0] * (n_blocks + 1)
    for index, stack in enumerate(stacks):
        for block in stack:
            where[block] = index
    return where


def _greedy(
    stacks: list[list[int]], where: list[int], block: int, n_blocks: int, max_height: int
) -> int | None:
    """Relocations the min-max rule needs from this state (changed in place); None if stuck."""
    relocations = 0
    block = _retrieve(stacks, where, block, n_blocks)
    while block <= n_blocks:
        s = where[block]
        top = stacks[s][-1]
        targets = _ranked_targets(stacks, s, top, max_height)
        if not targets:
            return None
        t = targets[0]
        stacks[t].append(stacks[s].pop())
        where[top] = t
        relocations += 1
        block = _retrieve(stacks, where, block, n_blocks)
    return relocations


def _pilot(instance: BrpInstance, deadline: float) -> list[tuple[int, int]] | None:
    """Relocations of the pilot method: try every destination, finish each greedily, keep the best.

    Never worse than the plain min-max rule; past ``deadline`` it finishes with that rule.
    """
    n_blocks = instance.n_blocks
    max_height = instance.max_height
    stacks = [list(stack) for stack in instance.stacks]
    where = _locate(stacks, n_blocks)
    path: list[tuple[int, int]] = []
    block = _retrieve(stacks, where, 1, n_blocks)
    while block <= n_blocks:
        s = where[block]
        top = stacks[s][-1]
        targets = _ranked_targets(stacks, s, top, max_height)
        if not targets:
            return None
        chosen = targets[0]
        if len(targets) > 1 and time.perf_counter() < deadline:
            best = _INF
            for t in targets:
                trial = [list(stack) for stack in stacks]
                trial_where = where.copy()
                trial[t].append(trial[s].pop())
                trial_where[top] = t
                rest = _greedy(trial, trial_where, block, n_blocks, max_height)
                if rest is not None and rest < best:
                    best, chosen = rest, t
            if best == _INF:
                return None
        stacks[chosen].append(stacks[s].pop())
        where[top] = chosen
        path.append((s, chosen))
        block = _retrieve(stacks, where, block, n_blocks)
    return path


# --- exact search ----------------------------------------------------------------------------


class _Timeout(Exception):
    """The time limit passed during the search."""


class _Search:
    """IDA* over relocations; retrievals are free and made as soon as possible.

    The transposition table maps a state, with stacks sorted (stacks are interchangeable),
    to a proven lower bound on its remaining relocations, raised whenever an iteration
    fails below it; so a state met again at the same or a larger depth is cut at once.
    """

    def __init__(self, instance: BrpInstance, deadline: float) -> None:
        self.n_blocks = instance.n_blocks
        self.max_height = instance.max_height
        self.stacks = [list(stack) for stack in instance.stacks]
        self.where = _locate(self.stacks, self.n_blocks)
        self.deadline = deadline
        self.memo: dict[bytes, int] = {}
        self.path: list[tuple[int, int]] = []
        self.nodes = 0
        self.wide = self.n_blocks > 255

    def key(self) -> bytes:
        if self.wide:
            parts = sorted(array("H", stack).tobytes() for stack in self.stacks)
            return b"\0\0".join(parts)
        return b"\0".join(sorted(bytes(stack) for stack in self.stacks))

    def estimate(self, block: int) -> int:
        known = self.memo.get(self.key())
        if known is not None:
            return known
        return _lower_bound(self.stacks, block, self.n_blocks, self.max_height)

    def dfs(self, block: int, depth: int, threshold: int) -> int:
        """_FOUND, or the least f-value above ``threshold`` met (_INF for a dead end)."""
        self.nodes += 1
        if self.nodes % _CLOCK_EVERY == 0 and time.perf_counter() > self.deadline:
            raise _Timeout
        stacks = self.stacks
        where = self.where
        n_blocks = self.n_blocks
        key = self.key()
        remaining = self.memo.get(key)
        if remaining is None:
            remaining = _lower_bound(stacks, block, n_blocks, self.max_height)
        if depth + remaining > threshold:
            return depth + remaining
        s = where[block]
        source = stacks[s]
        top = source[-1]
        least = _INF
        for t in _ranked_targets(stacks, s, top, self.max_height):
            stacks[t].append(source.pop())
            where[top] = t
            self.path.append((s, t))
            after = _retrieve(stacks, where, block, n_blocks)
            if after > n_blocks:
                return _FOUND
            found = self.dfs(after, depth + 1, threshold)
            if found == _FOUND:
                return _FOUND
            for back in range(after - 1, block - 1, -1):
                stacks[where[back]].append(back)
            source.append(stacks[t].pop())
            where[top] = s
            self.path.pop()
            least = min(least, found)
        if len(self.memo) >= _MEMO_LIMIT:
            self.memo.clear()
        self.memo[key] = least - depth if least < _INF else _INF
        return least


def _expand(instance: BrpInstance, relocations: Sequence[tuple[int, int]]) -> BrpSolution:
    """The full move list: each relocation followed by the retrievals it allows."""
    n_blocks = instance.n_blocks
    stacks = [list(stack) for stack in instance.stacks]
    where = _locate(stacks, n_blocks)
    moves: list[BrpMove] = []
    block = 1

    def retrieve_all() -> None:
        nonlocal block
        while block <= n_blocks and stacks[where[block]][-1] == block:
            moves.append(BrpMove("retrieve", where[block], block))
            stacks[where[block]].pop()
            block += 1

    retrieve_all()
    for s, t in relocations:
        top = stacks[s].pop()
        stacks[t].append(top)
        where[top] = t
        moves.append(BrpMove("relocate", s, top, t))
        retrieve_all()
    return BrpSolution(len(relocations), tuple(moves))


def solve_brp(
    instance: BrpInstance, *, time_limit_s: float = 10.0, seed: int = 0
) -> Result[BrpSolution]:
    """Minimise the relocations of the restricted BRP.

    First the pilot method (min-max rule with one-step look-ahead) gives an upper bound;
    then IDA* on the lower bound of :func:`lower_bound`, with a transposition table, raises
    the threshold one f-value at a time until a solution appears or the threshold reaches
    the upper bound (then the heuristic solution is optimal).

    Parameters
    ----------
    instance
        The bay.
    time_limit_s
        Wall-clock limit; when it passes the best solution found so far is returned.
    seed
        Accepted for the common planner signature; the solver is deterministic and has no
        random choices (ties go to the lower stack index).

    Returns
    -------
    Result[BrpSolution]
        OPTIMAL when the search completed; FEASIBLE with the heuristic solution at the time
        limit (``bound`` is the proven lower bound); INFEASIBLE when the height limit leaves
        no way to retrieve every block; UNKNOWN at the time limit with no solution.
    """
    del seed  # deterministic: see the docstring
    if time_limit_s < 0:
        raise InvalidValue(f"Expected time_limit_s >= 0, got {time_limit_s}.")
    start = time.perf_counter()
    deadline = start + time_limit_s

    pilot = _pilot(instance, start + time_limit_s / 4)
    upper = _INF if pilot is None else len(pilot)
    search = _Search(instance, deadline)
    first = _retrieve(search.stacks, search.where, 1, search.n_blocks)
    threshold = 0 if first > search.n_blocks else search.estimate(first)
    root_bound = threshold
    best = pilot
    timed_out = False
    iterations = 0
    try:
        while threshold < upper:
            iterations += 1
            found = search.dfs(first, 0, threshold)
            if found == _FOUND:
                best = list(search.path)
                upper = len(best)
                break
            threshold = found
    except _Timeout:
        timed_out = True

    statistics = {
        "nodes": float(search.nodes),
        "iterations": float(iterations),
        "root_lower_bound": float(root_bound),
        "pilot_relocations": float(len(pilot)) if pilot is not None else -1.0,
        "memo_states": float(len(search.memo)),
    }
    runtime_s = time.perf_counter() - start
    if best is None:
        if timed_out:
            return Result(Status.UNKNOWN, None, None, runtime_s, float(threshold), statistics)
        return Result(Status.INFEASIBLE, None, None, runtime_s, None, statistics)
    solution = _expand(instance, best)
    status = Status.FEASIBLE if timed_out else Status.OPTIMAL
    bound = float(min(threshold, upper)) if timed_out else float(upper)
    return Result(status, float(upper), solution, runtime_s, bound, statistics)
