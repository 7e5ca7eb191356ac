"""Benchmark: watch-mode latency on the preview backend, and re-planning a 10,000-task recipe in a live session.

Usage: python bench/watch_latency.py [--repeats 5] [--tasks 10000] [--no-browser]
Figures: save -> first stale task started (target < 300 ms), save -> the gallery page showing the new image in
headless Chromium (target < 1 s), and reload + plan of a ~10,000-task recipe after a one-line change with the
session's Project kept in memory, as `zflow watch` does it (target < 100 ms), with the functions that dominate
it and the time of the cycle collection the session runs while idle. Ends with one JSON line.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import queue
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from noop import make_project  # bench/noop.py, beside this file
from zflow.engine import Project
from zflow.engine.memory import collect_while_idle, gc_paused, set_aside
from zflow.watch import Session, Watcher
from zflow.watch.server import GalleryServer

QUIET_MS = 100  # `zflow watch` default debounce
SMALL = '''\
from zflow import Character, Edit, Series, Style

mina = Character("mina", looks="barista, green apron")
film = Style("film", "35mm film photo, warm tones")
s = Series("s", style=film, prompt="{{ cast }} {{ action }}, {{ style }}", size="256x256", drafts=3)
s.scene("a", cast=[mina], action="pours coffee", seed=SEED, edits=[Edit.inpaint([0.25, 0.25, 0.75, 0.75], "a smile")])
s.scene("b", cast=[mina], action="reads a book")
s.scene("c", cast=[mina], action="waves goodbye")
'''
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--disable-dev-shm-usage")


def save(path: Path, text: str) -> float:
    """An editor's atomic save; returns the wall-clock time just before it."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text)
    at = time.time()
    os.replace(temp, path)
    return at


class Live:
    """A watch session on a project, in threads, with every event time-stamped."""

    def __init__(self, root: Path, serve: bool):
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.session = Session(lambda: Project(root), emit=lambda e: self.events.put((time.time(), e)))
        self.watcher = Watcher(self.session.request, quiet=QUIET_MS / 1000)
        self.session.on_targets = self.watcher.watch
        self.watcher.watch(self.session.targets())
        self.watcher.start()
        self.server = None
        if serve:
            self.server = GalleryServer(lambda: self.session.project.config.out_dir, lambda: self.session.snapshot,
                                        self.session.pick)
            self.session.publishers.append(self.server.publish)
            self.url = self.server.start()
        self.thread = threading.Thread(target=self.session.run, daemon=True)
        self.thread.start()
        self.until("watching")

    def until(self, kind: str, timeout: float = 120) -> tuple[float, dict]:
        while True:
            at, event = self.events.get(timeout=timeout)
            if event["event"] == kind:
                return at, event

    def close(self) -> None:
        self.session.stop()
        self.thread.join(60)
        self.watcher.stop()
        if self.server is not None:
            self.server.stop()
        self.session.close()


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='zflow-bench-chromium-')}")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def latency(repeats: int, use_browser: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "recipes").mkdir()
        (root / "zflow.toml").write_text("")
        recipe = root / "recipes/small.py"
        recipe.write_text(SMALL.replace("SEED", "1"))
        live = Live(root, serve=use_browser)
        driver = None
        if use_browser:
            driver = browser()
            driver.get(live.url)
        to_start, to_page, to_final = [], [], []
        draft = final = None
        try:
            if driver is not None:
                draft, final = shown(driver, "s/a/draft-1", None)[0], shown(driver, "s/a/edit-1-inpaint", None)[0]
            for n in range(repeats):
                saved = save(recipe, SMALL.replace("SEED", str(100 + n)))
                started, _ = live.until("task-start")
                to_start.append(started - saved)
                live.until("summary")
                if driver is not None:
                    draft, at = shown(driver, "s/a/draft-1", draft)
                    to_page.append(at - saved)
                    final, at = shown(driver, "s/a/edit-1-inpaint", final)
                    to_final.append(at - saved)
        finally:
            if driver is not None:
                driver.quit()
            live.close()
    ms = lambda values: round(statistics.median(values) * 1000, 1) if values else None  # noqa: E731
    return {"save_to_first_task_ms": ms(to_start), "save_to_first_task_runs_ms": [round(v * 1000, 1) for v in to_start],
            "save_to_page_image_ms": ms(to_page), "save_to_page_final_image_ms": ms(to_final),
            "debounce_ms": QUIET_MS}


def shown(driver: Any, task_id: str, old_url: str | None, timeout: float = 60) -> tuple[str, float]:
    """The URL of the first image for ``task_id`` the page finished loading that differs from ``old_url``, and when
    (seconds since the epoch, the page's clock)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        entry = driver.execute_script("return window.zflowLoaded[arguments[0]] || null", task_id)
        if entry and entry["url"] != old_url:
            return entry["url"], entry["at"] / 1000
        time.sleep(0.01)
    raise TimeoutError(f"the page never showed a new image for {task_id}")


def replan(tasks: int, repeats: int = 9) -> dict[str, Any]:
    """Reload + plan after a one-line change of the data table, as a watch session does it after its first build:
    the same Project, automatic collections paused while loading and the fresh load set aside, the idle collection
    (timed apart) between rebuilds."""
    scenes = max(1, tasks // 5)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        make_project(root, scenes)  # the same ~N-task recipe bench/noop.py builds
        calendar = root / "recipes/calendar.csv"
        lines = calendar.read_text().splitlines()
        project = Project(root)
        try:
            loaded = project.load()
            built = time.perf_counter()
            project.build(loaded)  # a watch session re-plans against a full store (about a minute here)
            built = time.perf_counter() - built
            total = len(loaded.graph.tasks)
            collect_while_idle()
            loads, plans, idle, rekeyed, stale = [], [], [], [], []
            profile = cProfile.Profile()
            for n in range(repeats + 1):
                before = {i: p.key for i, p in project.plan(loaded).items.items()}
                lines[1 + scenes // 2] = f"{scenes // 2},waves goodbye {n},a cafe"
                calendar.write_text("\n".join(lines) + "\n")
                if n == repeats:
                    profile.enable()
                start = time.perf_counter()
                with gc_paused():
                    loaded = project.load()
                    set_aside()
                middle = time.perf_counter()
                plan = project.plan(loaded)
                end = time.perf_counter()
                if n == repeats:
                    profile.disable()
                else:
                    loads.append(middle - start)
                    plans.append(end - middle)
                rekeyed.append(sum(item.key != before.get(i) for i, item in plan.items.items()))
                stale.append(len(plan.stale))
                started = time.perf_counter()
                collect_while_idle()
                idle.append(time.perf_counter() - started)
        finally:
            project.close()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    own = sorted(((v[2], f"{Path(k[0]).parent.name}/{Path(k[0]).name}:{k[2]}") for k, v in stats.items()), reverse=True)
    spent = sum(v[2] for v in stats.values())
    totals = [a + b for a, b in zip(loads, plans)]
    ms = lambda values: round(statistics.median(values) * 1000, 1)  # noqa: E731
    return {"tasks": total, "load_ms": ms(loads), "plan_ms": ms(plans), "replan_ms": ms(totals),
            "replan_min_ms": round(min(totals) * 1000, 1), "replan_runs_ms": [round(t * 1000, 1) for t in totals],
            "rekeyed_after_change": max(rekeyed), "stale_after_change": max(stale), "idle_collection_ms": ms(idle),
            "first_build_seconds": round(built, 1),
            "dominant_self_time_share": [[name, round(t / spent, 3)] for t, name in own[:8]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--no-browser", action="store_true", help="skip the save -> page figure")
    args = parser.parse_args()
    use_browser = not args.no_browser and bool(shutil.which("chromedriver"))
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}", flush=True)
    figures = latency(args.repeats, use_browser)
    print(f"save -> first stale task: {figures['save_to_first_task_ms']} ms (target < 300, debounce "
          f"{QUIET_MS} ms)", flush=True)
    print(f"save -> page shows the new draft: {figures['save_to_page_image_ms']} ms (target < 1000); "
          f"its final image: {figures['save_to_page_final_image_ms']} ms", flush=True)
    plan = replan(args.tasks)
    print(f"re-plan of {plan['tasks']} tasks after a one-line change: {plan['replan_ms']} ms median, "
          f"{plan['replan_min_ms']} ms best (load {plan['load_ms']} + plan {plan['plan_ms']}; target < 100); "
          f"{plan['rekeyed_after_change']} tasks re-keyed, {plan['stale_after_change']} stale; the collection "
          f"between rebuilds, while idle: {plan['idle_collection_ms']} ms", flush=True)
    for name, share in plan["dominant_self_time_share"]:
        print(f"  {share:6.1%} of the time in {name} (profiled run)")
    print(json.dumps({"machine": machine, **figures, "replan": plan}), flush=True)


if __name__ == "__main__":
    main()
