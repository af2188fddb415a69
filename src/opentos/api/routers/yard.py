"""The yard: its layout, occupancy per block, and a block's bays drawn."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
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
    _user: YardReader, store: StoreDep, block: Annotated[str, Path(max_length=16)]
) -> Response:
    boxes = inquiry.block_boxes(store, block)
    return Response(block_svg(store.layout.block(block), boxes), media_type="image/svg+xml")
