"""A running `zflow watch --json` whose events the tests read as they come, the `watching` fixture (the basic
project watched), and the `serve` fixture that starts one with its live gallery (`--serve --port 0`) and stops it
after the test."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from helpers.project import ZFLOW, ProjectDir

TIMEOUT = 60.0


class WatchProcess:
    """A running `zflow watch --json`, its events read from stdout as they come."""

    def __init__(self, proj: ProjectDir, *args: str, as_json: bool = True):
        flags = ["--json"] if as_json else []
        self.proc = subprocess.Popen([ZFLOW, "watch", *flags, "--debounce", "50", *args], cwd=proj.root,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **proj.env})
        self.lines: queue.Queue[tuple[str, str | None]] = queue.Queue()
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))
        self.lines.put((name, None))

    def line(self, timeout: float = TIMEOUT) -> tuple[str, str]:
        """The next line as (stream, text); fails when the process ends or nothing comes in time."""
        try:
            name, text = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"zflow watch printed nothing for {timeout}s") from None
        if text is None:
            raise AssertionError(f"zflow watch ended (exit {self.proc.wait()})")
        return name, text

    def until(self, done: Callable[[dict], bool], timeout: float = TIMEOUT) -> list[dict]:
        """JSON events up to and including the first one ``done`` accepts."""
        events = []
        while True:
            name, text = self.line(timeout)
            if name == "out" and text.startswith("{"):
                events.append(json.loads(text))
                if done(events[-1]):
                    return events

    def rebuild(self) -> list[dict]:
        """The events of the next rebuild: up to its summary, or up to a recipe error."""
        return self.until(lambda e: e["event"] in ("summary", "error"))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGUSR1)  # the stuck process prints its threads' stacks on stderr
            stacks = []
            while True:
                try:
                    name, text = self.lines.get(timeout=3)
                except queue.Empty:
                    break
                if name == "err" and text is not None:
                    stacks.append(text)
            raise AssertionError("zflow watch did not stop:\n" + "\n".join(stacks)) from None
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def ran(events: list[dict]) -> set[str]:
    return {e["id"] for e in events if e["event"] == "task-done"}


def started(events: list[dict]) -> set[str]:
    return {e["id"] for e in events if e["event"] == "task-start"}


@pytest.fixture
def watching(basic: ProjectDir) -> Iterator[tuple[ProjectDir, WatchProcess, list[dict]]]:
    """The basic project (conftest's ``basic``) under `zflow watch --json`, past its first build; yields (project,
    process, its first events) and checks that it stops cleanly."""
    proc = WatchProcess(basic)
    events = proc.until(lambda e: e["event"] == "watching")
    yield basic, proc, events
    assert proc.stop() == 0


@dataclass
class Served:
    """A `zflow watch --serve` with its gallery's URL and the events of its start, up to the one waited for."""

    proc: WatchProcess
    url: str
    first: list[dict]

    @property
    def port(self) -> int:
        return urlsplit(self.url).port


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """``serve(project, until="watching")`` starts `zflow watch --json --serve --port 0` on the project and returns
    once it serves and its first build reached the event ``until``; each one started is stopped after the test,
    which fails unless it exits 0."""
    started: list[WatchProcess] = []

    def start(proj: ProjectDir, until: str = "watching") -> Served:
        proc = WatchProcess(proj, "--serve", "--port", "0")
        started.append(proc)
        url = proc.until(lambda e: e["event"] == "serving")[-1]["url"]
        return Served(proc, url, proc.until(lambda e: e["event"] == until))

    yield start
    codes = [proc.stop() for proc in started]
    assert codes == [0] * len(started), f"zflow watch exit codes {codes}"
