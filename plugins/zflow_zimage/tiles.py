"""Overlapping tiles of a large image and their feathered blend back into one image (no visible tile borders)."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]


def starts(length: int, tile: int, overlap: int, step: int) -> list[int]:
    """Where the tiles along one side begin: as few tiles of side ``tile`` as cover ``length`` with neighbours
    overlapping at least ``overlap``, spread evenly, each start a multiple of ``step``; the last ends at ``length``."""
    if length <= tile:
        return [0]
    count = math.ceil((length - overlap) / (tile - overlap))
    span = length - tile
    found = sorted({min(span, round(i * span / (count - 1) / step) * step) for i in range(count)})
    found[-1] = span
    return found


def grid(size: tuple[int, int], tile: int, overlap: int, step: int) -> list[Box]:
    """The tiles of an image of ``size``, row by row; every tile has the same size (the image's side when shorter)."""
    width, height = size
    tw, th = min(tile, width), min(tile, height)
    return [(x, y, x + tw, y + th) for y in starts(height, th, overlap, step) for x in starts(width, tw, overlap, step)]


def _ramp(length: int, low: int, high: int, overlap: int) -> np.ndarray:
    """Weights along one side of a tile: rising over ``overlap`` px where a neighbour lies before (``low``), falling
    where one lies after (``high``), 1 elsewhere; never 0, so every pixel keeps a weight."""
    ramp = np.ones(length, dtype=np.float32)
    if overlap <= 0:
        return ramp
    rise = (np.arange(overlap, dtype=np.float32) + 0.5) / overlap
    if low:
        ramp[:overlap] = np.minimum(ramp[:overlap], rise)
    if high:
        ramp[-overlap:] = np.minimum(ramp[-overlap:], rise[::-1])
    return ramp


def blend(size: tuple[int, int], boxes: Sequence[Box], tiles: Sequence[Image.Image], overlap: int) -> Image.Image:
    """The tiles put back at their boxes, each overlap a weighted mix fading from one tile into the next."""
    width, height = size
    total = np.zeros((height, width, 3), dtype=np.float32)
    weight = np.zeros((height, width, 1), dtype=np.float32)
    for (x0, y0, x1, y1), tile in zip(boxes, tiles):
        fade = min(overlap, (x1 - x0) // 2, (y1 - y0) // 2)
        wx = _ramp(x1 - x0, x0 > 0, x1 < width, fade)
        wy = _ramp(y1 - y0, y0 > 0, y1 < height, fade)
        w = (wy[:, None] * wx[None, :])[..., None]
        total[y0:y1, x0:x1] += np.asarray(tile.convert("RGB"), dtype=np.float32) * w
        weight[y0:y1, x0:x1] += w
    return Image.fromarray(np.clip(np.rint(total / weight), 0, 255).astype(np.uint8))


def seam_ratio(image: Image.Image, boxes: Sequence[Box]) -> float:
    """How much stronger the image changes across the tiles' inner borders than elsewhere: the mean absolute
    gradient on the columns and rows where a tile begins or ends inside the image, over the mean everywhere else
    (about 1 for an image without visible seams)."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    dx = np.abs(np.diff(pixels, axis=1)).mean(axis=(0, 2))  # between column i and i+1
    dy = np.abs(np.diff(pixels, axis=0)).mean(axis=(1, 2))
    width, height = image.size
    cols = sorted({c for x0, _, x1, _ in boxes for c in (x0 - 1, x1 - 1) if 0 <= c < width - 1})
    rows = sorted({r for _, y0, _, y1 in boxes for r in (y0 - 1, y1 - 1) if 0 <= r < height - 1})
    border = np.concatenate([dx[cols], dy[rows]]) if cols or rows else np.zeros(0)
    inside = np.concatenate([np.delete(dx, cols), np.delete(dy, rows)])
    if border.size == 0:
        return 1.0
    return float(border.mean() / max(inside.mean(), 1e-6))
