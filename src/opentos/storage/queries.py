"""Read-only queries for the inquiry (:mod:`opentos.operations.inquiry`), paged in SQL.

Each query reads one consistent snapshot and returns plain rows; none writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from opentos.storage import schema
from opentos.storage.store import JsonDoc, Store, _translate


@dataclass(frozen=True, slots=True)
class ContainerRow:
    """A container's master data (as stored) and its place text (``None``: not in the terminal)."""

    data: JsonDoc
    place: str | None


def container_rows(
    store: Store,
    *,
    numbers: Collection[str] | None = None,
    operator: str | None = None,
    place_prefix: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[ContainerRow]:
    """Containers by number, after ``after``, at most ``limit``.

    Only those in ``numbers`` when given; only ``operator``'s; only those at a place
    whose text starts with ``place_prefix`` (``yard:A01.``, ``vessel:V1:``) when given.
    """
    c = schema.containers.c
    i = schema.inventory.c
    query = select(c.data, i.place).select_from(
        schema.containers.outerjoin(schema.inventory, i.container == c.number)
    )
    if numbers is not None:
        query = query.where(c.number.in_(sorted(numbers)))
    if operator is not None:
        query = query.where(c.operator == operator)
    if place_prefix is not None:
        query = query.where(i.place.startswith(place_prefix, autoescape=True))
    if after is not None:
        query = query.where(c.number > after)
    query = query.order_by(c.number).limit(limit)
    try:
        with store.reading() as connection:
            rows = connection.execute(query).all()
    except DBAPIError as exc:
        raise _translate(exc, "listing containers") from exc
    return [ContainerRow(data, place) for data, place in rows]


def yard_occupancy(store: Store) -> dict[str, tuple[int, int]]:
    """Boxes and TEU in each yard block that holds any: ``{block: (boxes, teu)}``."""
    c = schema.containers.c
    i = schema.inventory.c
    query = (
        select(i.place, c.length_ft)
        .select_from(schema.inventory.join(schema.containers, c.number == i.container))
        .where(i.place.startswith("yard:"))
    )
    found: dict[str, tuple[int, int]] = {}
    with store.reading() as connection:
        for place, length in connection.execute(query):
            block = place.removeprefix("yard:").partition(".")[0]
            boxes, teu = found.get(block, (0, 0))
            found[block] = (boxes + 1, teu + (2 if length >= 40 else 1))
    return found
