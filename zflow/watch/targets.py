"""What to watch: the files the last load read, new files matching the recipe globs, local plugins and config."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Names editors use for swap, backup and temporary files while saving (never a change in themselves).
_TEMP_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".bak", "~")


def is_editor_temp(path: Path) -> bool:
    """Vim swap files, Emacs locks and backups, editors' temporary save files."""
    name = path.name
    return name.startswith((".", "#")) or name.endswith(_TEMP_SUFFIXES) or name == "4913"


@dataclass(frozen=True, slots=True)
class Targets:
    """The watched set: exact files, glob patterns (relative to ``root``) for new files, folders never watched."""

    root: Path
    files: frozenset[Path]
    patterns: tuple[str, ...] = ()
    ignored: tuple[Path, ...] = ()

    def wants(self, path: Path) -> bool:
        """Whether a change to ``path`` can change what a load reads."""
        if any(path.is_relative_to(folder) for folder in self.ignored):
            return False
        if path in self.files:
            return True
        if is_editor_temp(path) or not path.is_relative_to(self.root):
            return False
        rel = path.relative_to(self.root).as_posix()
        return any(fnmatch.fnmatchcase(rel, pattern) for pattern in self.patterns)

    def folders(self) -> dict[Path, bool]:
        """Folders to observe, each with whether to observe it recursively."""
        found: dict[Path, bool] = {}
        for file in self.files:
            found.setdefault(file.parent, False)
        for pattern in self.patterns:
            parts = PurePosixPath(pattern).parts
            fixed = [p for p in parts[:-1]]
            cut = next((i for i, p in enumerate(fixed) if any(c in p for c in "*?[")), len(fixed))
            folder = self.root.joinpath(*fixed[:cut])
            found[folder] = found.get(folder, False) or cut < len(fixed)
        return {folder: recursive for folder, recursive in found.items()
                if folder.is_dir() and not any(folder.is_relative_to(i) for i in self.ignored)}
