"""The web pages: HTML shells that hold no data, open to anyone.

Each page is a Jinja2 template on ``templates/pages/layout.html`` and a script in
``static/pages/``. The script fetches the JSON API with the bearer token the login
page keeps in ``sessionStorage``; without a token, or on a 401, it sends the user
to ``/login``. The app mounts ``static/`` at ``/static`` (see
:func:`opentos.api.app.create_app`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from opentos.api.deps import Public

API_DIR = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=API_DIR / "templates")

router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass(frozen=True, slots=True)
class NavLink:
    """An entry of the pages' navigation bar."""

    name: str
    label: str
    href: str


NAV = (
    NavLink("login", "Login", "/login"),
    NavLink("containers", "Containers", "/"),
    NavLink("schedule", "Schedule", "/pages/schedule"),
    NavLink("berth-plan", "Berth plan", "/pages/berth-plan"),
    NavLink("bay-plan", "Bay plan", "/pages/bay-plan"),
    NavLink("yard", "Yard", "/pages/yard"),
    NavLink("kpis", "KPIs", "/pages/kpis"),
    NavLink("live", "Live", "/live"),
)


def _page(request: Request, name: str, title: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, f"pages/{name}.html", {"title": title, "nav": NAV, "current": name}
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, _user: Public) -> HTMLResponse:
    """Log in: user name and password for ``POST /token``."""
    return _page(request, "login", "Log in")


@router.get("/", response_class=HTMLResponse)
def containers_page(request: Request, _user: Public) -> HTMLResponse:
    """Container search: where a box is, its status and its history."""
    return _page(request, "containers", "Containers")


@router.get("/pages/schedule", response_class=HTMLResponse)
def schedule_page(request: Request, _user: Public) -> HTMLResponse:
    """The public vessel schedule as a Gantt chart and a table."""
    return _page(request, "schedule", "Vessel schedule")


@router.get("/pages/berth-plan", response_class=HTMLResponse)
def berth_plan_page(request: Request, _user: Public) -> HTMLResponse:
    """The berth plan as a Gantt chart along the quay."""
    return _page(request, "berth-plan", "Berth plan")


@router.get("/pages/bay-plan", response_class=HTMLResponse)
def bay_plan_page(request: Request, _user: Public) -> HTMLResponse:
    """A vessel visit's bay plan drawn, and its boxes listed."""
    return _page(request, "bay-plan", "Bay plan")


@router.get("/pages/yard", response_class=HTMLResponse)
def yard_page(request: Request, _user: Public) -> HTMLResponse:
    """The yard map, blocks coloured by occupancy, and a block's bays."""
    return _page(request, "yard", "Yard")


@router.get("/pages/kpis", response_class=HTMLResponse)
def kpis_page(request: Request, _user: Public) -> HTMLResponse:
    """The KPIs: ledger events per day and crane moves per vessel visit as charts."""
    return _page(request, "kpis", "KPIs")
