"""How the CLI shows events: JSON lines for machines, a progress bar and short lines for people."""
from __future__ import annotations

import json
import sys
from typing import TextIO

from ..events import Event


class JsonLines:
    """One JSON object per line on stdout."""

    def __init__(self, stream: TextIO = sys.stdout):
        self.stream = stream

    def __call__(self, event: Event) -> None:
        self.stream.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()

    def close(self) -> None:
        return None


class Human:
    """A rich progress bar while tasks run; failures printed in full; one summary line at the end."""

    def __init__(self, quiet: bool = False):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.quiet = quiet
        self.progress = None
        self.bar = None

    def __call__(self, event: Event) -> None:
        kind = event["event"]
        if kind == "build-start" and event["stale"] and not self.quiet:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), TextColumn("{task.description}"), console=self.console,
                                     transient=True)
            self.progress.start()
            self.bar = self.progress.add_task("", total=event["stale"])
        elif kind in ("task-done", "task-failed", "task-skipped") and self.progress is not None:
            self.progress.update(self.bar, advance=1, description=event["id"])
        elif kind == "train-progress" and self.progress is not None:
            self.progress.update(self.bar, description=train_line(event))
        if kind == "task-failed":
            self.console.print(f"[red]failed[/red] {event['id']}: {event['error']}", highlight=False)
        elif kind == "task-skipped" and not self.quiet:
            self.console.print(f"[yellow]skipped[/yellow] {event['id']} (input {event['because']} failed)",
                               highlight=False)
        elif kind == "export-empty" and not self.quiet:
            self.console.print(f"[yellow]nothing to export[/yellow] {event['id']}: {event['reason']} (skipped)",
                               highlight=False)
        elif kind == "model-load" and not self.quiet:
            where = ", ".join(str(event[k]) for k in ("dtype", "device") if k in event)
            memory = event.get("memory") or 0
            size = f", {memory / 2**30:.2f} GiB" if memory >= 2**30 else f", {memory / 2**20:.1f} MiB" if memory else ""
            self.console.print(f"loaded {event['model']} ({event['backend']}{', ' + where if where else ''}{size}) "
                               f"in {event['seconds']:.2f}s", highlight=False)
        elif kind == "model-release" and not self.quiet:
            self.console.print(f"released {event['model']} ({event['backend']}, {event['device']}): "
                               f"{RELEASED.get(event['reason'], event['reason'])}",
                               highlight=False)
        elif kind == "kept":
            self.console.print(f"[yellow]kept[/yellow] {event['path']}: {event['reason']}", highlight=False)
        elif kind == "note" and not self.quiet:
            self.console.print(f"[yellow]note[/yellow] {event['file']}:{event['line']}: {event['message']}",
                               highlight=False)
        elif kind == "summary":
            self.close()
            self.console.print(
                f"{event['ran']} ran, {event['cached']} cached, {event['failed']} failed, {event['skipped']} skipped "
                f"in {event['seconds']:.2f}s", highlight=False)
            if event.get("removed"):
                self.console.print(removed_line(event.get("removed_files", [])), highlight=False)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


#: Why weights were dropped, in words.
RELEASED = {"memory": "room for another model", "idle": "idle", "trained": "training done"}


def train_line(event: Event) -> str:
    """``characters/nabi/train step 120/2000 loss 0.1234 3.21 it/s`` (``, checkpoint saved`` when one was)."""
    saved = ", checkpoint saved" if event["checkpoint"] else ""
    return (f"{event['id']} step {event['step']}/{event['steps']} loss {event['loss']:.4g} "
            f"{event['it_s']:.2f} it/s{saved}")


def removed_line(paths: list[str], shown: int = 5) -> str:
    """``removed 7 files from out/: a.png, b.png, ... (+2 more)``."""
    more = f" (+{len(paths) - shown} more)" if len(paths) > shown else ""
    return f"removed {len(paths)} file{'s' if len(paths) != 1 else ''} from out/: {', '.join(paths[:shown])}{more}"
