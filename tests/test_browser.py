"""The dashboard in a real headless Chromium (Debian's), over the real API and a demo DB.

Skipped when no Chromium is installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import DemoDb
from tests.helpers import REPO, SHARED, run_cli, serve_app
from tests.live_fixture import (
    STORIES,
    Events,
    FixtureSite,
    feed,
    item,
    page_html,
    rss,
    run_until,
    serve,
    static,
    write_sources,
)


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = _chromium()
if CHROMIUM is None:
    pytest.skip("no Chromium found (apt-get install chromium); browser tests skipped",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


from realpolitik.api import ApiSettings, create_app  # noqa: E402
from realpolitik.relations.indices import IndexReport  # noqa: E402
from realpolitik.relations.report import Report  # noqa: E402
from realpolitik.web import mount_dashboard  # noqa: E402
from realpolitik.web.render import report_html  # noqa: E402

SEEDS = SHARED / "seeds"
ARTIFACTS = REPO / "test-artifacts"
LOCAL = ("http://127.0.0.1:", "file://", "data:", "blob:")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def _serving(db: Path) -> Iterator[str]:
    """The real app (API + dashboard) over ``db`` on a free port, for the block."""
    app = create_app(ApiSettings(db=db, token=None))
    mount_dashboard(app)
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: DemoDb) -> Iterator[str]:
    """The real app (API + dashboard) over the demo corpus and the seeds, on a free port."""
    db = demo_db.copy(tmp_path_factory.mktemp("browser") / "web.duckdb")
    if SEEDS.is_dir():
        assert run_cli(["ingest", str(SEEDS), "--db", str(db)]).exit_code == 0
    with _serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def alerts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a database the real watcher filled from the fixture site on 127.0.0.1,
    with the alert it fired when Russia turned from backing Venezuela to refusing."""
    from realpolitik.cli import _embedder, _pipeline
    from realpolitik.live import watch

    tmp = tmp_path_factory.mktemp("alerts")
    db = tmp / "alerts.duckdb"
    rules = {"rules": [{"name": "ven-allies", "country": "VEN", "when": "stance_change"}]}
    with serve(FixtureSite()) as site:
        for slug in ("ru-backs-ven", "ru-refuses-ven"):
            site.routes[f"/news/{slug}"] = static(page_html(STORIES[slug]))
        before = feed(rss(site.base, [item("ru-backs-ven")]))
        site.routes["/feeds/ven.xml"] = before
        sources = write_sources(tmp / "sources.yaml", site, [{"url": "/feeds/ven.xml"}], rules)
        events = Events()

        def done() -> bool:
            if events.of("stored") and site.routes["/feeds/ven.xml"] is before:
                site.routes["/feeds/ven.xml"] = feed(rss(site.base, [
                    item("ru-refuses-ven"), item("ru-backs-ven")]))
            return bool(events.of("alert"))

        run_until(lambda stop: watch(sources, db, _pipeline(), _embedder(), events, stop=stop),
                  done)
    with _serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: sync_api.Browser) -> Iterator[sync_api.Page]:
    """A fresh page whose console errors and uncaught exceptions fail the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.on("request", lambda r: None if r.url.startswith(LOCAL) else
          errors.append(f"external request: {r.url}"))
    yield pg
    context.close()
    assert errors == []


def test_home_lists_countries(page: sync_api.Page, server: str) -> None:
    page.goto(server + "/")
    link = page.locator("#countries a[href='/country/VEN']").first
    link.wait_for()
    assert "Realpolitik codes news articles" in page.inner_text("main")
    ven = page.locator("#countries tr", has=page.locator("a[href='/country/VEN']"))
    assert int(ven.locator("td.num").first.inner_text()) > 0


def _node_position(page: sync_api.Page, code: str) -> tuple[float, float]:
    """Where plotly drew the node of ``code`` (page pixels), from the plot's own axes."""
    return page.evaluate("""(code) => {
        const gd = document.getElementById("network");
        const rect = gd.getBoundingClientRect();
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        for (const t of gd.data) {
            const i = (t.customdata || []).indexOf(code);
            if (i >= 0 && t.mode.includes("markers")) {
                return [rect.left + xa._offset + xa.l2p(t.x[i]),
                        rect.top + ya._offset + ya.l2p(t.y[i])];
            }
        }
        return null;
    }""", code)


def _settled_node_position(page: sync_api.Page, code: str) -> tuple[float, float]:
    """The node's position once two readings 100 ms apart agree (smooth scrolling ends)."""
    last = None
    for _ in range(40):
        now = _node_position(page, code)
        if now is not None and now == last:
            return now
        last = now
        page.wait_for_timeout(100)
    raise AssertionError(f"node {code} did not settle: {last}")


def test_country_page(page: sync_api.Page, server: str) -> None:
    page.goto(server + "/country/VEN")
    page.wait_for_selector("#country-page[data-ready='1']")
    assert page.locator("#network .main-svg").count() > 0
    assert page.locator("#timeline .main-svg").count() > 0
    assert "Venezuela" in page.inner_text("#country-title")
    for code in ("RUS", "CHN", "IRN"):
        assert page.get_attribute(f"#counterparts tr[data-country='{code}']",
                                  "data-stance") == "withdrawing"
    assert page.get_attribute("#counterparts tr[data-country='USA']",
                              "data-stance") == "pressuring"
    changes = page.inner_text("#changes")
    assert "RUS:" in changes and "withdrawing" in changes
    isolation = page.inner_text("#isolation-value")
    assert float(isolation) > 0

    # a row in the counterpart table opens its evidence: sentences linked to articles
    page.click("#counterparts button.counterpart[data-country='RUS']")
    page.wait_for_selector("#evidence-list li")
    assert "Russia" in page.inner_text("#evidence-title")
    evidence = page.inner_text("#evidence")
    # its withdrawing evidence: from the seeds when present, else from the demo corpus
    assert any(words in evidence for words in (
        "refuse to back Maduro", "sidelines", "will not provide military"))
    assert "The Wall Street Journal" in evidence  # an origin
    assert page.locator("#evidence-list a[href^='/article/']").count() > 0

    # so does a click on its node in the graph (once the page has stopped scrolling to
    # the evidence panel, so the node is where we click)
    page.locator("#network").scroll_into_view_if_needed()
    x, y = _settled_node_position(page, "USA")
    page.mouse.click(x, y)
    page.wait_for_function(
        "document.getElementById('evidence-title').textContent.includes('USA')")
    assert "pressuring" in page.inner_text("#evidence")

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#country-title").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "country-VEN.png"), full_page=True)


def test_search_and_article(page: sync_api.Page, server: str) -> None:
    page.goto(server + "/search?target=VEN&source=RUS")
    page.wait_for_selector("#results tbody tr")
    assert "Russia" in page.inner_text("#results")
    page.locator("#results a[href^='/article/']").first.click()
    page.wait_for_selector("#article-page[data-ready='1']")
    assert page.locator("#article mark").count() > 0
    assert page.locator("#article mark.current").count() > 0
    assert page.locator("#article-events li").count() > 0


def test_search_form_by_happening(page: sync_api.Page, server: str) -> None:
    page.goto(server + "/search")
    page.fill("input[name=country]", "ven")
    page.select_option("select[name=level]", "event")
    page.click("button[type=submit]")
    page.wait_for_selector("#results tbody tr")
    assert "Mentions" in page.inner_text("#results thead")
    assert "country=VEN" in page.url


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seeds at {SEEDS}")
def test_story_page_of_the_seeds(page: sync_api.Page, server: str) -> None:
    stories = page.request.get(server + "/api/stories?limit=1000").json()["items"]
    story = next(s for s in stories if "Total News Agency" in s["outlets"])
    page.goto(f"{server}/story/{story['id']}")
    page.wait_for_selector("#story-page[data-ready='1']")
    outlets = page.inner_text("#outlets")
    assert "Total News Agency" in outlets and "Next News" in outlets
    # the happening both seed outlets report rests on one origin, the WSJ
    rows = page.locator("#happenings tbody tr")
    both = [rows.nth(i).inner_text() for i in range(rows.count())]
    both = [r for r in both if "Total News Agency" in r and "Next News" in r]
    assert both and any("1 The Wall Street Journal" in r.replace("\t", " ") for r in both)
    button = rows.filter(has_text="Total News Agency").first.locator("button.linkish")
    button.click()
    page.wait_for_selector("#happenings .mentions a[href^='/article/']")


def test_offline_report_opens_from_disk(page: sync_api.Page, server: str,
                                        tmp_path: Path) -> None:
    index = IndexReport.model_validate(page.request.get(server + "/api/indices/VEN").json())
    report = Report.model_validate(page.request.get(server + "/api/report/VEN").json())
    path = tmp_path / "ven.html"
    path.write_text(report_html(index, report), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("#country-page[data-ready='1']")
    assert page.locator("#network .main-svg").count() > 0
    assert page.locator("#timeline .main-svg").count() > 0
    page.click("#counterparts button.counterpart[data-country='CHN']")
    page.wait_for_selector("#evidence-list li")
    assert "China" in page.inner_text("#evidence-title")
    assert page.locator("#evidence a").count() == 0  # no dashboard to link to


# ------------------------------------------------------------------ stored XSS
PAYLOADS = ["<script>alert(1)</script>", "<!--<script>", "</script><script>alert(2)</script>",
            "\"><img src=x onerror=alert(3)>", "' onmouseover='alert(4)", "javascript:alert(5)"]
HOSTILE_TAIL = " ".join(PAYLOADS)
HOSTILE_DOCS = [
    {"title": "Russia refuses to back Venezuela " + HOSTILE_TAIL,
     "outlet": "\"><img src=x onerror=alert(6)> Wire <script>alert(7)</script>",
     "url": "javascript:alert(8)", "published": "2025-12-02",
     "text": f"Russia, China, and Iran refuse to back Maduro, the newspaper {PAYLOADS[0]} "
             f"reported. The Trump administration deployed warships near Venezuela "
             f"{PAYLOADS[3]}. The United States threatened Venezuela with sanctions "
             f"{PAYLOADS[4]}, according to {PAYLOADS[1]} officials. Russia sent aid to "
             f"Venezuela {PAYLOADS[2]} {PAYLOADS[5]}."},
    {"title": "Allies abandon Caracas " + HOSTILE_TAIL,
     "outlet": "' onmouseover='alert(9) News",
     "url": "https://example.org/a\"onmouseover=\"alert(10)", "published": "2025-12-03",
     "text": f"Russia and China refuse to back Maduro {PAYLOADS[3]}. The United States "
             f"threatened Venezuela with new sanctions {PAYLOADS[0]}."},
]
# what ingest cannot produce but an older version or a hand-edited database might hold
HOSTILE_SQL = [
    "UPDATE articles SET url = 'javascript:alert(11)' WHERE url IS NULL",
    "UPDATE events SET source_name = ?, source_text = ? WHERE type = 'MOBILIZE'",
    "UPDATE happenings SET source_name = ?, origins = list_append(origins, ?)",
    "UPDATE stories SET label = ?",
]
HOSTILE_PARAMS = [[], [PAYLOADS[3], PAYLOADS[4]], [PAYLOADS[0], PAYLOADS[3]], [HOSTILE_TAIL]]
SCAN = """() => {
    const on = [...document.querySelectorAll("*")].filter((el) =>
        [...el.attributes].some((a) => /^on/i.test(a.name)));
    const hrefs = [...document.querySelectorAll("[href], [src], [action]")].map((el) =>
        el.getAttribute("href") || el.getAttribute("src") || el.getAttribute("action"));
    return { on: on.map((el) => el.outerHTML.slice(0, 120)),
             imgs: document.querySelectorAll("img, iframe, object, embed").length,
             scripts: [...document.scripts].map((s) => s.src || s.type || "inline"),
             bad: hrefs.filter((h) => !/^(#|\\/(?![\\/\\\\])|https?:\\/\\/|data:,$)/i.test(h)) };
}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a database whose articles, outlets, actors and links carry payloads."""
    import json

    from realpolitik.store import Store

    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "hostile.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in HOSTILE_DOCS), encoding="utf-8")
    db = folder / "hostile.duckdb"
    assert run_cli(["ingest", str(source), "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        for sql, params in zip(HOSTILE_SQL, HOSTILE_PARAMS, strict=True):
            store.con.execute(sql, params)
    with _serving(db) as url:
        yield url


def _watch_dialogs(page: sync_api.Page) -> list[str]:
    dialogs: list[str] = []

    def dismiss(dialog: sync_api.Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return dialogs


def _assert_inert(page: sync_api.Page, dialogs: list[str], inline_scripts: int = 0) -> None:
    """No dialog opened, no injected element, handler attribute or unsafe link exists."""
    page.mouse.move(5, 5)
    found = page.evaluate(SCAN)
    assert dialogs == []
    assert found["on"] == [] and found["imgs"] == 0 and found["bad"] == []
    assert found["scripts"].count("inline") == inline_scripts, found["scripts"]
    assert all(s == "application/json" or s == "inline" or s.startswith("http://127.0.0.1:")
               for s in found["scripts"]), found["scripts"]


def _ready(page: sync_api.Page) -> None:
    page.wait_for_load_state("networkidle")
    if page.locator("[data-ready]").count() == 0 and page.locator(
            "#country-page, #story-page, #article-page").count():
        page.wait_for_selector("[data-ready='1']")


def _click_buttons(page: sync_api.Page, dialogs: list[str], inline_scripts: int = 0) -> int:
    """Click every button in the page's main part (new ones included, at most 80)."""
    clicked = 0
    while clicked < 80:
        buttons = page.locator("main button:not(.modebar-btn):visible")
        if clicked >= buttons.count():
            break
        buttons.nth(clicked).click()
        page.wait_for_timeout(100)
        _assert_inert(page, dialogs, inline_scripts)
        clicked += 1
    return clicked


def _click_links(page: sync_api.Page, dialogs: list[str], seen: set[str]) -> None:
    """Click every link of the page's main part: in-page links in place, the others with
    Ctrl into a new tab (so this page keeps its opened evidence), each page checked once."""
    here = page.url.split("#", 1)[0]
    links = page.locator("main a[href]")
    for n in range(links.count()):
        link = links.nth(n)
        target = link.evaluate("a => a.href").split("#", 1)[0]
        if target == here:
            link.click()
            _assert_inert(page, dialogs)
            continue
        if target in seen or not target.startswith("http://127.0.0.1:"):
            continue
        seen.add(target)
        with page.context.expect_page() as opened:
            link.click(modifiers=["Control"])
        tab = opened.value
        tab_dialogs, errors = _watch_dialogs(tab), []
        tab.on("pageerror", lambda e, seen_errors=errors: seen_errors.append(str(e)))
        _ready(tab)
        _assert_inert(tab, tab_dialogs)
        tab.close()
        assert errors == []


def test_hostile_text_is_inert_on_every_page(page: sync_api.Page, hostile_server: str) -> None:
    dialogs = _watch_dialogs(page)
    api = page.request
    articles = api.get(hostile_server + "/api/articles").json()["items"]
    assert len(articles) == 2 and all(a["url"] in (None, HOSTILE_DOCS[1]["url"])
                                      for a in articles)
    stories = api.get(hostile_server + "/api/stories").json()["items"]
    pages = ["/", "/country/VEN", "/search?country=VEN", "/search?country=VEN&level=event",
             *(f"/story/{s['id']}" for s in stories), *(f"/article/{a['id']}" for a in articles)]
    seen: set[str] = set()
    for path in pages:
        page.goto(hostile_server + path)
        _ready(page)
        _assert_inert(page, dialogs)
        _click_buttons(page, dialogs)
        _click_links(page, dialogs, seen)
    # the payloads are there, shown as text
    page.goto(f"{hostile_server}/article/{articles[0]['id']}")
    _ready(page)
    shown = page.inner_text("main")
    assert "<script>alert(1)</script>" in shown and "onerror=alert(3)>" in shown
    assert page.locator("#article a", has_text="original").count() <= 1
    for href in page.eval_on_selector_all("#article a", "els => els.map(e => e.href)"):
        assert href.startswith(("http://127.0.0.1:", "https://example.org/"))
    # and the guard every page builds its links with refuses other schemes
    verdicts = page.evaluate("""() => ["javascript:alert(1)", " javascript:alert(1)",
        "java\\tscript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x",
        "//evil.example/", "/\\\\evil.example", "https://ok.example/", "/article/x", "#ev-1"]
        .map((u) => window.RP.safeHref(u))""")
    assert verdicts[:8] == [None] * 8
    assert verdicts[8:] == ["https://ok.example/", "/article/x", "#ev-1"]


def test_hostile_text_is_inert_in_the_offline_report(page: sync_api.Page, hostile_server: str,
                                                    tmp_path: Path) -> None:
    dialogs = _watch_dialogs(page)
    index = IndexReport.model_validate(
        page.request.get(hostile_server + "/api/indices/VEN").json())
    report = Report.model_validate(page.request.get(hostile_server + "/api/report/VEN").json())
    path = tmp_path / "hostile.html"
    path.write_text(report_html(index, report, base_url=hostile_server), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector("#country-page[data-ready='1']")
    _assert_inert(page, dialogs, inline_scripts=2)
    assert _click_buttons(page, dialogs, inline_scripts=2) > 3
    assert "<script>alert(1)</script>" in page.inner_text("#evidence")
    seen: set[str] = set()
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")
    assert hrefs and all(h.startswith(hostile_server + "/") for h in hrefs)
    for href in hrefs[:6]:
        if href not in seen:
            seen.add(href)
            page.goto(href)
            _ready(page)
            _assert_inert(page, dialogs)


def test_alerts_page(page: sync_api.Page, alerts_server: str) -> None:
    page.goto(alerts_server + "/alerts")
    button = page.locator("#alerts button.linkish").first
    button.wait_for()
    row = page.locator("#alerts tbody tr").first
    assert "stance change" in row.inner_text() and "ven-allies" in row.inner_text()
    assert "RUS toward VEN: supporting → withdrawing" in button.inner_text()
    button.click()
    detail = page.locator("#alert-detail")
    detail.wait_for()
    figures = page.inner_text("#alert-figures")
    assert "before" in figures and "supporting" in figures and "withdrawing" in figures
    evidence = page.locator("#alert-evidence li.ev").first
    assert "to back Venezuela" in evidence.locator("blockquote").inner_text()
    assert "Harbour Times" in evidence.inner_text()
    evidence.locator("ul.links a").first.click()
    page.wait_for_url("**/article/*")
    page.locator("main").get_by_text("Russia refused to back Venezuela").first.wait_for()
    page.goto(alerts_server + "/alerts")
    page.fill("#alerts-form input[name=country]", "JPN")
    page.click("#alerts-form button[type=submit]")
    page.wait_for_function("document.getElementById('status').textContent.includes('No alerts')")
    assert page.locator("#alerts").is_hidden()
