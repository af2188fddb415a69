"""Helpers of the API tests: the terminal's boxes, visits and users, and the server process."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    Hold,
    HoldKind,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.places import EquipmentPlace, Place, VesselPlace, parse_place
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import RailVisit, TruckVisit, VesselVisit, VisitPhase
from opentos.operations.users import Role
from opentos.storage.store import Store

SECRET = "a-test-secret-of-more-than-thirty-two-characters"
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
LINE, OTHER_LINE = "MSC", "CMA"
HAULIER, OTHER_HAULIER = "ACME HAULAGE", "ROADRUNNER"
START_TIMEOUT_S = 30


def number(owner: str, serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts(owner, "U", serial)


# the boxes of the terminal, by role in the tests
IN_YARD = number("MSC", 1)  # MSC, on customs hold, moved twice
REEFER = number("MSC", 2)  # MSC reefer in the reefer bay
ON_BOARD = number("MSC", 3)  # MSC, dangerous goods, on board V1
OTHER_ON_BOARD = number("CMA", 4)  # CMA, on board V1
OTHER_IN_YARD = number("CMA", 5)  # CMA, in the yard, pre-notified by the haulier
ON_TRUCK = number("MSC", 6)  # MSC empty on a truck
UNKNOWN = number("MSC", 99)  # never registered
TRUCK = "TRK-0042"


def _box(n: ContainerNumber, iso: str, operator: str, **more: object) -> Container:
    return Container(
        number=n,
        iso_type=SizeType.parse(iso),
        operator=operator,
        full_empty=more.pop("full_empty", FullEmpty.FULL),  # type: ignore[arg-type]
        **more,  # type: ignore[arg-type]
    )


def populate(store: Store) -> dict[str, str]:
    """Fill the tiny terminal; returns the vessel slots used, by container number."""
    profile = vessel_class(1000)
    slots = list(itertools.islice(profile.slots(20), 2))
    v1 = VesselVisit(
        id="V1", vessel_name="TINY STAR", profile=profile, operator=LINE, voyage_in="001W",
        voyage_out="001E", berth="B01", planned_arrival=T0,
        planned_departure=T0 + timedelta(days=1),
    )  # fmt: skip
    visits = [
        v1.advance(VisitPhase.ARRIVED, T0 + timedelta(hours=1)),
        VesselVisit(
            id="V2",
            vessel_name="LATER STAR",
            profile=profile,
            operator=OTHER_LINE,
            planned_arrival=T0 + timedelta(days=10),
            planned_departure=T0 + timedelta(days=11),
        ),
        RailVisit(id="R1", train="TR-7", planned_arrival=T0 + timedelta(hours=3)),
        TruckVisit(
            id="T1",
            licence_plate="TRUCK 1",
            haulier=HAULIER,
            planned_arrival=T0 + timedelta(hours=2),
        ),
        TruckVisit(
            id="T2",
            licence_plate="TRUCK 2",
            haulier=OTHER_HAULIER,
            planned_arrival=T0 + timedelta(hours=4),
        ),
    ]
    nlrtm, sgsin = UnLocode.parse("NLRTM"), UnLocode.parse("SGSIN")
    boxes = [
        _box(IN_YARD, "22G1", LINE, gross_weight_kg=20_000, vgm_kg=20_100,
             port_of_discharge=nlrtm, holds=(Hold(HoldKind.CUSTOMS, "inspection"),)),
        _box(REEFER, "22R1", LINE, reefer=ReeferSetting(-18.0), port_of_discharge=sgsin),
        _box(ON_BOARD, "22G1", LINE, port_of_discharge=sgsin,
             dangerous_goods=(DangerousGoods("3", 1203, PackingGroup.II),)),
        _box(OTHER_ON_BOARD, "22G1", OTHER_LINE, port_of_discharge=nlrtm),
        _box(OTHER_IN_YARD, "22G1", OTHER_LINE),
        _box(ON_TRUCK, "22G1", LINE, full_empty=FullEmpty.EMPTY),
    ]  # fmt: skip
    vessel = {ON_BOARD: slots[0], OTHER_ON_BOARD: slots[1]}

    def ev(n: ContainerNumber, src: Place | None, dst: Place | None, hours: int) -> MoveEvent:
        return MoveEvent(n, src, dst, T0 + timedelta(hours=hours))

    truck = EquipmentPlace(TRUCK)
    with store.transaction() as tx:
        for visit in visits:
            tx.add_visit(visit)
        tx.register_many(boxes)
        tx.record([ev(IN_YARD, None, truck, 1)])
        tx.record([ev(IN_YARD, truck, parse_place("yard:A01.001.01.1"), 2)])
        tx.record(
            [ev(IN_YARD, parse_place("yard:A01.001.01.1"), parse_place("yard:A01.001.02.1"), 3)]
        )
        tx.record([ev(REEFER, None, parse_place("yard:A01.011.01.1"), 2)])
        tx.record([ev(OTHER_IN_YARD, None, parse_place("yard:A01.003.02.1"), 2)])
        for n, slot in vessel.items():
            tx.record([ev(n, None, VesselPlace("V1", slot), 1)])
        tx.record([ev(ON_TRUCK, None, truck, 4)])
        tx.save_document(
            "pre_notification", "PN1", None,
            {"reference": "PN1", "haulier": HAULIER,
             "items": [{"container": {"number": str(OTHER_IN_YARD)}}]},
        )  # fmt: skip
    return {str(n): str(s) for n, s in vessel.items()}


# the users: one per role, the line and the haulier with a colleague of another party
USERS: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.ADMIN, None),
    "planner": (Role.PLANNER, None),
    "gate": (Role.GATE, None),
    "customs": (Role.CUSTOMS, None),
    "line": (Role.LINE, LINE),
    "other-line": (Role.LINE, OTHER_LINE),
    "haulier": (Role.HAULIER, HAULIER),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``opentos serve`` and what the tests need to talk to it."""

    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    slots: dict[str, str] = field(default_factory=dict)
    _http: httpx.Client | None = None

    def client(self, user: str | None = None) -> httpx.Client:
        headers = {} if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10)

    def get(self, user: str | None, path: str, **params: str | int) -> httpx.Response:
        """GET ``path`` as ``user`` (``None``: without credentials)."""
        headers = {} if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}
        return self.http.get(path, headers=headers, params=params)

    @property
    def http(self) -> httpx.Client:
        """One keep-alive client for the whole session."""
        if self._http is None:
            self._http = httpx.Client(base_url=self.url, timeout=10)
        return self._http


def start_server(database_url: str, log: Path, *more: str) -> Server:
    """Start ``opentos serve`` on a free port and wait until ``/health`` answers."""
    port = free_port()
    env = {
        **os.environ,
        "OPENTOS_SECRET_KEY": SECRET,
        "OPENTOS_ENVIRONMENT": "production",
    }
    env.pop("OPENTOS_DATABASE_URL", None)
    out = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "opentos", "-d", database_url, "serve", "--port", str(port), *more],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()
    server = Server(f"http://127.0.0.1:{port}", database_url, process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop_server(server)
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    pytest.fail(f"the server did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    """Stop the server's process, killing it if it does not stop in time."""
    if server._http is not None:
        server._http.close()
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def login(server: Server, name: str, password: str) -> str:
    response = httpx.post(
        f"{server.url}/token", data={"username": name, "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
