"""``opentos demo``: qianwan-1 with a full yard and a vessel alongside, then the twin.

The demo creates the terminal in a fresh database with the yard of the ZIM
Chicago record call (:func:`~opentos.operations.scenarios.zim_chicago`) and the
vessel arriving after that call, filled with a seeded, realistic mix of
containers (see :mod:`opentos.synthetic`); it records every box in the ledger
through the same checks as any other move, rebuilds the inventory from the
ledger to show the two agree, and prints a summary. Then it plans the ZIM
Chicago call (the load plan by the stowage planner, checked by the independent
validator and drawn as bay plans) and works it in the digital twin, whose quay
cranes follow the planned crane sequences; it prints the KPIs. The twin's moves,
the call's visit and its work instructions go into the same database, so the
call's EDI can be exported from it. Same seed, same terminal, same KPIs.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from opentos.cli.console import styled
from opentos.cli.progress import progress
from opentos.cli.report import terminal_tables
from opentos.model.container import Container
from opentos.model.ids import UnLocode
from opentos.model.ledger import MoveEvent
from opentos.model.places import YardPlace
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import VesselVisit, VisitPhase
from opentos.presets import load_preset
from opentos.storage.store import Store
from opentos.synthetic import ContainerFactory, batches, fill_vessel

if TYPE_CHECKING:
    from opentos.operations.scenarios import Scenario, VesselCall
    from opentos.operations.twin_study import SimulationResult

PRESET = "qianwan-1"
DEMO_TIME = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
"""Fixed clock of the demo data, so the same seed gives the same database."""
VISIT_ID = "QDX-2611E"
RECORD_SEED = 2017
"""Seed of the ZIM Chicago call and of its twin run (the record's year)."""
CALL_START = DEMO_TIME - timedelta(hours=12)
"""The ZIM Chicago call is all fast at this time and gone before the QINGDAO EXPRESS
arrives at the same berth."""
PORTS = ("CNTAO", "KRPUS", "SGSIN", "NLRTM", "DEHAM")
VESSEL_TEU = 10_000
BATCH = 2_000


def _record(
    store: Store,
    containers: list[Container],
    events: list[MoveEvent],
    label: str,
    console: Console,
    visit: VesselVisit | None = None,
) -> None:
    """Register and record in one transaction: all of it or nothing."""
    with store.transaction() as tx, progress(console, label, len(events)) as report:
        if visit is not None:
            tx.add_visit(visit)
        by_number = {c.number: c for c in containers}
        for chunk in batches(events, BATCH):
            tx.register_many([by_number[e.container] for e in chunk])
            tx.record(chunk)
            report.advance(len(chunk))


def run_demo(
    url: str,
    *,
    seed: int,
    occupancy: float,
    out: Path,
    console: Console,
    progress_console: Console,
) -> None:
    """Build the demo terminal in the database at ``url`` and print its summary."""
    from opentos.operations.scenarios import zim_chicago

    started = time.perf_counter()
    layout = load_preset(PRESET)
    made = zim_chicago(RECORD_SEED, occupancy=occupancy, start=CALL_START)
    # The other vessel's boxes get numbers of their own.
    factory = ContainerFactory(random.Random(seed), _used={str(c.number) for c in made.containers})
    with Store.create(url, layout, PRESET) as store:
        by_number = {c.number: c for c in made.containers}
        yard_containers = [by_number[n] for n, _ in made.yard]
        yard_events = [MoveEvent(n, None, YardPlace(slot), made.start) for n, slot in made.yard]
        _record(store, yard_containers, yard_events, "yard", progress_console)

        profile = vessel_class(VESSEL_TEU, name=f"post-panamax-{VESSEL_TEU}")
        berth = layout.quay.berths[0]
        arrived = DEMO_TIME + timedelta(hours=2)
        visit = VesselVisit(
            id=VISIT_ID,
            vessel_name="QINGDAO EXPRESS",
            profile=profile,
            operator="COS",
            voyage_in="2611W",
            voyage_out="2611E",
            berth=berth.id,
            planned_arrival=DEMO_TIME + timedelta(hours=1),
            planned_berthing=DEMO_TIME + timedelta(hours=1, minutes=30),
            planned_departure=DEMO_TIME + timedelta(hours=26),
        ).advance(VisitPhase.ARRIVED, arrived)
        ship_containers, ship_events = fill_vessel(VISIT_ID, profile, factory, PORTS, 0.85, arrived)
        _record(store, ship_containers, ship_events, "vessel", progress_console, visit)
        loaded = time.perf_counter() - started

        report = store.rebuild()
        for table in terminal_tables(store):
            console.print(table)
        console.print(_vessel_table(visit, ship_containers))
        console.print(_mix_table(yard_containers + ship_containers))
        state = "equals" if report.consistent else "DIFFERS FROM"
        console.print(
            f"Ledger: {report.events:,} events; the inventory rebuilt from it in "
            f"{report.seconds:.2f} s {state} the live inventory."
        )
        console.print(
            f"Built in {loaded:.1f} s (seed {seed}). Try: opentos -d {url} inventory --visit "
            f"{VISIT_ID}   |   opentos -d {url} inventory {yard_containers[0].number}"
        )
        if not report.consistent:
            raise SystemExit(1)
        _plan_call(made.calls[0], out, console)
        result = _twin_call(made, store, out, console, progress_console)
        _edi_call(made, result, out, console)
        after = store.rebuild()
        state = "equals" if after.consistent else "DIFFERS FROM"
        zim = made.calls[0].visit.id
        console.print(
            f"The twin's {len(result.events):,} moves are in {url}'s ledger too "
            f"({after.events:,} events; rebuilt, it {state} the live inventory). Try: "
            f"opentos -d {url} edi export coarri --visit {zim}"
        )
        if not after.consistent:
            raise SystemExit(1)


def _plan_call(call: VesselCall, out: Path, console: Console) -> None:
    """The ZIM Chicago call's load plan, from the stowage planner, checked and drawn."""
    from opentos.operations.planning import check_stowage, draw_stowage

    console.print(
        styled(
            "\n",
            ("Planning:", "bold"),
            " the ZIM Chicago call's load plan by the automatic stowage planner",
        )
    )
    started = time.perf_counter()
    assert call.stowage is not None
    problem, plan = call.stowage
    check = check_stowage(problem, plan)
    report, own, before = check.report, check.violations, check.arrival_violations
    draw_stowage(problem, plan, out)
    c = report.condition
    table = Table("load plan", "value", title=f"{call.visit.vessel_name} at CNTAO")
    table.add_row("discharged here", f"{len(problem.discharge):,}")
    table.add_row("loaded", f"{report.placed:,} of {len(problem.load):,}")
    table.add_row("refused (no room, no VGM)", f"{report.refused_no_room}, {report.refused_no_vgm}")
    table.add_row("hard-rule violations of the plan (independent check)", str(len(own)))
    table.add_row("... already in the arrival state", str(len(before)))
    table.add_row("overstows (lower bound)", f"{report.overstows} ({report.overstow_bound})")
    table.add_row("moves per bay section, max / mean", (
        f"{report.max_section_moves} / {report.mean_section_moves:.0f}"))  # fmt: skip
    table.add_row("GM, trim, list", f"{c.gm_m:.2f} m, {c.trim_m:+.2f} m, {c.list_deg:+.2f}°")
    console.print(table)
    console.print(
        f"Planned and checked in {time.perf_counter() - started:.1f} s; the bay plan is in "
        f"{out / 'bay_plan.png'} and {out / 'bay_plan.svg'}. The twin now works this plan, "
        "its quay cranes following the crane split and sequences of the QCSP planner."
    )


def _twin_call(
    made: Scenario, store: Store, out: Path, console: Console, progress_console: Console
) -> SimulationResult:
    """The ZIM Chicago record call in the twin, with its KPIs and plots; its moves go
    into ``store``'s ledger."""
    from opentos.cli.simulate import run_simulation

    console.print(
        styled(
            "\n",
            ("Digital twin:", "bold"),
            " the ZIM Chicago record call (1,785 moves in 2017; here the "
            "call as planned above), 5 quay cranes, 38 AGVs, at qianwan-1",
        )
    )
    return run_simulation(
        "zim-chicago", "qianwan-1", "fcfs", 38, RECORD_SEED, out, console, progress_console,
        made=made, store=store,
    )  # fmt: skip


def _edi_call(made: Scenario, result: SimulationResult, out: Path, console: Console) -> None:
    """The call's messages to the line, from the twin's ledger: COARRI and departure BAPLIE."""
    from opentos.edi.api import read_document
    from opentos.edi.envelope import MessageHeader, write_interchange
    from opentos.edi.messages.baplie import Version, baplie_interchange
    from opentos.edi.messages.coarri import write_coarri
    from opentos.edi.outbound import departure_plan, handling_reports, on_board

    call = made.calls[0]
    visit = call.visit
    port = UnLocode.parse(made.layout.un_locode)
    containers = {c.number: c for c in made.containers}
    sailed = result.start + timedelta(seconds=result.end_s)
    reports = handling_reports(
        visit, result.events, containers, port=port, reference="ZC2017", issued=sailed
    )
    coarri = write_interchange(
        [
            (MessageHeader(str(i), "COARRI", "D", "00B", "UN", "SMDG20"), write_coarri(r))
            for i, r in enumerate(reports, start=1)
        ],
        sender="OPENTOS",
        recipient=visit.operator,
        reference="ZC2017C",
        prepared=sailed,
    )
    slots = on_board(visit.id, result.events)
    plan = departure_plan(
        visit, slots, containers, port=port, document_number="ZC2017B", prepared=sailed,
        departed=sailed,
    )  # fmt: skip
    files = {"coarri.edi": coarri}
    versions: tuple[Version, ...] = ("2.2", "3.1.1")
    for version in versions:
        files[f"baplie-{version}.edi"] = baplie_interchange(
            plan, sender="OPENTOS", recipient=visit.operator, reference="ZC2017B",
            prepared=sailed, version=version,
        )  # fmt: skip
    table = Table("file", "messages", "segments", "content", "problems (strict reading)")
    for name, text in files.items():
        (out / name).write_text(text, encoding="ascii")
        document = read_document(text, strict=True, source=name)
        content = ", ".join(_describe(m.content) for m in document.messages)
        segments = sum(m.segments for m in document.messages)
        table.add_row(
            name, str(len(document.messages)), f"{segments:,}", content,
            str(len(document.problems)),
        )  # fmt: skip
    table.title = f"EDI to {visit.operator} after the call, from the twin's ledger, in {out}"
    console.print(table)


def _describe(content: object) -> str:
    from opentos.model.onboard import OnBoardPlan
    from opentos.model.orders import HandlingReport

    if isinstance(content, OnBoardPlan):
        return f"bay plan, {len(content.stowage):,} boxes on board"
    if isinstance(content, HandlingReport):
        return f"{content.kind} report, {len(content.items):,} moves"
    return type(content).__name__


def _vessel_table(visit: VesselVisit, containers: list[Container]) -> Table:
    profile = visit.profile
    table = Table(
        "port of discharge",
        "boxes",
        "TEU",
        "20'",
        "40'",
        "reefers",
        "DG",
        "tonnes",
        title=(
            f"{visit.vessel_name} ({visit.id}, {profile.name}, {profile.teu_capacity:,} TEU, "
            f"LOA {profile.loa_m:.0f} m) at berth {visit.berth}"
        ),
    )
    by_port: dict[str, list[Container]] = defaultdict(list)
    for c in containers:
        by_port[str(c.port_of_discharge)].append(c)
    for port in sorted(by_port, key=lambda p: (p != "CNTAO", p)):
        boxes = by_port[port]
        table.add_row(
            port + (" (here)" if port == "CNTAO" else ""),
            f"{len(boxes):,}",
            f"{sum(c.teu for c in boxes):,.0f}",
            f"{sum(1 for c in boxes if c.length_ft < 40):,}",
            f"{sum(1 for c in boxes if c.length_ft >= 40):,}",
            f"{sum(1 for c in boxes if c.is_reefer):,}",
            f"{sum(1 for c in boxes if c.is_dangerous):,}",
            f"{sum(c.weight_for_planning_kg or 0 for c in boxes) / 1000:,.0f}",
        )
    table.add_row(
        "all",
        f"{len(containers):,}",
        f"{sum(c.teu for c in containers):,.0f}",
        "",
        "",
        "",
        "",
        f"{sum(c.weight_for_planning_kg or 0 for c in containers) / 1000:,.0f}",
    )
    return table


def _mix_table(containers: list[Container]) -> Table:
    table = Table("ISO type", "description", "boxes", "share", title="Container mix")
    types = Counter(c.iso_type.code for c in containers)
    described = {c.iso_type.code: c.iso_type.description for c in containers}
    for code, n in types.most_common():
        table.add_row(code, described[code], f"{n:,}", f"{n / len(containers):.1%}")
    full = sum(1 for c in containers if not c.is_empty)
    table.add_row(
        "",
        f"full {full / len(containers):.0%}, dangerous goods "
        f"{sum(1 for c in containers if c.is_dangerous):,}, on hold "
        f"{sum(1 for c in containers if c.on_hold):,}",
        "",
        "",
    )
    return table
