"""The DCSA tests' terminal (a call, a discharge, a load, gate moves) and schema checks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from fastapi import APIRouter, FastAPI, Header, HTTPException

import opentos.api.dcsa
from opentos.model.container import Container, FullEmpty
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.ledger import MoveEvent
from opentos.model.moves import MoveKind, WorkInstruction
from opentos.model.places import parse_place
from opentos.model.vessel_classes import vessel_class
from opentos.model.visits import TruckVisit, VesselVisit, VisitPhase
from opentos.presets import load_preset
from opentos.storage.store import Store

SCHEMAS = Path(opentos.api.dcsa.__file__).parent / "schemas"
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
IMO = "9321483"


def n(owner: str, serial: int) -> ContainerNumber:
    return ContainerNumber.from_parts(owner, "U", serial)


BOX_DISC = n("AAA", 1)  # AAA's, full, discharged from V1
BOX_LOAD = n("AAA", 2)  # AAA's, empty, gated in on T1, loaded onto V1
BOX_GATE = n("BBB", 3)  # BBB's, full, in the yard, gated out on T2
BOX_PLAN = n("BBB", 4)  # BBB's, on board V2, a planned discharge


@dataclass(frozen=True)
class Terminal:
    """The scenario's store and its vessel slot."""

    store: Store
    slot: str


def _box(number: ContainerNumber, iso: str, full_empty: FullEmpty) -> Container:
    return Container(
        number=number,
        iso_type=SizeType.parse(iso),
        operator=number.owner,
        full_empty=full_empty,
    )


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def build_terminal(url: str, before_moves: Callable[[Store], None] | None = None) -> Terminal:
    """The tiny terminal with vessel calls V1 (AAA's) and V2 (BBB's) and trucks T1, T2.

    ``before_moves`` runs on the empty terminal, before anything is recorded.
    """
    store = Store.create(url, load_preset("tiny"), "tiny")
    if before_moves is not None:
        before_moves(store)
    v1 = VesselVisit(
        id="V1", vessel_name="KING OF THE SEAS", profile=vessel_class(1000), operator="AAA",
        voyage_in="001W", voyage_out="001E", imo=IMO, call_sign="ABCD",
        planned_arrival=_at(0), planned_departure=_at(20),
    ).advance(VisitPhase.ARRIVED, _at(1))  # fmt: skip
    v2 = VesselVisit(
        id="V2", vessel_name="FEEDER TWO", profile=vessel_class(1000), operator="BBB",
        voyage_in="7N", planned_arrival=_at(30), planned_departure=_at(40),
    )  # fmt: skip
    slot = str(next(iter(v1.profile.slots(20))))
    t1 = TruckVisit(id="T1", licence_plate="LU B12345", planned_arrival=_at(2))
    t2 = TruckVisit(id="T2", licence_plate="LU C67890", planned_arrival=_at(5))
    with store.transaction() as tx:
        tx.add_visit(v1)
        tx.add_visit(v2)
        tx.add_visit(t1)
        tx.add_visit(t2)
        tx.register_many(
            [
                _box(BOX_DISC, "22G1", FullEmpty.FULL),
                _box(BOX_LOAD, "22G1", FullEmpty.EMPTY),
                _box(BOX_GATE, "42G1", FullEmpty.FULL),
                _box(BOX_PLAN, "22G1", FullEmpty.FULL),
            ]
        )

        def ev(box: ContainerNumber, src: str | None, dst: str | None, hours: float,
               equipment: str | None = None) -> MoveEvent:  # fmt: skip
            return MoveEvent(
                box,
                None if src is None else parse_place(src),
                None if dst is None else parse_place(dst),
                _at(hours),
                equipment,
            )

        on_board = f"vessel:V1:{slot}"
        tx.record(
            [
                ev(BOX_DISC, None, on_board, 1),  # arrives on board: not published
                ev(BOX_GATE, None, "yard:A01.002.02.1", 0.5),  # stock-take: not published
                ev(BOX_PLAN, None, f"vessel:V2:{slot}", 0.5),  # on board V2: not published
                ev(BOX_DISC, on_board, "equipment:QC01", 2, "QC01"),  # DISC
                ev(BOX_DISC, "equipment:QC01", "equipment:AGV01", 2.1, "QC01"),
                ev(BOX_DISC, "equipment:AGV01", "yard:A01.001.01.1", 2.2, "A01-W"),
                ev(BOX_LOAD, None, "equipment:T1", 3, "T1"),  # GTIN
                ev(BOX_LOAD, "equipment:T1", "yard:A01.003.01.1", 3.5, "A01-L"),  # DROP
                ev(BOX_LOAD, "yard:A01.003.01.1", "equipment:AGV02", 4, "A01-W"),
                ev(BOX_LOAD, "equipment:AGV02", "equipment:QC02", 4.2, "QC02"),
                ev(BOX_LOAD, "equipment:QC02", on_board, 4.3, "QC02"),  # LOAD
                ev(BOX_GATE, "yard:A01.002.02.1", "equipment:T2", 5, "A01-L"),  # PICK
                ev(BOX_GATE, "equipment:T2", None, 5.5, "T2"),  # GTOT
            ]
        )
        tx.save_instruction(
            WorkInstruction(
                id="WI-7",
                kind=MoveKind.DISCHARGE,
                container=BOX_PLAN,
                from_place=parse_place(f"vessel:V2:{slot}"),
                to_place=parse_place("yard:A01.005.01.1"),
                visit="V2",
                planned_start=_at(31),
            )
        )
    return Terminal(store, slot)


# -- schemas ----------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((SCHEMAS / name).read_text(encoding="utf-8"))
    # YAML reads the examples' dates as datetimes; JSON Schema knows only JSON values.
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain


TNT = _load("tnt_v2.2.0_resolved.yaml")
OVS = _load("OVS_v3.0.0.yaml")


def _validator(document: dict[str, Any], component: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def _declared(document: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """Every property name a schema declares, through its references and ``allOf``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _declared(document, document["components"]["schemas"][name])
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _declared(document, part)
    return names


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


_TNT_VALIDATORS = {
    "EQUIPMENT": _validator(TNT, "equipmentEvent"),
    "TRANSPORT": _validator(TNT, "transportEvent"),
}
_TNT_FIELDS = {
    "EQUIPMENT": _declared(TNT, _component(TNT, "equipmentEvent")),
    "TRANSPORT": _declared(TNT, _component(TNT, "transportEvent")),
}
_CALL_FIELDS = _declared(TNT, _component(TNT, "transportCall"))
_VESSEL_FIELDS = _declared(TNT, _component(TNT, "vessel"))
_LOCATION_FIELDS = _declared(TNT, _component(TNT, "location"))


def schema_errors(event: dict[str, Any]) -> list[str]:
    """What makes an event break the 2.2 schema of its type, or use a field it does not name."""
    kind = event.get("eventType")
    if kind not in _TNT_VALIDATORS:
        return [f"eventType {kind!r} is not published"]
    errors = [str(e) for e in _TNT_VALIDATORS[kind].iter_errors(event)]
    errors += [f"undeclared field {k}" for k in sorted(set(event) - _TNT_FIELDS[kind])]
    call = event.get("transportCall", {})
    errors += [f"undeclared call field {k}" for k in sorted(set(call) - _CALL_FIELDS)]
    errors += [
        f"undeclared vessel field {k}" for k in sorted(set(call.get("vessel", {})) - _VESSEL_FIELDS)
    ]
    for where in (event.get("eventLocation", {}), call.get("location", {})):
        errors += [f"undeclared location field {k}" for k in sorted(set(where) - _LOCATION_FIELDS)]
    return errors


_OVS_SCHEDULE = _validator(OVS, "ServiceSchedule")
_OVS_LOCATIONS = {
    code: jsonschema_rs.Draft202012Validator(
        {"$ref": ref, "components": OVS["components"]}, validate_formats=True
    )
    for code, ref in _component(OVS, "TransportCall")["properties"]["location"]["discriminator"][
        "mapping"
    ].items()
}


def schedule_errors(schedule: dict[str, Any]) -> list[str]:
    """What makes a service schedule break the OVS 3.0 schema.

    A call's ``location`` is checked against the schema its ``locationType``
    names (the discriminator); plain JSON Schema cannot tell a facility, which
    also has a UN/LOCODE, from a UN/LOCODE location in the ``oneOf``.
    """
    errors: list[str] = []
    bare = {
        **schedule,
        "vesselSchedules": [
            {**vs, "transportCalls": [{**c, "location": None} for c in vs["transportCalls"]]}
            for vs in schedule.get("vesselSchedules", [])
        ],
    }
    for vs in bare["vesselSchedules"]:
        for call in vs["transportCalls"]:
            del call["location"]
    errors += [str(e) for e in _OVS_SCHEDULE.iter_errors(bare)]
    for vs in schedule.get("vesselSchedules", []):
        for call in vs["transportCalls"]:
            location = call.get("location", {})
            validator = _OVS_LOCATIONS.get(location.get("locationType"))
            if validator is None:
                errors.append(f"location type of {location!r} is not in the mapping")
            else:
                errors += [str(e) for e in validator.iter_errors(location)]
    return errors


def dcsa_app(store: Store, router: Callable[..., APIRouter]) -> FastAPI:
    """A minimal app of one DCSA router: the store as a yielded dependency, the scope from an
    ``X-Line`` header (empty: 401)."""

    def get_store() -> Iterator[Store]:
        yield store

    def get_scope(x_line: str | None = Header(None)) -> str | None:
        if x_line == "":
            raise HTTPException(401, "no credentials")
        return x_line

    app = FastAPI()
    app.include_router(router(get_store, get_scope))
    return app
