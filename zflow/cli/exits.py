"""How the command ends when its surroundings misbehave: a reader that closed the pipe, threads a recipe left running."""
from __future__ import annotations

import os
import sys
import threading

#: The exit status of a command whose reader went away (128 + SIGPIPE), as `cat file | head` reports for `cat`.
BROKEN_PIPE = 141


def quiet_broken_pipe() -> int:
    """Point stdout at /dev/null so that the interpreter's last flush cannot raise again; the status to exit with."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE


def exit_despite_threads(code: int, threads: list[threading.Thread]) -> None:
    """Name the threads left running and end the process with ``code`` without waiting for them."""
    names = ", ".join(repr(t.name) for t in threads)
    try:
        print(f"zflow: warning: not waiting for {len(threads)} thread(s) a recipe left running: {names}",
              file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
