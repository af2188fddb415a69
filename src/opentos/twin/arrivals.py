"""What comes to the terminal by road in a twin run: trucks at the gate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from opentos.model.ids import ContainerNumber


@dataclass(frozen=True, slots=True)
class TruckArrival:
    """A truck at the gate: to collect an import box, or to deliver an export box."""

    truck: str
    at_s: float
    kind: Literal["import", "export"]
    container: ContainerNumber
