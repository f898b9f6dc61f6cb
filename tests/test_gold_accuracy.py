"""The coder's accuracy on the PLOVER gold sentences must not fall (a regression floor).

Runs `realpolitik eval` on ../shared/eval/plover_gsr.jsonl, which is only in the
development workspace (never in the repository); without it the test skips.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import SHARED, run_cli

GSR = SHARED / "eval" / "plover_gsr.jsonl"
# Floors a little under the measured figures (README, "Event coder"). The event-coder
# issue asks for 0.72 and 0.67; the coder does not reach them yet (see the README).
TOP1_FLOOR = 0.62
MACRO_F1_FLOOR = 0.64
ACTORS_FLOOR = 0.37  # type + source + target exact (measured 0.399)

pytestmark = pytest.mark.skipif(
    not GSR.exists(), reason="../shared/eval/plover_gsr.jsonl is not present (dev workspace only)")


def test_gold_accuracy_holds() -> None:
    result = run_cli(["eval", str(GSR), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["top1_accuracy"] >= TOP1_FLOOR, report["top1_accuracy"]
    assert report["macro"]["f1"] >= MACRO_F1_FLOOR, report["macro"]["f1"]
    assert report["type_and_actors_accuracy"] >= ACTORS_FLOOR, report["type_and_actors_accuracy"]


def test_dev_split_reports_reliability() -> None:
    result = run_cli(["eval", "--dev", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    bins = report["reliability"]
    assert sum(b["events"] for b in bins) == report["covered"]
    # calibrated: the surest bin is right more often than the least sure one
    assert bins[-1]["precision"] > bins[0]["precision"]
