"""The ``thumbnail`` exporter: a scene framed for a preset with its title set in a fitted, outlined text box."""
from __future__ import annotations

from typing import Any, Mapping

from PIL import Image

from zflow.contracts import Output, Request
from zflow.contracts.provenance import COMPOSITE
from zflow.contracts.text import find_font

from .common import Box, fail, options, resolve, scene_images
from .encode import OverCap, encode_capped
from .frame import Framer, reframe_requests, subject_share
from .options import OPTIONS
from .presets import Preset
from .provenance import save_options
from .signing import Signer, check_c2pa
from .sns import chosen
from .text import draw, fit

#: Text keeps this share of the frame's width from the safe zone's edges and from overlays (our choice).
MARGIN = 0.04
#: The title band is this share of the safe zone's height (our choice: room for 2-3 big lines on 16:9).
BAND = 0.42
#: Largest and smallest font sizes as shares of the frame height. 0.16 of 720 = 115 px; the floor of 0.045 (32 px
#: on 720) is about 6 px tall in YouTube's 168x94 list thumbnail, the least that still reads (our choice).
MAX_SIZE, MIN_SIZE = 0.16, 0.045


def text_box(preset: Preset, position: str, placed: tuple[Box, Box] | None) -> Box:
    """The band the title goes in: inside the safe zone, clear of every overlay and of the faces, away from the
    subject if 'auto'. ``placed`` is where the subject and the faces are in the frame, when known."""
    x0, y0, x1, y1 = preset.safe_box
    m = preset.size[0] * MARGIN
    x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
    band = (y1 - y0) * BAND
    bands = {"top": (x0, y0, x1, y0 + band), "bottom": (x0, y1 - band, x1, y1),
             "center": (x0, (y0 + y1 - band) / 2, x1, (y0 + y1 + band) / 2)}
    if placed:
        bands = {name: _clear_of(box, placed[1], m) for name, box in bands.items()}
    if position == "auto":
        position = min(("bottom", "top"), key=lambda b: (round(_overlap(bands[b], placed[0]) / _area(bands[b]), 1)
                                                         if placed else 0, -_area(bands[b])))
    bx0, by0, bx1, by1 = bands[position]
    for ox0, oy0, ox1, oy1 in preset.overlays:
        if ox0 < bx1 and ox1 > bx0 and oy0 < by1 and oy1 > by0:
            if (ox0 + ox1) / 2 > (bx0 + bx1) / 2:
                bx1 = min(bx1, ox0 - m)
            else:
                bx0 = max(bx0, ox1 + m)
    return (bx0, by0, bx1, by1)


def _clear_of(band: Box, face: Box, margin: float) -> Box:
    """The band, or its taller part above or below the face when the face is in it."""
    if _overlap(band, face) <= 0:
        return band
    above = (band[0], band[1], band[2], max(band[1], face[1] - margin))
    below = (band[0], min(band[3], face[3] + margin), band[2], band[3])
    return max(above, below, key=lambda b: b[3] - b[1])


def _area(box: Box) -> float:
    return max(1.0, (box[2] - box[0]) * (box[3] - box[1]))


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


class ThumbnailExporter:
    """Exports each scene as ``<preset>/<scene>.<ext>`` with its title (option ``title`` or the scene's) set over it."""

    name = "thumbnail"
    version = "2"

    def check(self, params: Mapping[str, Any]) -> None:
        opts = params.get("options") or params
        chosen(opts, default=OPTIONS["thumbnail"]["preset"])
        if opts.get("position", "auto") not in ("auto", "top", "bottom", "center"):
            raise ValueError(f"position {opts['position']!r}: use auto, top, bottom or center")
        check_c2pa(opts)
        subject_share(opts)

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, dict[str, str]]:
        return reframe_requests(size, chosen(params.get("options") or params, OPTIONS["thumbnail"]["preset"]))

    def export(self, request: Request) -> Output:
        opts = options(request)
        presets = chosen(opts, default=OPTIONS["thumbnail"]["preset"])
        signer = Signer.from_options(opts, request.root)
        font_path = resolve(request, opts["font"]) if opts.get("font") else None
        files: dict[str, bytes] = {}
        report: dict[str, Any] = {}
        errors: list[str] = []
        for scene in scene_images(request):
            framer = Framer(scene, subject_share(opts))
            title = str(opts.get("title") or scene.entry.get("title") or "")
            for preset in presets:
                name = f"{preset.name}/{scene.slug}.{preset.extension}"
                try:
                    img = framer.frame(preset.size, preset.safe_box)
                    box = text_box(preset, str(opts.get("position", "auto")),
                                   framer.subject_in(preset.size, preset.safe_box))
                    ink = _title(img, title, box, opts, font_path) if title else None
                    cap = preset.max_bytes - signer.reserve
                    fmt = preset.format
                    data, quality = encode_capped(img, fmt, cap, save_options(fmt, scene.meta(), COMPOSITE))
                    files[name] = signer.sign(data, fmt, COMPOSITE)
                    report[name] = {"size": list(preset.size), "bytes": len(files[name]), "quality": quality,
                                    "title_box": list(ink) if ink else None}
                except (OverCap, ValueError) as err:
                    errors.append(f"scene {scene.id!r}, preset {preset.name!r}: {err}")
        fail(request, errors)
        return Output(files, {"exporter": self.name, "files": report})


def _title(img: Image.Image, title: str, box: Box, opts: Mapping[str, Any], font_path: Any) -> Box:
    """Fit and draw the title in the box; returns the ink box."""
    h = img.height
    font = find_font(title, font_path, int(opts.get("font_index", 0)))
    size = (int(box[2] - box[0]), int(box[3] - box[1]))
    layout = fit(title, font, size, int(opts.get("max_size", h * MAX_SIZE)), int(opts.get("min_size", h * MIN_SIZE)),
                 int(opts.get("max_lines", 3)))
    return draw(img, layout, box, str(opts.get("align", "center")), str(opts.get("color", "#ffffff")),
                str(opts.get("stroke", "#000000")))
