"""`zflow watch`: rebuild as files are saved (optionally serving the live gallery), one line per rebuild."""
from __future__ import annotations

import argparse
import faulthandler
import signal
import sys
import time
from pathlib import Path
from typing import Any

from ..config import find_root
from ..engine import Project
from ..errors import UsageError
from ..events import Event, Serving, Stopped
from .common import add_recipes_argument
from .display import JsonLines, removed_line


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help="rebuild what changed whenever a file the recipes read is saved")
    add_recipes_argument(p)
    p.add_argument("--json", action="store_true",
                   help="print the build events as JSON lines, a summary after each rebuild, errors as objects")
    p.add_argument("--serve", action="store_true", help="serve the live gallery on 127.0.0.1")
    p.add_argument("--host", default="127.0.0.1", help="loopback address for the gallery (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="gallery port (default 8765; 0 picks a free one)")
    p.add_argument("--executor", help="executor to run tasks on (default from zflow.toml: local)")
    p.add_argument("--debounce", type=int, default=100, metavar="MS",
                   help="wait for this many milliseconds of quiet before rebuilding (default 100)")
    p.set_defaults(run=run_watch)


def run_watch(args: argparse.Namespace) -> int:
    if not 10 <= args.debounce <= 5000:
        raise UsageError(f"--debounce {args.debounce}: give between 10 and 5000 milliseconds")
    from ..watch import Session, Watcher
    from ..watch.gallery import TaskDetails
    from ..watch.server import GalleryServer, check_host

    if args.serve:
        check_host(args.host)
    root = find_root(Path(args.project) if args.project else Path.cwd())
    display = JsonLines() if args.json else Lines()
    session = Session(lambda: Project(root), args.recipes, args.executor, display)
    watcher = Watcher(session.request, quiet=args.debounce / 1000)
    session.on_targets = watcher.watch
    watcher.watch(session.targets())
    watcher.start()
    server = None
    details = TaskDetails(lambda: session.project.store.dir / "index.sqlite")

    def stop(signum: int, frame: Any) -> None:
        """First Ctrl-C (or SIGTERM): finish the running task and stop; a second one interrupts at once."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        session.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID` shows where a watch is stuck
    try:
        if args.serve:
            server = GalleryServer(lambda: session.project.config.out_dir, lambda: session.snapshot, session.pick,
                                   args.host, args.port, details)
            session.publishers.append(server.publish)
            display(Serving(event="serving", url=server.start()))
        session.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if server is not None:
            server.stop()
        details.close()
        session.close()
        display(Stopped(event="stopped"))
    return 0


#: How many of the tasks that ran a rebuild's line names.
NAMED = 3


class Lines:
    """People's output: one line per rebuild (what changed, which tasks ran, how long), failures and errors in
    full, and a line when watching stops."""

    def __init__(self) -> None:
        self.changed = "start"
        self.started = time.perf_counter()
        self.ran: list[str] = []

    def __call__(self, event: Event) -> None:
        kind = event["event"]
        if kind == "change":
            self.changed = ", ".join(event["files"])
            self.started = time.perf_counter()
        elif kind == "build-start":
            self.ran = []
        elif kind == "task-done":
            self.ran.append(event["id"])
        elif kind == "summary":
            extra = f", {event['superseded']} superseded" if event.get("superseded") else ""
            self._out(f"{self.changed}: {event['ran']} ran{_named(self.ran)}, {event['cached']} cached, "
                      f"{event['failed']} failed, {event['skipped']} skipped{extra} "
                      f"in {time.perf_counter() - self.started:.2f}s")
            self.ran = []
            if event.get("removed"):
                self._out(removed_line(event.get("removed_files", [])))
        elif kind == "kept":
            self._out(f"kept {event['path']}: {event['reason']}", sys.stderr)
        elif kind == "note":
            self._out(f"note: {event['file']}:{event['line']}: {event['message']}")
        elif kind == "task-failed":
            self._out(f"failed {event['id']}: {event['error']}", sys.stderr)
        elif kind == "error":
            where = f"{event['file']}:{event.get('line') or 0}: " if event.get("file") else ""
            self._out(f"{self.changed}: error: {where}{event['error']} (the last good results stay)", sys.stderr)
        elif kind == "serving":
            self._out(f"gallery: {event['url']}")
        elif kind == "watching":
            self._out(f"watching {event['files']} files; Ctrl-C to stop")
        elif kind == "stopped":
            self._out("stopped watching")

    @staticmethod
    def _out(text: str, stream: Any = None) -> None:
        print(f"{time.strftime('%H:%M:%S')} {text}", file=stream or sys.stdout, flush=True)


def _named(ran: list[str]) -> str:
    """The first few task ids that ran, and how many more: " (s/a/draft-1, s/a/contact, +2 more)"."""
    if not ran:
        return ""
    more = f", +{len(ran) - NAMED} more" if len(ran) > NAMED else ""
    return f" ({', '.join(ran[:NAMED])}{more})"
