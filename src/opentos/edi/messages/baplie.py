"""BAPLIE, the bay plan: tables, reading and writing for SMDG versions 1.5 to 3.1.1.

=========  ==========  ===================  =========================================
version    directory   UNH 0057             shape
=========  ==========  ===================  =========================================
1.5        1:911       ``SMDG15``           a group per slot; gross weight only
1.5, 1.6   D.95B       ``SMDG15``,          as 1.5 on the D.95B directory
                       ``SMDG16``
2.1.1      D.95B       ``SMDG20``           a group per slot; gross weight only
2.1        D.95B       ``SMDG21``           as 2.1.1
2.2        D.95B       ``SMDG22``           as 2.1.1, plus the VGM (``MEA+VGM``)
2          D.95B       none                 read as 2.2 (a file naming no guide)
3.0, 3.1.1 D.13B       ``SMDG30``,          a group per slot, a group per box in it;
                       ``SMDG31``,          lost and blocked slots; ``CNT+8``
                       ``SMDG311``
=========  ==========  ===================  =========================================

:func:`read_baplie` maps any of them to an :class:`~opentos.model.onboard.OnBoardPlan`;
:func:`write_baplie` writes one in the version asked for (:data:`VERSIONS`). The tables
and the mapping of each family are in :mod:`.baplie2` and :mod:`.baplie3`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Literal

from opentos.edi.envelope import Message, MessageHeader, write_interchange
from opentos.edi.messages import baplie2, baplie3
from opentos.edi.problems import Problems
from opentos.edi.structure import MessageSpec
from opentos.edi.syntax import Segment
from opentos.errors import EdiError, InvalidValue
from opentos.model.container import (
    Container,
    DangerousGoods,
    FullEmpty,
    OutOfGauge,
    PackingGroup,
    ReeferSetting,
)
from opentos.model.ids import ContainerNumber, UnLocode
from opentos.model.iso_types import SizeType
from opentos.model.onboard import OnBoardPlan, Stowed
from opentos.model.slots import BayRowTier

Version = Literal["1.5", "1.6", "2.1", "2.1.1", "2.2", "3.1.1"]
VERSIONS: tuple[Version, ...] = ("1.5", "1.6", "2.1", "2.1.1", "2.2", "3.1.1")
"""The versions OpenTOS writes; each table of :data:`SPECS` is written by one at least."""

SPECS: tuple[MessageSpec, ...] = (
    baplie2.SPEC,
    baplie2.SPEC_1_D95B,
    baplie2.SPEC_1_5,
    baplie3.SPEC,
)

_DIRECTORIES: dict[Version, tuple[str, str]] = {"1.5": ("1", "911"), "3.1.1": ("D", "13B")}
"""UNH 0052/0054 of the versions not on D.95B."""

_NAMES = {
    "SMDG15": "1.5",
    "SMDG16": "1.6",
    "SMDG20": "2.1.1",
    "SMDG21": "2.1",
    "SMDG22": "2.2",
    "SMDG30": "3.0",
    "SMDG31": "3.1.1",
    "SMDG311": "3.1.1",
}


def version_of(message: Message) -> str:
    """The BAPLIE version of a read message, from its directory and association code.

    A code OpenTOS does not know is named by the family of its directory (``2``, ``3``).
    """
    header = message.header
    if header.directory == "1911":
        return "1.5"
    name = _NAMES.get(header.association)
    if header.directory == "D13B":
        return name if name is not None and name.startswith("3") else "3"
    return name if name is not None and not name.startswith("3") else "2"


def read_baplie(message: Message, problems: Problems) -> OnBoardPlan:
    """Map a read BAPLIE message (any version of :data:`SPECS`) to an on-board plan.

    Problems (bad values, a slot or a container given twice …) go to
    ``problems``, naming segment, element and value; what they concern is left
    out and the rest is read. A strict ``problems`` raises at the first one.

    Raises
    ------
    EdiError
        When the message could not be read into a BAPLIE tree at all.
    """
    if message.tree is None or message.spec is None or message.spec.type != "BAPLIE":
        problems.error(
            f"message {message.header.reference} is not a BAPLIE OpenTOS reads",
            at=message.unh,
            element="2",
        )
        raise EdiError(problems.source, [str(p) for p in problems.errors])
    if message.spec.version == "D13B":
        return baplie3.read(message, problems)
    return baplie2.read(message, problems)


def write_baplie(plan: OnBoardPlan, version: Version = "2.2") -> list[Segment]:
    """The body of a BAPLIE message (UNH/UNT excluded) in the SMDG ``version`` asked for.

    Raises
    ------
    InvalidValue
        When the version is unknown, or the plan lacks what that version's guide
        makes mandatory (see :func:`.baplie2.write` and :func:`.baplie3.write`).
    """
    if version == "3.1.1":
        return baplie3.write(plan)
    if version in baplie2.ASSOCIATIONS:
        return baplie2.write(plan, version)
    raise InvalidValue(f"BAPLIE version {version!r} must be one of {', '.join(VERSIONS)}")


def baplie_header(version: Version, reference: str = "1") -> MessageHeader:
    """The ``UNH`` message identifier of a BAPLIE version."""
    if version == "3.1.1":
        return MessageHeader(reference, "BAPLIE", "D", "13B", "UN", baplie3.ASSOCIATION)
    if version in baplie2.ASSOCIATIONS:
        directory, release = _DIRECTORIES.get(version, ("D", "95B"))
        association = baplie2.ASSOCIATIONS[version]
        return MessageHeader(reference, "BAPLIE", directory, release, "UN", association)
    raise InvalidValue(f"BAPLIE version {version!r} must be one of {', '.join(VERSIONS)}")


def baplie_interchange(
    plan: OnBoardPlan,
    *,
    sender: str,
    recipient: str,
    reference: str,
    prepared: datetime,
    version: Version = "2.2",
) -> str:
    """A whole interchange (UNA … UNZ) holding the plan as one BAPLIE message."""
    body = write_baplie(plan, version)
    return write_interchange(
        [(baplie_header(version), body)],
        sender=sender,
        recipient=recipient,
        reference=reference,
        prepared=prepared,
    )


# ---------------------------------------------------------------- synthetic plans

_OPERATORS = ("MSC", "MSK", "CMA", "COS", "HLC", "ONE", "EMC", "ZIM")
_OWNERS = ("MSC", "MSK", "CMA", "CSN", "HLX", "ONE", "EGH", "ZIM")
_PORTS = tuple(UnLocode.parse(p) for p in ("CNTAO", "CNSHA", "KRPUS", "SGSIN", "NLRTM", "DEHAM"))
_TYPES_20 = tuple(SizeType.parse(t) for t in ("22G1", "22G1", "22G1", "22R1", "22T6", "22P1"))
_TYPES_40 = tuple(SizeType.parse(t) for t in ("42G1", "45G1", "45G1", "45R1", "42P1", "42U1"))
_ROWS = 20
_TIERS = (2, 4, 6, 8, 10, 12, 14, 16, 18, 82, 84, 86, 88, 90, 92, 94, 96)


def generate_onboard_plan(n_slots: int, seed: int) -> OnBoardPlan:
    """A plausible plan with ``n_slots`` occupied slots, the same for the same seed.

    Odd bays hold 20-foot boxes and even bays 40-foot ones (bays 1, 2, 5, 6 …);
    about one box in ten is a running reefer, one in twenty-five carries
    dangerous goods, flat racks and open tops carry out-of-gauge cargo and about
    one in eight boxes is empty. Meant for benchmarks and demonstrations.
    """
    rng = random.Random(seed)
    per_bay = _ROWS * len(_TIERS)
    base = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    stowage: list[Stowed] = []
    for i in range(n_slots):
        b, k = divmod(i, per_bay)
        bay = 2 * b + 1 if b % 2 == 0 else 2 * b
        position = BayRowTier(bay, k // len(_TIERS) + 1, _TIERS[k % len(_TIERS)])
        size_type = rng.choice(_TYPES_40 if bay % 2 == 0 else _TYPES_20)
        empty = rng.random() < 0.125 and size_type.kind.value == "general"
        kind = size_type.kind.value
        gross = rng.randrange(2_300, 4_000) if empty else rng.randrange(6_000, 30_000)
        discharge = rng.choice(_PORTS[1:])
        container = Container(
            number=ContainerNumber.from_parts(rng.choice(_OWNERS), "U", i % 1_000_000),
            iso_type=size_type,
            operator=rng.choice(_OPERATORS),
            full_empty=FullEmpty.EMPTY if empty else FullEmpty.FULL,
            gross_weight_kg=gross,
            vgm_kg=gross if rng.random() < 0.9 else None,
            port_of_loading=_PORTS[0],
            port_of_discharge=discharge,
            reefer=ReeferSetting(rng.choice((-25.0, -18.0, 0.5, 4.0, 13.0)))
            if kind == "reefer"
            else None,
            dangerous_goods=(DangerousGoods("3", 1263, PackingGroup.II, 23.0),)
            if kind == "tank" or rng.random() < 0.04
            else (),
            oog=OutOfGauge(over_height_mm=rng.randrange(100, 900), over_left_mm=100)
            if kind in ("flat_rack", "open_top")
            else None,
        )
        stowage.append(Stowed(position, container))
    return OnBoardPlan(
        document_number=f"BP{seed:06d}",
        vessel_name="OPENTOS TRADER",
        imo_number="9321483",
        carrier="MSC",
        voyage=f"{seed % 1000:03d}E",
        departure_port=_PORTS[0],
        next_port=_PORTS[1],
        arrived_at=base,
        departed_at=base + timedelta(hours=20),
        next_port_eta=base + timedelta(days=2),
        prepared_at=base + timedelta(hours=21),
        stowage=tuple(stowage),
    )
