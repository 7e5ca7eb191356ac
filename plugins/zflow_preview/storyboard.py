"""The preview's layout stage and control: a layout's composition, its control maps (OpenPose skeletons, depth,
edges), and a draft's control map laid over the frame it conditions."""
from __future__ import annotations

import io
from typing import Any, Mapping, Sequence

from PIL import Image, ImageChops

from zflow.contracts import Request

from .layout import Layout, layout_data, layout_for
from .maps import depth_map, edge_map
from .pose import draw_pose, skeleton

#: How strongly a draft shows its control map at scale 1 (a storyboard's pencil lines, not a replacement).
_OVERLAY = 0.45


def composition(request: Request) -> Layout:
    """The composition a layout task stands for: its variant of the scene's seeded compositions."""
    p = request.params
    width, height = (int(v) for v in p["size"])
    return layout_for(int(p["seed"]), int(p.get("index", 0)), len(p.get("cast", [])), width / height)


def layout_files(layout: Layout, size: tuple[int, int], cast: Sequence[Mapping[str, Any]]
                 ) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The control maps of a composition (``pose.png``, ``depth.png``, ``canny.png``) and the meta that records it:
    the composition, and each figure's 18 keypoints (pixels, OpenPose order) by cast name."""
    width, height = size
    figures = [{"name": str(cast[p.member].get("name", "")),
                "keypoints": [[round(x, 1), round(y, 1)] for x, y in skeleton(p.x * width, p.feet * height,
                                                                               p.height * height)]}
               for p in layout.placements]
    depth = depth_map(size, layout)
    maps = {"pose": draw_pose(size, [f["keypoints"] for f in figures]), "depth": depth, "canny": edge_map(depth)}
    files = {f"{name}.png": png(image) for name, image in maps.items()}
    return files, {"role": "layout", "composition": layout_data(layout), "poses": figures, "maps": sorted(maps)}


def overlay_control(image: Image.Image, request: Request) -> dict[str, Any]:
    """Lay the request's control map (if it has one) over ``image`` at its scale: its lines show through where
    the map is not black. Returns the meta that records it."""
    params = request.params.get("control")
    maps = request.inputs_of("control")
    if not params or not maps:
        return {}
    with Image.open(maps[0].main) as opened:
        lines = opened.convert("RGB").resize(image.size, Image.Resampling.BILINEAR)
    alpha = min(1.0, _OVERLAY * float(params["scale"]))
    mask = lines.convert("L").point(lambda v: round(255 * alpha) if v > 24 else 0)
    image.paste(ImageChops.lighter(image, lines), (0, 0), mask)
    return {"control": {"type": params["type"], "scale": float(params["scale"]), "map": maps[0].task_id}}


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)
    return buffer.getvalue()
