"""Declaration values as canonical JSON data, probing the files they name (once per graph build)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..contracts import shown_path
from ..dsl import Character, File, Row, Style
from ..signature import Signature, signature
from .model import fail

_SCALARS = frozenset({str, int, float, bool, type(None)})


class Probe:
    """Turns values into canonical data and checks the files they name, remembering what it read (``reads``, for a
    scene's reuse) and each file's signature and image size once per graph build."""

    def __init__(self, root: Path, image_size: Callable[[Path], tuple[int, int]]):
        self.root = root.resolve()
        self.image_size = image_size
        self.reads: list[Path] = []
        self._images: dict[Path, tuple[str, tuple[int, int]]] = {}
        self._signatures: dict[Path, Signature | None] = {}

    def signature(self, path: Path) -> Signature | None:
        """Size and modification time of a file (None when it is missing), once per build."""
        if path not in self._signatures:
            self._signatures[path] = signature(path)
        return self._signatures[path]

    def rel(self, path: Path) -> str:
        """A path as task parameters hold it: relative to the project root when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def file(self, path: Path, where: Any, what: str) -> str:
        """A file a task reads, as its parameters hold it: noted in ``reads``; RecipeError at ``where`` when missing."""
        self.reads.append(path)
        if not path.is_file():
            raise fail(where, f"{what} {shown_path(str(path))} not found")
        return self.rel(path)

    def plain(self, value: Any, files: list[str]) -> Any:
        """A declaration value as canonical JSON data; files it names are collected into ``files``."""
        if type(value) in _SCALARS:
            return value
        if isinstance(value, File):
            rel = self.file(value.path, value.where, "file")
            files.append(rel)
            return {"file": rel}
        if isinstance(value, Style):
            return value.text
        if isinstance(value, Character):
            return value.name
        if isinstance(value, Row):
            return self.plain(Row.asdict(value), files)
        if isinstance(value, (list, tuple)):
            return [self.plain(v, files) for v in value]
        if isinstance(value, dict):
            return {str(k): self.plain(v, files) for k, v in value.items()}
        return value

    def image(self, file: File, what: str) -> tuple[str, tuple[int, int]]:
        """An image file's project path and size, checked once per load however many declarations name it."""
        known = self._images.get(file.path)
        if known is not None:
            return known
        if not file.path.is_file():
            raise fail(file.where, f"{what} {shown_path(str(file.path))} not found")
        try:
            size = self.image_size(file.path)
        except ValueError as exc:
            raise fail(file.where, f"{what} {shown_path(str(file.path))} is not an image ({exc})") from None
        self._images[file.path] = self.rel(file.path), size
        return self._images[file.path]
