"""Where fired alerts go: the terminal (the reporter), a JSONL file and a webhook.

The store (and so the dashboard) gets every alert before these run (``AlertEngine``).
The webhook posts from its own thread with retries, so a slow or dead receiver never
holds up the watcher; alerts still queued at shutdown get ``drain_seconds`` to go out.
"""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path

import httpx

from realpolitik.live.alerts import Alert
from realpolitik.live.config import AlertOutputs, WebhookOutput
from realpolitik.live.status import Reporter


class JsonlSink:
    """Appends one JSON object per alert, flushed at once."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path

    def send(self, alert: Alert) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(alert.model_dump(), ensure_ascii=False, default=str) + "\n")

    def close(self) -> None:
        """Nothing held open."""


class WebhookSink:
    """POSTs each alert as JSON from a background thread; retries with back-off."""

    def __init__(self, spec: WebhookOutput, reporter: Reporter, user_agent: str,
                 drain_seconds: float = 10.0) -> None:
        self.spec, self.reporter, self.drain_seconds = spec, reporter, drain_seconds
        self.queue: queue.Queue[Alert | None] = queue.Queue()
        self.stop = threading.Event()
        self.client = httpx.Client(timeout=spec.timeout, headers={"User-Agent": user_agent})
        self.thread = threading.Thread(target=self._work, name="webhook", daemon=True)
        self.thread.start()

    def send(self, alert: Alert) -> None:
        self.queue.put(alert)

    def _work(self) -> None:
        while (alert := self.queue.get()) is not None:
            self._post(alert)

    def _post(self, alert: Alert) -> None:
        problem = ""
        for attempt in range(self.spec.retries + 1):
            try:
                resp = self.client.post(str(self.spec.url), json=alert.model_dump(mode="json"))
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code < 300:
                    self.reporter.event("info", "webhook_sent", key=alert.key,
                                        status=resp.status_code, attempts=attempt + 1)
                    return
                problem = f"HTTP {resp.status_code}"
            if self.stop.wait(self.spec.backoff * 2 ** attempt):
                break
        self.reporter.event("error", "webhook_failed", key=alert.key, problem=problem,
                            attempts=self.spec.retries + 1)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(self.drain_seconds)
        self.stop.set()
        self.thread.join(1.0)
        self.client.close()


class Dispatcher:
    """Sends each alert to the terminal and to every configured output."""

    def __init__(self, outputs: AlertOutputs, reporter: Reporter, user_agent: str,
                 base: Path) -> None:
        self.outputs, self.reporter = outputs, reporter
        self.sinks: list[JsonlSink | WebhookSink] = []
        if outputs.jsonl:
            self.sinks.append(JsonlSink(base / outputs.jsonl))
        if outputs.webhook:
            self.sinks.append(WebhookSink(outputs.webhook, reporter, user_agent))

    def send(self, alert: Alert) -> None:
        if self.outputs.terminal:
            self.reporter.event("alert", "alert", rule=alert.rule, key=alert.key,
                                title=alert.title, evidence=len(alert.evidence))
        for sink in self.sinks:
            try:
                sink.send(alert)
            except OSError as exc:
                self.reporter.event("error", "alert_output_failed", key=alert.key,
                                    problem=str(exc))

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()
