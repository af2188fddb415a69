"""Dependencies shared by the routers: the store, the roles of each family, paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from opentos.api.security import allow, store_of
from opentos.operations.inquiry import MAX_LIMIT
from opentos.operations.users import Role, User
from opentos.storage.store import Store

StoreDep = Annotated[Store, Depends(store_of)]

Public = Annotated[User, Depends(allow(Role.PUBLIC))]
Anyone = Annotated[
    User,
    Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE, Role.HAULIER)),
]
Admin = Annotated[User, Depends(allow(Role.ADMIN))]
ContainerReader = Annotated[
    User,
    Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE, Role.HAULIER)),
]
VisitReader = ContainerReader
BerthPlanReader = Annotated[
    User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE))
]
BayPlanReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.LINE))]
YardReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE))]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1-{MAX_LIMIT}.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor of the previous page.")
]

TrackTraceReader = Annotated[
    User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE))
]


async def line_scope(user: TrackTraceReader) -> str | None:
    """The DCSA scope of the caller: a line's SMDG code (its own boxes only), else ``None``."""
    return user.party if user.role is Role.LINE else None


LayoutReader = Annotated[
    User, Depends(allow(Role.ADMIN, Role.PLANNER, Role.GATE, Role.CUSTOMS, Role.LINE))
]
KpiReader = Annotated[User, Depends(allow(Role.ADMIN, Role.PLANNER))]
