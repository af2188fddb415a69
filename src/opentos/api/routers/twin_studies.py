"""Twin studies: a small scenario run in the digital twin, answered with its KPIs.

The run is synchronous and bounded: only the scenarios of
:data:`~opentos.api.schemas.STUDY_SCENARIOS` (seconds to tens of seconds each),
in memory, by :func:`~opentos.operations.twin_study.run_scenario`; larger studies
are for ``opentos simulate``.
"""

from __future__ import annotations

from fastapi import APIRouter

from opentos.api.deps import Planner
from opentos.api.schemas import TwinStudyPublic, TwinStudyRequest
from opentos.operations.twin_study import SimulationSettings, run_scenario

router = APIRouter(tags=["twin"])


@router.post("/twin-studies", summary="Run a small scenario in the digital twin; answer its KPIs")
def twin_study(_user: Planner, body: TwinStudyRequest) -> TwinStudyPublic:
    settings = SimulationSettings(
        policy=body.policy, agvs=body.agvs, seed=body.seed, dual_cycling=body.dual_cycling,
        crane_plan=body.crane_plan,
    )  # fmt: skip
    result = run_scenario(body.scenario, settings)
    return TwinStudyPublic(
        scenario=body.scenario, seed=body.seed, finished=result.finished, kpis=result.kpis
    )
