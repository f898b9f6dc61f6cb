"""The CLI starts without the heavy stages: they are imported by the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("spacy", "thinc", "torch", "sentence_transformers", "sklearn", "duckdb", "pyarrow",
         "fastapi", "uvicorn", "datasketch", "matplotlib", "plotly", "ray", "usearch",
         "trafilatura", "dateparser")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_importing_the_cli_loads_no_heavy_stage() -> None:
    loaded = _modules_after("import realpolitik.cli")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_and_schema_load_no_heavy_stage() -> None:
    for args in (["--help"], ["schema"], ["config"]):
        loaded = _modules_after(
            "from typer.testing import CliRunner\nfrom realpolitik.cli import app\n"
            f"assert CliRunner().invoke(app, {args!r}).exit_code == 0")
        assert loaded.isdisjoint(HEAVY), (args, sorted(loaded & set(HEAVY)))
