"""What the terminal and customs tell each other about a vessel call's cargo.

- :class:`CargoReport`: the cargo a vessel call brings or takes — its
  equipment and the consignments (bills of lading) packed in it — as the line
  or the terminal reports it to customs (EDIFACT CUSCAR).
- :class:`CustomsResponse`: one decision of customs (accepted, released, held,
  selected for scan or inspection, documents required) about the containers
  and bills of lading it names (CUSRES). :func:`latest_statuses` gives, per
  container, the latest decision of many responses: what a hold or a green
  channel applies.

Every type validates itself on construction and gives a JSON-ready
:meth:`to_dict`. Times are aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opentos.errors import InvalidValue
from opentos.model.container import FullEmpty, JsonValue, Seal
from opentos.model.dictread import DictReader
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType
from opentos.model.orders import VesselCall, check_aware, check_text, iso_or_none


def _unique(what: str, values: Iterable[object]) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise InvalidValue(f"{what}: {value} is listed twice")
        seen.add(value)


class CargoFlow(StrEnum):
    """Why a container is on the vessel at this port, as customs sees it."""

    IMPORT = "import"
    EXPORT = "export"
    TRANSHIPMENT = "transhipment"


@dataclass(frozen=True, slots=True)
class CargoEquipment:
    """A container of a cargo report: number, size-type, full or empty, flow and seals."""

    number: ContainerNumber
    iso_type: SizeType
    full_empty: FullEmpty = FullEmpty.FULL
    flow: CargoFlow = CargoFlow.IMPORT
    seals: tuple[Seal, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.number, ContainerNumber):
            raise InvalidValue(f"cargo equipment {self.number!r} is not a ContainerNumber")
        if not isinstance(self.iso_type, SizeType):
            raise InvalidValue(f"container {self.number}: size-type {self.iso_type!r}")
        object.__setattr__(self, "full_empty", FullEmpty(self.full_empty))
        object.__setattr__(self, "flow", CargoFlow(self.flow))
        object.__setattr__(self, "seals", tuple(self.seals))

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "number": str(self.number),
            "iso_type": self.iso_type.code,
            "full_empty": self.full_empty.value,
            "flow": self.flow.value,
            "seals": [{"number": s.number, "issuer": s.issuer.value} for s in self.seals],
        }


@dataclass(frozen=True, slots=True)
class GoodsItem:
    """One goods item of a bill of lading: what it is, how heavy, and the containers it is in."""

    containers: tuple[ContainerNumber, ...]
    description: str | None = None
    gross_weight_kg: int | None = None
    packages: int | None = None
    package_type: str | None = None
    """UN/ECE recommendation 21 code of the packages (``CT`` carton, ``PK`` package …)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "containers", tuple(self.containers))
        if not self.containers:
            raise InvalidValue("goods item is in no container")
        _unique("goods item", self.containers)
        check_text("goods description", self.description, 512, optional=True)
        for what, value in (("gross weight", self.gross_weight_kg), ("packages", self.packages)):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise InvalidValue(f"goods item: {what} {value!r} must be a whole number >= 0")
        if self.package_type is not None and not (
            isinstance(self.package_type, str)
            and self.package_type.isalnum()
            and 1 <= len(self.package_type) <= 3
            and self.package_type == self.package_type.upper()
        ):
            raise InvalidValue(f"package type {self.package_type!r} must be a 1-3 character code")
        if self.package_type is not None and self.packages is None:
            raise InvalidValue(f"package type {self.package_type} given without packages")

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "containers": [str(n) for n in self.containers],
            "description": self.description,
            "gross_weight_kg": self.gross_weight_kg,
            "packages": self.packages,
            "package_type": self.package_type,
        }


@dataclass(frozen=True, slots=True)
class Consignment:
    """One bill of lading: its goods items and, when known, shipper and consignee."""

    bill_of_lading: str
    goods: tuple[GoodsItem, ...]
    shipper: str | None = None
    consignee: str | None = None

    def __post_init__(self) -> None:
        check_text("bill of lading", self.bill_of_lading, 35)
        what = f"bill of lading {self.bill_of_lading}"
        object.__setattr__(self, "goods", tuple(self.goods))
        if not self.goods:
            raise InvalidValue(f"{what} has no goods item")
        check_text(f"{what}: shipper", self.shipper, 70, optional=True)
        check_text(f"{what}: consignee", self.consignee, 70, optional=True)

    @property
    def containers(self) -> tuple[ContainerNumber, ...]:
        """The containers the goods are in, each once, in order."""
        return tuple(dict.fromkeys(n for item in self.goods for n in item.containers))

    @property
    def gross_weight_kg(self) -> int | None:
        """The goods' gross weight, when every item gives one."""
        weights = [item.gross_weight_kg for item in self.goods]
        return None if any(w is None for w in weights) else sum(w for w in weights if w)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Consignment:
        """The consignment :meth:`to_dict` gave (a kept cargo report's); InvalidValue if not."""
        read = DictReader(data, label="consignment")
        goods = [
            GoodsItem(
                tuple(ContainerNumber.parse(str(n)) for n in item.list_("containers")),
                item.optional_str("description"),
                item.optional_int("gross_weight_kg"),
                item.optional_int("packages"),
                item.optional_str("package_type"),
            )
            for item in read.dict_list("goods")
        ]
        return cls(
            read.str_("bill_of_lading"),
            tuple(goods),
            read.optional_str("shipper"),
            read.optional_str("consignee"),
        )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "bill_of_lading": self.bill_of_lading,
            "shipper": self.shipper,
            "consignee": self.consignee,
            "goods": [g.to_dict() for g in self.goods],
        }


@dataclass(frozen=True, slots=True)
class CargoReport:
    """The cargo report of one vessel call: its equipment and the consignments in it.

    Every container a goods item names must be in :attr:`equipment` (a CUSCAR
    links goods to equipment by number); empty equipment carries no goods.
    """

    reference: str
    vessel: VesselCall
    equipment: tuple[CargoEquipment, ...]
    consignments: tuple[Consignment, ...] = ()
    arrival: datetime | None = None
    issued: datetime | None = None

    def __post_init__(self) -> None:
        check_text("cargo report reference", self.reference, 35)
        what = f"cargo report {self.reference}"
        if not isinstance(self.vessel, VesselCall):
            raise InvalidValue(f"{what}: vessel {self.vessel!r} is not a VesselCall")
        object.__setattr__(self, "equipment", tuple(self.equipment))
        object.__setattr__(self, "consignments", tuple(self.consignments))
        if not self.equipment and not self.consignments:
            raise InvalidValue(f"{what} lists no equipment and no consignment")
        _unique(f"{what}: container", (e.number for e in self.equipment))
        _unique(f"{what}: bill of lading", (c.bill_of_lading for c in self.consignments))
        known = {e.number for e in self.equipment}
        for consignment in self.consignments:
            for number in consignment.containers:
                if number not in known:
                    raise InvalidValue(
                        f"{what}: bill of lading {consignment.bill_of_lading} names container "
                        f"{number}, which is not in the report's equipment"
                    )
        check_aware(f"{what}: arrival", self.arrival)
        check_aware(f"{what}: issue time", self.issued)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "vessel": self.vessel.to_dict(),
            "arrival": iso_or_none(self.arrival),
            "issued": iso_or_none(self.issued),
            "equipment": [e.to_dict() for e in self.equipment],
            "consignments": [c.to_dict() for c in self.consignments],
        }


class CustomsStatus(StrEnum):
    """What customs decided about a container or a bill of lading."""

    ACCEPTED = "accepted"
    """The report or declaration is accepted; the goods are not released yet."""
    RELEASED = "released"
    HELD = "held"
    """Detained: the box must not leave the terminal."""
    SCAN = "scan"
    """Selected for a non-intrusive examination (X-ray scan)."""
    INSPECTION = "inspection"
    """Selected for a physical examination."""
    DOCUMENTS_REQUIRED = "documents_required"


@dataclass(frozen=True, slots=True)
class ResponseItem:
    """What one decision is about: a container, a bill of lading, or a container of a B/L."""

    container: ContainerNumber | None = None
    bill_of_lading: str | None = None

    def __post_init__(self) -> None:
        if self.container is None and self.bill_of_lading is None:
            raise InvalidValue("customs response item names neither a container nor a B/L")
        if self.container is not None and not isinstance(self.container, ContainerNumber):
            raise InvalidValue(f"customs response item {self.container!r} is not a container")
        check_text("customs response: bill of lading", self.bill_of_lading, 35, optional=True)

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "container": None if self.container is None else str(self.container),
            "bill_of_lading": self.bill_of_lading,
        }


@dataclass(frozen=True, slots=True)
class ContainerDecision:
    """The decision that applies to one container, and the response it came from."""

    container: ContainerNumber
    status: CustomsStatus
    response: str
    bill_of_lading: str | None = None
    reason: str | None = None
    at: datetime | None = None

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "container": str(self.container),
            "status": self.status.value,
            "response": self.response,
            "bill_of_lading": self.bill_of_lading,
            "reason": self.reason,
            "at": iso_or_none(self.at),
        }


@dataclass(frozen=True, slots=True)
class CustomsResponse:
    """One decision of customs about the containers and bills of lading it names.

    ``responds_to`` is the report or declaration answered (a CUSCAR's
    reference, a declaration number); ``at`` is when customs decided.
    """

    reference: str
    responds_to: str
    status: CustomsStatus
    items: tuple[ResponseItem, ...]
    reason: str | None = None
    at: datetime | None = None

    def __post_init__(self) -> None:
        check_text("customs response reference", self.reference, 35)
        what = f"customs response {self.reference}"
        check_text(f"{what}: reference answered", self.responds_to, 35)
        object.__setattr__(self, "status", CustomsStatus(self.status))
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise InvalidValue(f"{what} names no container and no bill of lading")
        _unique(what, ((i.container, i.bill_of_lading) for i in self.items))
        _unique(f"{what}: container", (i.container for i in self.items if i.container))
        check_text(f"{what}: reason", self.reason, 512, optional=True)
        check_aware(f"{what}: decision time", self.at)

    def decisions(self) -> dict[ContainerNumber, ContainerDecision]:
        """The decision for each container this response names."""
        return {
            item.container: ContainerDecision(
                item.container,
                self.status,
                self.reference,
                item.bill_of_lading,
                self.reason,
                self.at,
            )
            for item in self.items
            if item.container is not None
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CustomsResponse:
        """The response :meth:`to_dict` gave (a kept CUSRES); InvalidValue if not."""
        read = DictReader(data, label="customs response")
        items = [
            ResponseItem(
                None if (n := item.optional_str("container")) is None
                else ContainerNumber.parse(n),
                item.optional_str("bill_of_lading"),
            )
            for item in read.dict_list("items")
        ]  # fmt: skip
        at = read.optional_str("at")
        return cls(
            read.str_("reference"),
            read.str_("responds_to"),
            read.enum("status", CustomsStatus),
            tuple(items),
            read.optional_str("reason"),
            None if at is None else datetime.fromisoformat(at),
        )

    def to_dict(self) -> dict[str, JsonValue]:
        return {
            "reference": self.reference,
            "responds_to": self.responds_to,
            "status": self.status.value,
            "reason": self.reason,
            "at": iso_or_none(self.at),
            "items": [i.to_dict() for i in self.items],
            "containers": {str(n): d.status.value for n, d in self.decisions().items()},
        }


def latest_statuses(
    responses: Iterable[CustomsResponse],
) -> dict[ContainerNumber, ContainerDecision]:
    """Per container, the latest decision of ``responses``.

    Later decision times win; a response without a time counts as older than one
    with a time, and of equal times the one given later wins (the order received).
    """
    latest: dict[ContainerNumber, ContainerDecision] = {}
    for response in responses:
        for number, decision in response.decisions().items():
            known = latest.get(number)
            if known is None or _not_later(known.at, decision.at):
                latest[number] = decision
    return latest


def _not_later(known: datetime | None, new: datetime | None) -> bool:
    """Whether a decision at ``new`` replaces one at ``known``."""
    if new is None:
        return known is None
    return known is None or new >= known
