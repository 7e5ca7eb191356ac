"""The zflow command line: commands, output and exit codes (0 ok, 1 task failures, 2 bad recipe or usage)."""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Sequence

from ..errors import RecipeError, ZflowError
from ..events import Error
from . import build, inspect, maintenance, schedule, train, watch
from ..load.threads import left_running
from .exits import exit_despite_threads, quiet_broken_pipe

COMMANDS = (build, inspect, maintenance, schedule, train, watch)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="zflow", description="Declarative image-series builds: recipes in, "
                                  "finished assets out, rebuilding only what changed.")
    top.add_argument("-C", "--project", metavar="DIR", help="project folder (default: found from the current one)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_commands(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. As the `zflow` command (no ``argv``), a thread a recipe left running does not keep the
    process alive: it is named and zflow exits with its own code."""
    code = _run(argv)
    if argv is None:
        threads = left_running()
        if threads:
            exit_despite_threads(code, threads)
    return code


def _run(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    warnings.formatwarning = format_warning
    try:
        try:
            code = args.run(args)
        except ZflowError as exc:
            report_error(exc, getattr(args, "json", False))
            code = exc.exit_code
        except KeyboardInterrupt:
            print("zflow: interrupted", file=sys.stderr)
            code = 130
        sys.stdout.flush()  # a closed pipe shows here rather than in the interpreter's last flush
        return code
    except BrokenPipeError:  # the reader (`zflow graph | head`) has all it wants
        return quiet_broken_pipe()


def format_warning(message, category, filename, lineno, line=None) -> str:
    """zflow's own warnings (and its plugins') as one line for people; other libraries' as Python shows them."""
    if category.__module__.split(".")[0].startswith("zflow"):
        return f"zflow: warning: {message}\n"
    return _python_format(message, category, filename, lineno, line)


_python_format = warnings.formatwarning


def report_error(exc: ZflowError, as_json: bool) -> None:
    """An error for people on stderr; with --json, also an error object on stdout."""
    print(f"zflow: error: {exc}", file=sys.stderr)
    if as_json:
        obj = Error(event="error", error=getattr(exc, "message", str(exc)), kind=type(exc).__name__)
        if isinstance(exc, RecipeError):
            obj |= {"file": exc.file, "line": exc.line}
        print(json.dumps(obj, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
