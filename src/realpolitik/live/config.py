"""The sources file and the alerts file: pydantic schemas, YAML errors with line numbers.

A sources file lists what to watch and how politely; alert rules live under ``alerts:``
in it or in the file ``settings.alerts_file`` names (resolved against the sources file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from realpolitik.records import PLOVER_TYPES
from realpolitik.settings import DEFAULTS

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file that cannot be used; one ``FILE:LINE: problem`` per line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WatchSettings(_Strict):
    """How the watcher polls: politeness, limits and retry timing (seconds, bytes)."""

    user_agent: str = "Realpolitik/0.1 (political event research; +https://example.org/realpolitik)"
    poll_interval: float = Field(300.0, gt=0)
    timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(60.0, gt=0)
    max_bytes: int = Field(5_000_000, gt=0)
    max_redirects: int = Field(5, ge=0)
    backoff_base: float = Field(30.0, gt=0)
    backoff_max: float = Field(3600.0, gt=0)
    retry_after_max: float = Field(86_400.0, gt=0)
    host_interval: float = Field(1.0, ge=0)
    robots_ttl: float = Field(3600.0, gt=0)
    max_entries: int = Field(50, gt=0)
    alerts_file: str | None = None


class SourceSpec(_Strict):
    """One watched URL: an RSS/Atom feed (its items' pages are fetched) or a single page."""

    url: HttpUrl
    kind: Literal["feed", "page"] = "feed"
    outlet: str | None = None
    interval: float | None = Field(None, gt=0)
    language: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or str(self.url)


class WebhookOutput(_Strict):
    url: HttpUrl
    retries: int = Field(5, ge=0)
    backoff: float = Field(1.0, ge=0)
    timeout: float = Field(10.0, gt=0)


class AlertOutputs(_Strict):
    """Where fired alerts go besides the store (which the dashboard reads)."""

    terminal: bool = True
    jsonl: str | None = None
    webhook: WebhookOutput | None = None


class AlertRule(_Strict):
    """One rule for a country (ISO3) or ``*`` (every target country in new happenings)."""

    name: str
    country: str = "*"
    when: Literal["stance_change", "index", "happening"]
    counterparts: list[str] | None = None
    index: Literal["isolation", "pressure"] | None = None
    above: float | None = None
    move: float | None = Field(None, gt=0)
    within_days: int | None = Field(None, gt=0)
    types: list[str] | None = None
    min_origins: int = Field(1, ge=1)
    window_days: int = Field(DEFAULTS.analysis.window_days, gt=0)
    baseline_days: int = Field(DEFAULTS.analysis.baseline_days, gt=0)

    @model_validator(mode="after")
    def _fits_kind(self) -> AlertRule:
        if self.when == "index" and (self.index is None or (self.above is None
                                                            and self.move is None)):
            raise ValueError("an index rule needs `index` and `above` and/or `move`")
        unknown = sorted(set(self.types or []) - set(PLOVER_TYPES))
        if unknown:
            raise ValueError(f"unknown PLOVER types {unknown}")
        return self


class AlertsConfig(_Strict):
    outputs: AlertOutputs = Field(default_factory=AlertOutputs)
    rules: list[AlertRule] = Field(default_factory=list)


class SourcesFile(_Strict):
    settings: WatchSettings = Field(default_factory=WatchSettings)
    sources: list[SourceSpec] = Field(min_length=1)
    alerts: AlertsConfig | None = None


def _lines(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Line (1-based) of every mapping key and sequence item, by its pydantic loc path."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, key.value)
            out.update(_lines(value, sub))
            out[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_lines(item, (*path, i)))
    return out


def _where(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _dotted(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def load_model(path: Path, model: type[M]) -> M:
    """Parse and validate a YAML file; every problem is reported with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ConfigError(f"{path}:{line}: invalid YAML ({getattr(exc, 'problem', exc)})"
                          ) from exc
    if node is None or not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = _lines(node)
        problems = [f"{path}:{_where(tuple(e['loc']), lines)}: {_dotted(tuple(e['loc']))}: "
                    f"{e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(problems)) from exc


def load_config(path: Path) -> tuple[SourcesFile, AlertsConfig]:
    """The sources file and its alert rules (inline or from ``settings.alerts_file``)."""
    sources = load_model(path, SourcesFile)
    alerts = sources.alerts or AlertsConfig(outputs=AlertOutputs(), rules=[])
    if sources.settings.alerts_file:
        extra = load_model(path.parent / sources.settings.alerts_file, AlertsConfig)
        alerts = AlertsConfig(outputs=extra.outputs if sources.alerts is None else alerts.outputs,
                              rules=[*alerts.rules, *extra.rules])
    return sources, alerts
