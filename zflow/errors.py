"""The one exception family: each error carries what a user needs to fix it."""
from __future__ import annotations


class ZflowError(Exception):
    """Base of every error zflow raises on purpose."""

    exit_code = 1


class RecipeError(ZflowError):
    """A recipe (or a file it reads) is wrong; names the file and line at fault."""

    exit_code = 2

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        return f"{self.file}:{self.line or 0}: {self.message}"


class UsageError(ZflowError):
    """The command line or configuration asks for something impossible."""

    exit_code = 2


class TaskError(ZflowError):
    """One task failed; the build goes on with independent work."""

    def __init__(self, task_id: str, message: str):
        super().__init__(f"{task_id}: {message}")
        self.task_id = task_id
        self.message = message


class StoreError(ZflowError):
    """The project store cannot be used as asked (locked, unreadable, an output path taken)."""

    exit_code = 2


class PluginError(ZflowError):
    """A plugin is missing, broken or refused."""

    exit_code = 2
