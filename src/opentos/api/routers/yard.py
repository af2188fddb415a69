"""The yard: its layout, occupancy per block, and a block's bays drawn."""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response

from opentos.api.deps import CacheDep, LayoutReader, StoreDep, YardReader, kept
from opentos.api.schemas import BlockPublic, YardLayoutPublic
from opentos.api.svg import block_svg
from opentos.operations import inquiry
from opentos.operations.readcache import Read

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
async def block_drawing(
    request: Request,
    _user: YardReader,
    store: StoreDep,
    cache: CacheDep,
    block: Annotated[str, Path(max_length=16)],
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
) -> Response:
    layout = store.layout.block(block)  # an unknown block is a 404 before anything is drawn
    lock: threading.Lock = request.app.state.block_svg_lock

    def draw() -> Read[Drawing]:
        # one request draws while the others asking for a drawing wait for it
        with lock:
            found = None if cache is None else cache.get(("block", block))
            if isinstance(found, Drawing):
                return Read(found, ())
            boxes = inquiry.block_read(store, block, cache)
            plain = block_svg(layout, boxes.value).encode()
            return Read(Drawing.of(plain), boxes.keys)

    drawing = await kept(cache, ("block", block), draw)
    vary = {"ETag": drawing.etag, "Vary": "Accept-Encoding"}
    if if_none_match == drawing.etag:
        return Response(status_code=304, headers=vary)
    if _accepts_gzip(accept_encoding):
        headers = {**vary, "Content-Encoding": "gzip"}
        return Response(drawing.gzipped, media_type="image/svg+xml", headers=headers)
    return Response(drawing.plain, media_type="image/svg+xml", headers=vary)


@dataclass(frozen=True, slots=True)
class Drawing:
    """A drawing, plain and gzipped, and its entity tag (a digest of its content)."""

    plain: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, plain: bytes) -> Drawing:
        digest = hashlib.blake2b(plain, digest_size=12).hexdigest()
        return cls(plain, gzip.compress(plain, compresslevel=6, mtime=0), f'"{digest}"')


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (not with ``q=0``)."""
    for item in (accept_encoding or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().removeprefix("q=").strip()
            return not params or q not in ("0", "0.0", "0.00", "0.000")
    return False
