"""The web pages in Chromium (Playwright), against the real server: each page draws its data.

Chromium is Debian's ``/usr/bin/chromium``; without it the tests skip, except under
``CI=true``, where a missing browser fails them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from api_helpers import IN_YARD, ON_BOARD, REEFER, UNKNOWN, Server
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from needs import missing

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000
# the browser's own line for a request the API answered with an error, on purpose here
FAILED_REQUEST = re.compile(r"^Failed to load resource: the server responded with a status of")
PROTECTED = ["/", "/pages/berth-plan", "/pages/bay-plan?visit=V1", "/pages/yard", "/pages/kpis"]

# the pages run once, on SQLite: the API tests cover both backends
pytestmark = pytest.mark.parametrize("api_database", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, headless, for the whole module."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is needed for the page tests (apt-get install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page and the console errors and page errors it logged."""

    page: Page
    server: Server
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def unexpected_errors(self) -> list[str]:
        """The errors other than the browser's line for an API error answered on purpose."""
        return [e for e in self.errors if not FAILED_REQUEST.match(e)]


def _tab(browser: Browser, server: Server, token: str | None) -> Iterator[Tab]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    if token is not None:
        # once per tab, as a login would; later pages see what the scripts left
        context.add_init_script(
            "if (sessionStorage.getItem('test.seeded') === null) {"
            f" sessionStorage.setItem('opentos.token', {token!r});"
            " sessionStorage.setItem('test.seeded', '1'); }"
        )
    page = context.new_page()
    tab = Tab(page, server)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def anonymous(browser: Browser, server: Server) -> Iterator[Tab]:
    """A fresh browser tab, nobody logged in."""
    yield from _tab(browser, server, None)


@pytest.fixture
def planner(browser: Browser, server: Server) -> Iterator[Tab]:
    """A fresh browser tab holding a planner's token, as the login page leaves it."""
    yield from _tab(browser, server, server.tokens["planner"])


def test_login_then_search_a_container(anonymous: Tab, server: Server) -> None:
    """A planner logs in, lands on the search and sees where a box is, its hold and history."""
    page = anonymous.page
    anonymous.open("/login")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", server.passwords["planner"])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    assert page.text_content("#signed-in") == "planner"
    page.fill("input[name=number]", str(IN_YARD))
    page.click("#search-form button")
    page.wait_for_selector("#result:not([hidden])")
    assert page.text_content("#where") == (
        "In the yard: block A01, bay 1, row 2, tier 1 (A01.001.02.1)"
    )
    assert "customs hold: inspection" in page.inner_text("#flags")
    history = server.get("planner", f"/containers/{IN_YARD}/history").json()["data"]
    assert page.locator("#history tbody tr").count() == len(history) == 3
    assert anonymous.errors == []


def test_status_shows_reefer_and_dangerous_goods(planner: Tab) -> None:
    """A reefer's set point and a box's DG class on board are flagged."""
    planner.open(f"/?number={REEFER}")
    planner.page.wait_for_selector("#result:not([hidden])")
    flags = planner.page.inner_text("#flags")
    assert "reefer -18 °C" in flags
    assert "no VGM: no load" in flags
    planner.open(f"/?number={ON_BOARD}")
    planner.page.wait_for_selector(f"#box-number:text('{ON_BOARD}')")
    assert (planner.page.text_content("#where") or "").startswith("On board visit V1")
    assert "DG UN1203 class 3 PG II" in planner.page.inner_text("#flags")
    assert planner.errors == []


def test_unknown_container_shows_the_problem_detail(planner: Tab, server: Server) -> None:
    """An unknown number shows the API's problem detail, and no script error."""
    detail = server.get("planner", f"/containers/{UNKNOWN}").json()["detail"]
    planner.open(f"/?number={UNKNOWN}")
    planner.page.wait_for_selector("#problem:not([hidden])")
    assert planner.page.text_content("#problem") == detail
    assert planner.page.is_hidden("#result")
    assert planner.unexpected_errors() == []


def test_schedule_draws_one_bar_per_visit_without_login(anonymous: Tab, server: Server) -> None:
    """The public schedule's Gantt chart has one bar per vessel visit, and a table row each."""
    visits = server.get(None, "/schedule").json()["data"]
    anonymous.open("/pages/schedule")
    anonymous.page.wait_for_selector("rect.visit-bar")
    bars = anonymous.page.locator("rect.visit-bar")
    assert {bars.nth(i).get_attribute("data-visit") for i in range(bars.count())} == {"V1", "V2"}
    assert bars.count() == len(visits)
    assert anonymous.page.locator("#schedule tbody tr").count() == len(visits)
    assert anonymous.page.url == server.url + "/pages/schedule"
    assert anonymous.errors == []


def test_berth_plan_draws_the_visits_on_their_berth(planner: Tab, server: Server) -> None:
    """The berth plan has a row per berth with its quay stretch and a bar per visit alongside."""
    span = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-15T00:00:00Z"}
    visits = server.get("planner", "/berth-plan", **span).json()["visits"]
    planner.open("/pages/berth-plan?from=2026-03-01&to=2026-03-15")
    planner.page.wait_for_selector("rect.visit-bar")
    assert planner.page.locator("rect.visit-bar").count() == len(visits) == 2
    labels = planner.page.locator("text.row-label").all_text_contents()
    assert labels == ["B01 · 0–300 m", "no berth yet"]
    assert planner.errors == []


def test_bay_plan_embeds_the_drawing_and_lists_the_boxes(planner: Tab, server: Server) -> None:
    """A visit's bay plan shows the SVG fetched with the token and one row per box on board."""
    planner.open("/pages/bay-plan?visit=V1")
    planner.page.wait_for_selector("#plan:not([hidden])")
    planner.page.wait_for_function("document.getElementById('bay-drawing').naturalWidth > 0")
    slots = planner.page.locator("#boxes tbody tr td:first-child").all_text_contents()
    assert sorted(slots) == sorted(server.slots.values())
    assert planner.errors == []


def test_yard_map_draws_each_block_and_its_bays(planner: Tab, server: Server) -> None:
    """The yard map has one rectangle per block, shaded by occupancy; a click shows its bays."""
    blocks = server.get("planner", "/yard/blocks").json()
    planner.open("/pages/yard")
    planner.page.wait_for_selector("rect.block")
    rects = planner.page.locator("rect.block")
    assert rects.count() == len(blocks) == 1
    assert float(rects.first.get_attribute("data-occupancy") or "nan") == pytest.approx(
        blocks[0]["occupancy"], abs=1e-3
    )
    rects.first.click()
    planner.page.wait_for_function("document.getElementById('block-drawing').naturalWidth > 0")
    assert planner.page.text_content("#block-name") == (
        f"Block A01: {blocks[0]['boxes']} boxes, {blocks[0]['teu']} of 96 TEU"
    )
    assert planner.errors == []


def test_kpi_dashboard_draws_bars_and_a_line(planner: Tab, server: Server) -> None:
    """The KPI charts have a bar per day and per visit with the API's counts, and a line."""
    kpis = server.get("planner", "/kpis").json()
    v1 = server.get("planner", "/visits/V1/kpis").json()
    planner.open("/pages/kpis")
    planner.page.wait_for_selector("#visit:not([hidden]) polyline.line", state="attached")
    days = planner.page.locator("#per-day rect.bar")
    assert days.count() == len(kpis["per_day"])
    values = [int(days.nth(i).get_attribute("data-value") or -1) for i in range(days.count())]
    assert sum(values) == kpis["moves"] > 0
    visit_bar = planner.page.locator("#per-visit rect.bar[data-key=V1]")
    assert visit_bar.get_attribute("data-value") == str(v1["moves"]["moves"])
    assert planner.page.locator("#per-hour polyline.line").count() == 1
    points = planner.page.locator("#per-hour circle.point")
    assert points.count() == len(v1["per_hour"])  # V1's boxes came on board: no crane moves
    assert planner.errors == []


def test_pages_without_a_token_go_to_login(anonymous: Tab, server: Server) -> None:
    """Each page that needs credentials sends a visitor with no token to the login page."""
    for path in PROTECTED:
        anonymous.open(path)
        expect(anonymous.page).to_have_url(f"{server.url}/login?next={quote(path, safe='')}")
        assert anonymous.page.is_visible("#login-form"), path
    assert anonymous.errors == []


def test_a_rejected_token_goes_to_login_and_is_forgotten(browser: Browser, server: Server) -> None:
    """A token the API answers 401 to is dropped and the user sent to log in, then back."""
    for tab in _tab(browser, server, "not-a-token"):
        tab.open("/pages/yard")
        expect(tab.page).to_have_url(server.url + "/login?next=%2Fpages%2Fyard")
        assert tab.page.evaluate("sessionStorage.getItem('opentos.token')") is None
        tab.page.fill("input[name=username]", "planner")
        tab.page.fill("input[name=password]", server.passwords["planner"])
        tab.page.click("button[type=submit]")
        tab.page.wait_for_url(server.url + "/pages/yard")
        tab.page.wait_for_selector("rect.block")
        assert tab.unexpected_errors() == []


@pytest.mark.parametrize("elsewhere", ["//example.com/", "/\\example.com/", "https://example.com/"])
def test_login_never_sends_the_user_elsewhere(
    anonymous: Tab, server: Server, elsewhere: str
) -> None:
    """A ``next`` naming another site is ignored: after logging in the user is on the search."""
    anonymous.open("/login?next=" + quote(elsewhere, safe=""))
    anonymous.page.fill("input[name=username]", "planner")
    anonymous.page.fill("input[name=password]", server.passwords["planner"])
    anonymous.page.click("button[type=submit]")
    expect(anonymous.page).to_have_url(server.url + "/")
    assert anonymous.errors == []


def test_pages_load_nothing_from_elsewhere(server: Server) -> None:
    """Every page is an HTML shell whose scripts and styles the app itself serves."""
    for path in ["/login", "/pages/schedule", *PROTECTED]:
        html = server.get(None, path.split("?")[0]).text
        links = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert links, path
        assert all(re.match(r"/[^/]|/$|data:", link) for link in links), (path, links)
        for link in links:
            if link.startswith("/static/"):
                assert server.get(None, link).status_code == 200, link
