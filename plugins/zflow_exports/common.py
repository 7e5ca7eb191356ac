"""What every exporter reads from a request: its options, its scene entries and their images."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from PIL import Image, ImageCms

from zflow.contracts import Artifact, Request
from zflow.errors import TaskError

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class SceneImage:
    """One scene entry of an export with its final image's artifact and its reframe artifacts by tag."""

    entry: Mapping[str, Any]
    artifact: Artifact
    reframes: Mapping[str, Artifact]

    @property
    def id(self) -> str:
        return str(self.entry.get("id", self.artifact.task_id))

    @property
    def slug(self) -> str:
        """The scene id as one file-name part: ``ep01/opening`` -> ``ep01-opening``."""
        return self.id.replace("/", "-")

    @property
    def alt(self) -> str:
        """The scene's alt text: its ``alt``, else its title, else its prompt."""
        return str(self.entry.get("alt") or self.entry.get("title") or self.entry.get("prompt") or "")

    def meta(self) -> dict[str, Any]:
        """Provenance of the scene's image, completed with the scene's own prompt and seed where missing."""
        meta = dict(self.artifact.meta)
        for key in ("prompt", "seed"):
            if meta.get(key) in (None, "") and self.entry.get(key) not in (None, ""):
                meta[key] = self.entry[key]
        return meta


def options(request: Request) -> Mapping[str, Any]:
    """The recipe's keyword arguments of this export."""
    return request.params.get("options") or {}


def scene_images(request: Request) -> list[SceneImage]:
    """The export's scene entries joined with their input artifacts (final image and reframes)."""
    inputs = request.inputs
    scenes = request.params.get("scenes") or []
    if not scenes:
        return [SceneImage({"id": a.task_id}, a, {}) for a in inputs]
    out = []
    for entry in scenes:
        index = int(entry.get("image", 0))
        reframes = {tag: inputs[int(i)] for tag, i in (entry.get("reframes") or {}).items()}
        out.append(SceneImage(entry, inputs[index], reframes))
    return out


def open_rgb(path: Path) -> Image.Image:
    """An image file as loaded RGB pixels in sRGB (converted when it embeds another ICC profile)."""
    with Image.open(path) as img:
        img.load()
        icc = img.info.get("icc_profile")
        if img.mode not in ("RGB", "RGBA", "L"):
            img = img.convert("RGBA" if "A" in img.getbands() or "transparency" in img.info else "RGB")
        if icc:
            img = _to_srgb(img, icc)
        if img.mode == "RGBA":
            flat = Image.new("RGB", img.size, (255, 255, 255))
            flat.paste(img, mask=img.getchannel("A"))
            return flat
        return img.convert("RGB")


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    srgb = ImageCms.createProfile("sRGB")
    mode = "RGBA" if img.mode == "RGBA" else "RGB"
    return ImageCms.profileToProfile(img.convert(mode), source, srgb, outputMode=mode)


def resolve(request: Request, value: Any) -> Path:
    """A path from params (``"x.png"`` or ``{"file": "x.png"}``) relative to the project root."""
    raw = value.get("file") if isinstance(value, Mapping) else value
    path = Path(str(raw))
    return path if path.is_absolute() else Path(request.root) / path


def fail(request: Request, errors: list[str]) -> None:
    """Raise one TaskError listing every failed scene/preset, when there is any."""
    if errors:
        raise TaskError(request.task.id, "; ".join(errors))


def parse_wxh(value: Any) -> tuple[int, int]:
    """``"1080x1350"`` or ``[1080, 1350]`` -> (1080, 1350); raises ValueError."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        w, h = int(value[0]), int(value[1])
    else:
        parts = str(value).lower().replace("×", "x").split("x")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ValueError(f"size {value!r}: write it as WIDTHxHEIGHT, e.g. 1080x1350")
        w, h = int(parts[0]), int(parts[1])
    if w <= 0 or h <= 0:
        raise ValueError(f"size {value!r}: both sides must be positive")
    return w, h


class PlatformWarning(UserWarning):
    """An export that builds but a platform or reader may not take as it is (shown, never fatal)."""


def warn(message: str) -> None:
    """Show ``message`` as a PlatformWarning (once per message and process, as Python shows warnings)."""
    warnings.warn(message, PlatformWarning, stacklevel=2)
