"""The offline report: one self-contained HTML file and two PNGs from a real demo DB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from realpolitik.actors.gazetteer import Gazetteer
from realpolitik.cli import build_country_report
from realpolitik.events.lexicon import load_plover
from realpolitik.relations.indices import IndexReport, country_indices
from realpolitik.relations.report import Report
from realpolitik.store import Store
from realpolitik.web.render import report_html, report_pngs
from tests.conftest import DemoDb

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def ven(demo_db: DemoDb) -> tuple[IndexReport, Report]:
    """Indices and report for Venezuela (the session's demo DB), as the API computes them."""
    db = demo_db.path
    with Store(db, read_only=True) as store:
        happenings = store.happenings(country="VEN")
    index = country_indices("VEN", happenings, load_plover(), Gazetteer.load().country_name)
    return index, build_country_report(db, "VEN", None)


def test_report_html_is_self_contained(ven: tuple[IndexReport, Report]) -> None:
    html = report_html(*ven)
    assert "Plotly" in html and "newPlot" in html  # plotly.js itself is inlined
    assert '"country": "VEN"' in html
    for code in ("RUS", "CHN", "IRN", "USA"):
        assert f'"country": "{code}"' in html
    assert '"stance": "withdrawing"' in html and '"stance": "pressuring"' in html
    external = re.findall(r"<(?:script|link|img)\b[^>]*(?:src|href)=[\"']?https?://", html, re.I)
    assert external == []
    assert "<script src=" not in html and "<link rel=\"stylesheet\"" not in html
    # the inlined data cannot close its <script> element early
    data = html.split('id="rp-data">', 1)[1].split("</script>", 1)[0]
    assert "</" not in data


def test_report_html_links_to_a_dashboard_when_asked(ven: tuple[IndexReport, Report]) -> None:
    html = report_html(*ven, base_url="http://localhost:8000/")
    assert '"base_url": "http://localhost:8000"' in html


def test_report_pngs(ven: tuple[IndexReport, Report], tmp_path: Path) -> None:
    paths = report_pngs(*ven, tmp_path / "out" / "ven")
    assert [p.name for p in paths] == ["ven-timeline.png", "ven-network.png"]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000


def test_report_html_data_block_survives_script_text(ven: tuple[IndexReport, Report]) -> None:
    import json
    from html import unescape

    from realpolitik.web.csp import script_hash

    index, report = ven
    hostile = "<!--<script> </script><script>alert(1)</script> & \u2028 \"><img src=x>"
    cp = report.counterparts[0]
    evidence = [e.model_copy(update={"sentence": hostile, "outlet": hostile})
                for e in cp.events]
    doctored = report.model_copy(update={"counterparts": [
        cp.model_copy(update={"events": evidence}), *report.counterparts[1:]]})
    html = report_html(index, doctored)
    data = html.split('id="rp-data">', 1)[1].split("</script>", 1)[0]
    assert not set(data) & {"<", ">", "&", "\u2028"}
    assert json.loads(data)["report"]["counterparts"][0]["events"][0]["sentence"] == hostile
    # only the report's own two inline scripts may run, by hash
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert found
    policy = unescape(found.group(1))
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 2 and all(script_hash(s) in policy for s in scripts)
    with pytest.raises(ValueError, match="http"):
        report_html(index, report, base_url="javascript:alert(1)//")
