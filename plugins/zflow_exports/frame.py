"""Putting one scene's image into one target frame, keeping the subject large: crop, outpainted reframe, or pad."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from PIL import Image

from .common import Box, SceneImage, open_rgb
from .focus import subject
from .presets import Preset
from .reframe import MIN_KEPT, fit_window, kept_fraction, outpaint_canvas, padded, resize_box, shifted


#: The share of the frame's height a reframed subject keeps at most: a figure that fills 60% of a 16:9 scene's
#: height fills 60% of a 9:16 story's, cropped in, rather than the quarter the whole scene shrunk into the story
#: would give (our choice; the ``subject_share`` option changes it).
SUBJECT_SHARE = 0.6
#: A safe zone narrower than this share of its frame (YouTube's banner: 423 of 1440 px) gets a canvas of twice
#: the scene's height (or width), the scene in its middle, so a face near an edge can be centred (our choice).
NARROW = 0.5
#: Targets share one outpainted canvas when cropping it to each keeps at least this much of it (our choice: 1200x630
#: and 1280x720 share one; 1500x500 gets its own).
SHARED_KEPT = 0.85


def subject_share(opts: Mapping[str, Any]) -> float:
    """The ``subject_share`` option (default ``SUBJECT_SHARE``); raises ValueError unless it is in (0, 1]."""
    value = opts.get("subject_share", SUBJECT_SHARE)
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = -1.0
    if not 0 < share <= 1:
        raise ValueError(f"subject_share {value!r}: give the subject's share of the frame's height, above 0 and at "
                         "most 1 (e.g. 0.6)")
    return share


def reframe_requests(source: tuple[int, int], presets: Sequence[Preset]) -> dict[str, dict[str, str]]:
    """Edit params of the outpaints the presets need: one canvas per group of close aspects, widest first, and one
    with room around the scene for presets whose safe zone is a narrow band (a face anywhere in the scene can then
    be moved into it)."""
    canvases: list[tuple[int, int]] = []
    far = [p.size for p in presets if kept_fraction(source, p.size) < MIN_KEPT]
    for target in sorted(far, key=lambda t: abs(math.log(t[0] * source[1] / (t[1] * source[0]))), reverse=True):
        if not any(kept_fraction(c, target) >= SHARED_KEPT for c in canvases):
            canvases.append(outpaint_canvas(source, target))
    for preset in presets:
        x0, y0, x1, y1 = preset.safe_box
        grow = (1 + ((x1 - x0) / preset.size[0] < NARROW), 1 + ((y1 - y0) / preset.size[1] < NARROW))
        if grow != (1, 1):
            room = outpaint_canvas(source, (source[0] * grow[0], source[1] * grow[1]))
            if room not in canvases:
                canvases.append(room)
    return {f"outpaint-{w}x{h}": {"op": "outpaint", "size": f"{w}x{h}"} for w, h in canvases}


@dataclass(frozen=True, slots=True)
class Subject:
    """An image to frame from and, in its pixels, the subject to keep whole and the faces to keep in the safe zone."""

    image: Image.Image
    box: Box
    faces: Box


@dataclass(slots=True)
class Framer:
    """One scene's pixels, reframes and subject, loaded once, framed for any number of targets (thread-safe).

    Each target gets the window that keeps the subject's height the share of the frame's it has in the scene (at
    most ``share``) with its faces in the safe zone: a crop of the scene when one holds it, else of an outpainted
    reframe, else the whole scene padded.
    """

    scene: SceneImage
    share: float = SUBJECT_SHARE
    sources: list[Subject] = field(init=False)
    wanted: float = field(init=False)

    def __post_init__(self) -> None:
        image = open_rgb(self.scene.artifact.main)
        box, faces = subject(self.scene.artifact.meta, image)
        self.sources = [Subject(image, box, faces)]
        w, h = image.size
        self.wanted = min(self.share, (box[3] - box[1]) / h)
        for artifact in self.scene.reframes.values():  # the scene in the middle of a larger canvas
            img = open_rgb(artifact.main)
            dx, dy = (img.width - w) / 2, (img.height - h) / 2
            self.sources.append(Subject(img, shifted(box, dx, dy), shifted(faces, dx, dy)))

    def frame(self, target: tuple[int, int], safe: Box) -> Image.Image:
        """The image at ``target`` size with the subject large, its faces inside ``safe`` and never cut if avoidable."""
        source, window = self._plan(target, safe)
        return padded(source.image, target) if window is None else resize_box(source.image, target, window)

    def key(self, target: tuple[int, int], safe: Box) -> tuple:
        """Equal for targets whose framed images are identical (same source, size and window)."""
        source, window = self._plan(target, safe)
        return (id(source.image), target, None if window is None else tuple(round(v, 2) for v in window))

    def subject_in(self, target: tuple[int, int], safe: Box) -> tuple[Box, Box] | None:
        """Where the subject and the faces land in the framed target (None when padded)."""
        source, window = self._plan(target, safe)
        if window is None:
            return None
        k = target[0] / (window[2] - window[0])

        def moved(box: Box) -> Box:
            return ((box[0] - window[0]) * k, (box[1] - window[1]) * k, (box[2] - window[0]) * k,
                    (box[3] - window[1]) * k)

        return moved(source.box), moved(source.faces)

    def _plan(self, target: tuple[int, int], safe: Box) -> tuple[Subject, Box | None]:
        """The source (scene or reframe) and its window with the best score; the scene wins ties."""
        best: tuple[tuple[int, float, int], Subject, Box] | None = None
        for rank, source in enumerate(self.sources):
            found = fit_window(source.image.size, target, safe, source.box, source.faces, self.wanted)
            if found is None:
                continue
            window, (level, closeness) = found
            score = (level, round(closeness, 1), -rank)
            if best is None or score > best[0]:
                best = (score, source, window)
        return (self.sources[0], None) if best is None else (best[1], best[2])

