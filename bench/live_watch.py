"""`make bench-live`: `realpolitik watch` against the fixture site for 2 minutes, 20 feeds
polled every 5 s, new items appearing as it runs (acceptance 2 of issue 10).

Prints the watcher's resident memory (current and peak, from /proc) after its first round
and at the end, and the articles stored against the distinct articles served: every
article must be stored once, including those that two feeds carry under different URLs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.live_fixture import FixtureSite, Story, feed, page_html, rss, serve, static  # noqa: E402

from realpolitik.store import Store  # noqa: E402

OUT = Path(__file__).parent / "out"
FEEDS, INTERVAL, SECONDS, NEW_EVERY = 20, 5.0, 120.0, 30.0
COUNTRIES = ["Russia", "China", "Iran", "India", "Brazil", "Turkey", "Japan", "Germany",
             "France", "Mexico", "Egypt", "Kenya", "Chile", "Poland", "Vietnam", "Canada"]
ACTS = [("pledged to cooperate with", "on energy projects"),
        ("agreed to provide loans to", "after talks in the capital"),
        ("accused", "of violating the border agreement"),
        ("signed a trade agreement with", "during a state visit")]


def article(n: int) -> Story:
    """The n-th distinct article: a pair of countries and an act, with a unique detail."""
    a, b = list(itertools.permutations(COUNTRIES, 2))[n * 7 % 240]
    verb, tail = ACTS[n % len(ACTS)]
    day = dt.date(2025, 10, 1) + dt.timedelta(days=n % 60)
    text = [f"{a} {verb} {b} {tail} on {day:%A}, officials said.",
            f"The ministry said the decision number {n} followed months of negotiation "
            f"between the two governments."]
    return Story(f"a{n}", f"{a} and {b}: report {n}", day, text, f"Outlet {n % FEEDS}")


def schedule() -> dict[int, list[tuple[int, str]]]:
    """Per feed, (article number, path) items in order of appearance (one new item per
    feed and wave; the last wave comes 30 s before the end); every fifth article appears
    twice in its feed, under a second URL (the same text, a changed permalink)."""
    items: dict[int, list[tuple[int, str]]] = {f: [] for f in range(FEEDS)}
    for wave in range(int(SECONDS // NEW_EVERY)):
        for f in range(FEEDS):
            n = wave * FEEDS + f
            items[f].append((n, f"/f{f}/a{n}"))
            if n % 5 == 0:
                items[f].append((n, f"/f{f}/permalink/a{n}"))
    return items


def publish(site: FixtureSite, items: dict[int, list[tuple[int, str]]], wave: int) -> None:
    """Serve every feed with the items of waves up to ``wave`` (new ETags when they grow)."""
    for f, its in items.items():
        shown = [(n, p) for n, p in its if n // FEEDS <= wave]
        for n, path in shown:
            site.routes.setdefault(path, static(page_html(article(n))))
        site.routes[f"/feeds/{f}.xml"] = feed(rss(site.base, [
            (article(n).title, path, article(n).date) for n, path in reversed(shown)],
            title=f"Outlet {f}"))


def memory(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process in MB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    db = OUT / "live_bench.duckdb"
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    items = schedule()
    with serve(FixtureSite()) as site:
        site.routes["/robots.txt"] = static("User-agent: *\nDisallow: /private/\n",
                                            "text/plain")
        publish(site, items, 0)
        sources = OUT / "live_bench_sources.yaml"
        sources.write_text(yaml.safe_dump({
            "settings": {"poll_interval": INTERVAL, "host_interval": 0.0, "timeout": 5,
                         "backoff_base": 1, "backoff_max": 10},
            "sources": [{"url": f"{site.base}/feeds/{f}.xml", "name": f"feed{f}"}
                        for f in range(FEEDS)]}), encoding="utf-8")
        log = (OUT / "live_bench.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "realpolitik.cli", "watch",
                                 str(sources), "--db", str(db)], stderr=log,
                                stdout=subprocess.DEVNULL, env={**os.environ}, cwd=REPO)
        first_round = wait_first_round(OUT / "live_bench.log", proc)
        start = memory(proc.pid)
        began = time.monotonic()
        stop = threading.Event()
        waves = threading.Thread(target=grow, args=(site, items, stop), daemon=True)
        waves.start()
        samples = [start[0]]
        while time.monotonic() - began < SECONDS and proc.poll() is None:
            time.sleep(5)
            samples.append(memory(proc.pid)[0])
        end = memory(proc.pid)
        stop.set()
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)
        log.close()
    served = {n for its in items.values() for n, _ in its}
    with Store(db) as store:
        stored = store.articles()
    titles = [a.title for a in stored]
    print(f"{FEEDS} feeds polled every {INTERVAL:.0f} s for {SECONDS:.0f} s "
          f"(first round took {first_round:.1f} s, exit code {proc.returncode})")
    print(f"RSS after the first round: {start[0]:.0f} MB (peak {start[1]:.0f} MB)")
    print(f"RSS at the end:            {end[0]:.0f} MB (peak {end[1]:.0f} MB)")
    print("RSS every 5 s (MB): " + " ".join(f"{x:.0f}" for x in samples))
    print(f"articles served: {len(served)} distinct ({sum(map(len, items.values()))} feed "
          f"items); stored: {len(stored)}, distinct titles {len(set(titles))}")
    if len(stored) != len(served) or len(set(titles)) != len(titles):
        raise SystemExit("FAIL: articles were missed or stored twice")


def wait_first_round(log: Path, proc: subprocess.Popen[bytes], timeout: float = 300) -> float:
    """Seconds until every feed has been polled once and the first articles are grouped
    into stories (both models have run by then: memory is measured from there)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout and proc.poll() is None:
        lines = log.read_text().splitlines()
        polled = {line.split(" source=", 1)[1].split(" ", 1)[0]
                  for line in lines if "event=polled" in line}
        if len(polled) >= FEEDS and any("event=stories" in line for line in lines):
            return time.monotonic() - began
        time.sleep(0.5)
    raise SystemExit(f"the watcher did not finish its first round:\n{log.read_text()[-3000:]}")


def grow(site: FixtureSite, items: dict[int, list[tuple[int, str]]],
         stop: threading.Event) -> None:
    """Publish a new wave of items every NEW_EVERY seconds."""
    wave = 0
    while not stop.wait(NEW_EVERY):
        wave += 1
        publish(site, items, wave)


if __name__ == "__main__":
    main()
