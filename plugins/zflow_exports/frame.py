"""Putting one scene's image into one target frame, keeping the subject: crop, outpainted reframe, or pad."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from PIL import Image

from .common import Box, SceneImage, open_rgb
from .focus import required_boxes, saliency_box
from .reframe import MIN_KEPT, crop_window, kept_fraction, outpaint_canvas, padded, resize_box, shifted


#: Targets share one outpainted canvas when cropping it to each keeps at least this much of it (our choice: 1200x630
#: and 1280x720 share one; 1500x500 gets its own).
SHARED_KEPT = 0.85


def reframe_requests(source: tuple[int, int], targets: list[tuple[int, int]]) -> dict[str, dict[str, str]]:
    """Edit params of the outpaints the targets need: one canvas per group of close aspects, widest first."""
    canvases: list[tuple[int, int]] = []
    far = [t for t in targets if kept_fraction(source, t) < MIN_KEPT]
    for target in sorted(far, key=lambda t: abs(math.log(t[0] * source[1] / (t[1] * source[0]))), reverse=True):
        if not any(kept_fraction(c, target) >= SHARED_KEPT for c in canvases):
            canvases.append(outpaint_canvas(source, target))
    return {f"outpaint-{w}x{h}": {"op": "outpaint", "size": f"{w}x{h}"} for w, h in canvases}


@dataclass(slots=True)
class Framer:
    """One scene's pixels, reframes and subject boxes, loaded once, framed for any number of targets (thread-safe)."""

    scene: SceneImage
    image: Image.Image = field(init=False)
    keep: list[Box] = field(init=False)
    soft: Box | None = field(init=False)
    _reframed: dict[str, tuple[Image.Image, list[Box], Box | None]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.image = open_rgb(self.scene.artifact.main)
        self.keep = required_boxes(self.scene.artifact.meta, self.image)
        self.soft = None if self.keep else saliency_box(self.image)
        w, h = self.image.size
        for tag, artifact in self.scene.reframes.items():
            img = open_rgb(artifact.main)
            dx, dy = (img.width - w) / 2, (img.height - h) / 2
            keep = required_boxes(artifact.meta, img) or [shifted(b, dx, dy) for b in self.keep]
            soft = shifted(self.soft, dx, dy) if self.soft and not keep else None
            self._reframed[tag] = (img, keep, soft)

    def frame(self, target: tuple[int, int], safe: Box) -> Image.Image:
        """The image at ``target`` size with the subject inside ``safe`` where it fits and never cut."""
        img, window, _ = self._plan(target, safe)
        return padded(img, target) if window is None else resize_box(img, target, window)

    def key(self, target: tuple[int, int], safe: Box) -> tuple:
        """Equal for targets whose framed images are identical (same source, size and window)."""
        img, window, _ = self._plan(target, safe)
        return (id(img), target, None if window is None else tuple(round(v, 2) for v in window))

    def subject_in(self, target: tuple[int, int], safe: Box) -> Box | None:
        """Where the kept subject box lands in the framed target (None when padded or unknown)."""
        _, window, box = self._plan(target, safe)
        if window is None or box is None:
            return None
        k = target[0] / (window[2] - window[0])
        return ((box[0] - window[0]) * k, (box[1] - window[1]) * k, (box[2] - window[0]) * k, (box[3] - window[1]) * k)

    def _source_for(self, target: tuple[int, int]) -> tuple[Image.Image, list[Box], Box | None]:
        """The source when a crop keeps enough of it, else the outpainted reframe closest to the target's aspect."""
        best = (self.image, self.keep, self.soft)
        if kept_fraction(self.image.size, target) >= MIN_KEPT:
            return best
        for img, keep, soft in self._reframed.values():
            if kept_fraction(img.size, target) > kept_fraction(best[0].size, target):
                best = (img, keep, soft)
        return best

    def _plan(self, target: tuple[int, int], safe: Box) -> tuple[Image.Image, Box | None, Box | None]:
        """Which image (source or outpainted reframe), which window of it, and which subject box it keeps."""
        img, keep, soft = self._source_for(target)
        for box in keep or [soft]:
            window = crop_window(img.size, target, box, safe)
            if window is not None:
                return img, window, box
        if keep or soft is None:
            return img, None, None
        cx, cy = (soft[0] + soft[2]) / 2, (soft[1] + soft[3]) / 2
        return img, crop_window(img.size, target, (cx, cy, cx, cy), safe), None
