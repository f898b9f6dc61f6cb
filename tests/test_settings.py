"""The settings object: layers in order of precedence, provenance, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realpolitik.cli import app
from realpolitik.settings import DEFAULTS, SettingsError, load_settings


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "realpolitik.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_read_no_environment() -> None:
    loaded = load_settings(environ={})
    assert loaded.settings == DEFAULTS
    assert loaded.settings.analysis.window_days == 90
    assert loaded.settings.analysis.baseline_days == 365
    assert {layer for _, _, layer in loaded.rows()} == {"default"}


def test_every_group_is_read_from_the_environment() -> None:
    from realpolitik.settings import Settings, _env_reader

    assert set(_env_reader().model_fields) == set(Settings.model_fields)


def test_file_then_env_then_cli(tmp_path: Path) -> None:
    config = _toml(tmp_path, "[analysis]\nwindow_days = 30\nbaseline_days = 200\n"
                             "[stories]\nwindow_days = 3\n[model]\nspacy = 'from_file'\n")
    loaded = load_settings(config, cli={"analysis.window_days": 10, "model.workers": None},
                           environ={"REALPOLITIK_ANALYSIS__WINDOW_DAYS": "20",
                                    "REALPOLITIK_STORIES__WINDOW_DAYS": "5",
                                    "REALPOLITIK_SPACY_MODEL": "legacy_name"})
    s = loaded.settings
    assert (s.analysis.window_days, s.analysis.baseline_days) == (10, 200)
    assert s.stories.window_days == 5
    assert s.model.spacy == "legacy_name"
    assert s.model.workers == 1  # an option left unset falls through
    origin = {key: layer for key, _, layer in loaded.rows()}
    assert origin["analysis.window_days"] == "cli"
    assert origin["analysis.baseline_days"] == "file"
    assert origin["stories.window_days"] == "env"
    assert origin["model.workers"] == "default"


def test_nested_env_name_beats_the_legacy_one() -> None:
    s = load_settings(environ={"REALPOLITIK_MODEL__SPACY": "nested",
                               "REALPOLITIK_SPACY_MODEL": "legacy",
                               "REALPOLITIK_ALLOWED_HOSTS": "a.example, b.example"}).settings
    assert s.model.spacy == "nested"
    assert s.api.allowed_hosts == ("a.example", "b.example")


def test_config_file_from_environment(tmp_path: Path) -> None:
    config = _toml(tmp_path, "[api]\nport = 9001\n")
    loaded = load_settings(environ={"REALPOLITIK_CONFIG": str(config)})
    assert loaded.settings.api.port == 9001 and loaded.config_file == config


@pytest.mark.parametrize(("text", "environ", "message"), [
    ("[analysis]\nwindow_days = 0\n", {}, "realpolitik.toml: analysis.window_days"),
    ("[analysis]\nwindow = 30\n", {}, "analysis.window"),
    ("[nonsense]\nx = 1\n", {}, "unknown settings table [nonsense]"),
    ("[analysis\n", {}, "not valid TOML"),
    ("", {"REALPOLITIK_API__PORT": "eighty"}, "$REALPOLITIK_API__PORT"),
    ("", {"REALPOLITIK_WRITE_TIMEOUT": "soon"},
     "$REALPOLITIK_API__WRITE_TIMEOUT (or $REALPOLITIK_WRITE_TIMEOUT)"),
])
def test_bad_values_name_where_they_came_from(tmp_path: Path, text: str,
                                              environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=None) as info:
        load_settings(_toml(tmp_path, text), environ=environ)
    assert message in str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such config file"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_secret_is_not_printed() -> None:
    loaded = load_settings(environ={"REALPOLITIK_API_TOKEN": "s3cret-token"})
    assert loaded.settings.api.token is not None
    assert loaded.settings.api.token.get_secret_value() == "s3cret-token"
    assert "s3cret-token" not in json.dumps(loaded.rows(json_values=True))


def test_config_command_prints_values_and_layers(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = _toml(tmp_path, "[analysis]\nbaseline_days = 200\n")
    monkeypatch.setenv("REALPOLITIK_STORIES__JOIN_THRESHOLD", "0.65")
    result = CliRunner().invoke(app, ["--config", str(config), "--set",
                                      "analysis.window_days=45", "config", "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["analysis.window_days"] == {"value": 45, "from": "cli"}
    assert shown["analysis.baseline_days"] == {"value": 200, "from": "file"}
    assert shown["stories.join_threshold"] == {"value": 0.65, "from": "env"}
    assert shown["coder.min_confidence"] == {"value": 0.0, "from": "default"}
    text = CliRunner().invoke(app, ["--config", str(config), "config"]).stdout
    assert "baseline_days = 200  # file" in text and "[stories]" in text


def test_bad_setting_on_the_command_line_is_one_line() -> None:
    result = CliRunner().invoke(app, ["--set", "analysis.window_days=soon", "config"])
    assert result.exit_code == 2
    assert "error: command line: analysis.window_days" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["--set", "window_days=3", "config"])
    assert result.exit_code == 2 and "GROUP.FIELD=VALUE" in result.output


def test_indices_read_the_window_from_every_layer(demo_db, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`realpolitik indices` takes its window from the file, the environment, --set and
    --window, the later overriding the earlier."""
    import datetime as dt

    def window(*args: str) -> int:
        result = CliRunner().invoke(app, [*args, "indices", "--country", "VEN", "--db",
                                          str(demo_db.path), "--format", "json",
                                          *extra.pop(0)])
        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        return (dt.date.fromisoformat(body["as_of"])
                - dt.date.fromisoformat(body["window_start"])).days + 1

    config = _toml(tmp_path, "[analysis]\nwindow_days = 40\n")
    extra: list[list[str]] = [[], [], [], [], ["--window", "12"]]
    assert window() == 90
    assert window("--config", str(config)) == 40
    monkeypatch.setenv("REALPOLITIK_ANALYSIS__WINDOW_DAYS", "30")
    assert window("--config", str(config)) == 30
    assert window("--config", str(config), "--set", "analysis.window_days=20") == 20
    assert window("--set", "analysis.window_days=20") == 12
