"""Verified gross mass (SOLAS VI/2): a shipper's declaration of a packed box's mass.

No VGM, no load: a packed export box may go on board only with a verified
gross mass, obtained by weighing the packed box (method 1) or by weighing
its contents and adding the tare (method 2), and signed by a person the
shipper authorised. Declarations arrive by EDIFACT VERMAS; :func:`apply_vgm`
puts one on the terminal's container record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from opentos.errors import InvalidValue
from opentos.model.container import MAX_GROSS_KG, Container, JsonValue
from opentos.model.ids import ContainerNumber
from opentos.model.iso_types import SizeType


class VgmMethod(StrEnum):
    """How the mass was verified (SOLAS VI/2.4)."""

    SM1 = "SM1"
    """Method 1: the packed and sealed box was weighed."""
    SM2 = "SM2"
    """Method 2: all packages and cargo were weighed and the tare added."""


def _optional_text(what: str, value: object, longest: int) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > longest:
        raise InvalidValue(
            f"{what} {value!r} must be 1-{longest} characters without surrounding blanks"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class VgmDeclaration:
    """One box's verified gross mass, who is responsible for it and who signed it.

    ``document_number`` and ``declared_at`` belong to the declaration document
    (one VERMAS message may carry several boxes); ``certificate_reference`` is
    the weighing document (ticket or certificate) of this box.
    """

    container: ContainerNumber
    vgm_kg: int
    method: VgmMethod | None = None
    weighed_at: datetime | None = None
    responsible_party: str | None = None
    """The shipper (or party it named) responsible for the VGM under SOLAS."""
    authorised_person: str | None = None
    """The name of the person the responsible party authorised: the declaration's signature."""
    weighing_party: str | None = None
    iso_type: SizeType | None = None
    booking_reference: str | None = None
    bill_of_lading: str | None = None
    certificate_reference: str | None = None
    document_number: str = ""
    declared_at: datetime | None = None

    def __post_init__(self) -> None:
        n = self.container
        if not isinstance(n, ContainerNumber):
            raise InvalidValue(f"VGM declaration: container {n!r} must be a ContainerNumber")
        value = self.vgm_kg
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidValue(f"VGM of {n}: {value!r} kg must be a positive integer")
        if value > MAX_GROSS_KG:
            raise InvalidValue(
                f"VGM of {n}: {value} kg is over the plausible maximum {MAX_GROSS_KG} kg"
            )
        if self.method is not None:
            try:
                object.__setattr__(self, "method", VgmMethod(self.method))
            except ValueError:
                raise InvalidValue(
                    f"VGM of {n}: method {self.method!r} must be 'SM1' or 'SM2'"
                ) from None
        for name, when in (("weighed_at", self.weighed_at), ("declared_at", self.declared_at)):
            if when is not None and (not isinstance(when, datetime) or when.tzinfo is None):
                raise InvalidValue(f"VGM of {n}: {name} {when!r} must have a time zone")
        for name, text, longest in (
            ("responsible party", self.responsible_party, 70),
            ("authorised person", self.authorised_person, 70),
            ("weighing party", self.weighing_party, 70),
            ("booking reference", self.booking_reference, 35),
            ("bill of lading", self.bill_of_lading, 35),
            ("certificate reference", self.certificate_reference, 35),
        ):
            _optional_text(f"VGM of {n}: {name}", text, longest)
        if self.certificate_reference is not None and self.method is None:
            raise InvalidValue(
                f"VGM of {n}: certificate {self.certificate_reference!r} given without the "
                "weighing method (SM1 or SM2)"
            )
        if not isinstance(self.document_number, str) or len(self.document_number) > 35:
            raise InvalidValue(
                f"VGM of {n}: document number {self.document_number!r} must be at most "
                "35 characters"
            )

    @property
    def is_signed(self) -> bool:
        """True when an authorised person's name signs the declaration (SOLAS VI/2.4)."""
        return self.authorised_person is not None

    def to_dict(self) -> dict[str, JsonValue]:
        """A JSON-ready dict."""
        return {
            "container": str(self.container),
            "vgm_kg": self.vgm_kg,
            "method": None if self.method is None else self.method.value,
            "weighed_at": None if self.weighed_at is None else self.weighed_at.isoformat(),
            "responsible_party": self.responsible_party,
            "authorised_person": self.authorised_person,
            "weighing_party": self.weighing_party,
            "iso_type": None if self.iso_type is None else self.iso_type.code,
            "booking_reference": self.booking_reference,
            "bill_of_lading": self.bill_of_lading,
            "certificate_reference": self.certificate_reference,
            "document_number": self.document_number,
            "declared_at": None if self.declared_at is None else self.declared_at.isoformat(),
        }


def apply_vgm(container: Container, declaration: VgmDeclaration) -> Container:
    """The container record with the declared VGM set.

    Raises
    ------
    InvalidValue
        If the declaration is for another container (naming both numbers), or
        the VGM does not fit the record (less than its tare).
    """
    if declaration.container != container.number:
        raise InvalidValue(
            f"VGM declaration for {declaration.container} cannot be applied to container "
            f"{container.number}"
        )
    return replace(container, vgm_kg=declaration.vgm_kg)
