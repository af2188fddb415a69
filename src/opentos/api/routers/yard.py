"""The yard: its layout, occupancy per block, and a block's bays drawn."""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response

from opentos.api.deps import LayoutReader, StoreDep, YardReader
from opentos.api.schemas import BlockPublic, YardLayoutPublic
from opentos.api.svg import block_svg
from opentos.operations import inquiry

router = APIRouter(prefix="/yard", tags=["yard"])


@router.get("/layout", summary="The quay, its berths and the yard blocks, in metres")
def layout(_user: LayoutReader, store: StoreDep) -> YardLayoutPublic:
    return YardLayoutPublic.model_validate(inquiry.yard_layout(store))


@router.get("/blocks", summary="Every yard block and its occupancy")
def blocks(_user: YardReader, store: StoreDep) -> list[BlockPublic]:
    return [BlockPublic.model_validate(b) for b in inquiry.yard_blocks(store)]


@router.get(
    "/blocks/{block}.svg",
    summary="A block's bays drawn: rows and tiers, boxes coloured by discharge port",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def block_drawing(
    request: Request,
    _user: YardReader,
    store: StoreDep,
    block: Annotated[str, Path(max_length=16)],
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
) -> Response:
    layout = store.layout.block(block)  # an unknown block is a 404 before anything is drawn
    head = store.head()
    tag = f'"{block}-{head}"'
    vary = {"ETag": tag, "Vary": "Accept-Encoding"}
    if if_none_match == tag:
        return Response(status_code=304, headers=vary)
    # Each block's drawing, plain and gzipped, and the ledger head it shows, kept by the
    # app (one store): drawn again once the ledger has moved on.
    # One request draws while the others asking for it wait for that drawing.
    drawn: dict[str, tuple[int, bytes, bytes]] = request.app.state.block_svgs
    cached = drawn.get(block)
    if cached is None or cached[0] != head:
        with request.app.state.block_svg_lock:
            cached = drawn.get(block)
            if cached is None or cached[0] != head:
                plain = block_svg(layout, inquiry.block_boxes(store, block)).encode()
                cached = (head, plain, gzip.compress(plain, compresslevel=6, mtime=0))
                drawn[block] = cached
    if _accepts_gzip(accept_encoding):
        headers = {**vary, "Content-Encoding": "gzip"}
        return Response(cached[2], media_type="image/svg+xml", headers=headers)
    return Response(cached[1], media_type="image/svg+xml", headers=vary)


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (not with ``q=0``)."""
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().removeprefix("q=").strip()
            return not params or q not in ("0", "0.0", "0.00", "0.000")
    return False
