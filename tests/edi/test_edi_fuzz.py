"""Fuzzing: whatever the bytes, reading an interchange fails only with an EDI error."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opentos.edi.api import read_document
from opentos.errors import EdiError

DATA = Path(__file__).parent / "data"
GOLDEN = sorted(DATA.glob("*.edi"))


def _read_all_ways(data: bytes) -> None:
    for strict in (False, True):
        with contextlib.suppress(EdiError):
            read_document(data, strict=strict)


def test_there_are_golden_files_to_mutate() -> None:
    """The fuzzing below starts from every golden file (one per message and version)."""
    assert len(GOLDEN) >= 10


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_edi_errors(data: bytes) -> None:
    """Random bytes are read or refused with EdiError, never another exception."""
    _read_all_ways(data)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "UNA:+.? '",
                "UNB+UNOA:2+A+B+1+1'",
                "UNH+1+BAPLIE:D:95B:UN:SMDG22'",
                "UNH+1+BAPLIE:D:13B:UN:SMDG31'",
                "UNT+3+1'",
                "UNZ+1+1'",
                "LOC+147+0120382'",
                "EQD+CN+MSCU1234565+45G1'",
                "MEA+VGM++KGM:x'",
                "DGS+IMD+3+12'",
                "TMP+2+abc:CEL'",
                "DIM+5+CMT:9'",
                "?",
                "'",
                "+",
                ":",
                "UNS+D'",
                "CNT+8:2'",
                "DTM+137:99999999:203'",
                "UNH+1+COARRI:D:00B:UN:SMDG20'",
                "UNH+1+VERMAS:D:16A:UN'",
                "UNH+1+COPINO:D:95B:UN:ITG12'",
                "UNH+1+IFTSAI:D:95B:UN'",
                "TDT+1++3+31+QDHAUL+++LU B1'",
                "TDT+20+V1+1++MSC+++:::X'",
                "LOC+153+CNTAO:139:6'",
                "DTM+63:202503100900:203'",
                "EQD+CN++22G1:102:5+++4'",
            ]
        ),
        max_size=30,
    )
)
def test_shuffled_segments_raise_only_edi_errors(parts: list[str]) -> None:
    """Envelope and data segments in any order are read or refused with EdiError."""
    _read_all_ways("".join(parts).encode())


_mutation = st.tuples(
    st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=255),
    st.integers(min_value=1, max_value=40),
)


@pytest.mark.parametrize("golden", GOLDEN, ids=[p.name for p in GOLDEN])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_golden_files_raise_only_edi_errors(
    golden: Path, mutations: list[tuple[str, int, int, int]]
) -> None:
    """A valid file with bytes deleted, inserted, replaced or repeated fails only with EdiError."""
    data = bytearray(golden.read_bytes())
    for kind, where, byte, length in mutations:
        at = where % (len(data) + 1)
        if kind == "delete":
            del data[at : at + length]
        elif kind == "insert":
            data[at:at] = bytes([byte]) * length
        elif kind == "replace" and at < len(data):
            data[at] = byte
        elif kind == "duplicate":
            data[at:at] = data[at : at + length]
        else:
            del data[at:]
    _read_all_ways(bytes(data))
