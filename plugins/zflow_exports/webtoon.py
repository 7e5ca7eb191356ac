"""The ``webtoon`` exporter: scenes as panels on a strip, sliced under the platform's caps, plus thumbnails."""
from __future__ import annotations

from typing import Any, Mapping

from zflow.contracts import Output, Request
from zflow.contracts.provenance import COMPOSITE
from zflow.contracts.text import find_font
from zflow.errors import TaskError

from .balloons import KINDS
from .common import SceneImage, fail, open_rgb, options, resolve, scene_images
from .encode import MAX_QUALITY, MIN_QUALITY, OverCap, encode_capped
from .focus import heads
from .frame import Framer
from .layout import Panel, Strip, compose
from .provenance import save_options
from .signing import Signer, check_c2pa
from .slicing import NoCut, cuts
from .webtoon_presets import WebtoonPreset, from_options

#: Master-strip limit: JPEG stores at most 65,500 px a side (docs/platforms.md, Webtoon presets).
JPEG_MAX_SIDE = 65_500
#: When the episode is over its budget, every slice's top quality drops by this step and all are encoded again.
QUALITY_STEP = 5


class WebtoonExporter:
    """Exports ``episode/001.jpg``... and ``thumbnails/<name>.jpg`` for a webtoon preset."""

    name = "webtoon"
    version = "2"

    def check(self, params: Mapping[str, Any]) -> None:
        opts = params.get("options") or params
        from_options(opts)
        check_c2pa(opts)
        for entry in params.get("scenes") or []:
            for balloon in entry.get("balloons") or []:
                if balloon.get("kind", "speech") not in KINDS:
                    raise ValueError(f"scene {entry.get('id')!r}: balloon kind {balloon.get('kind')!r}; "
                                     f"use {', '.join(KINDS)}")

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, dict[str, str]]:
        return {}

    def scene_vars(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The scene variable whose change starts a new scene of the strip (a wide gutter)."""
        return (str(params.get("scene_key", "place")),)

    def export(self, request: Request) -> Output:
        opts = options(request)
        preset = from_options(opts)
        scenes = scene_images(request)
        text = "".join(str(b.get("text", "")) for s in scenes for b in s.entry.get("balloons") or [])
        font = find_font(text or "A", resolve(request, opts["font"]) if opts.get("font") else None,
                         int(opts.get("font_index", 0)))
        try:
            strip = compose(_panels(scenes, str(opts.get("scene_key", "place"))), preset.width, font,
                            str(opts.get("background", "#ffffff")))
        except ValueError as err:
            raise TaskError(request.task.id, f"preset {preset.name!r}: {err}") from err
        if strip.image.height > JPEG_MAX_SIDE:
            raise TaskError(request.task.id, f"preset {preset.name!r}: the strip is {strip.image.height:,} px tall, "
                                             f"over JPEG's {JPEG_MAX_SIDE:,}; split the episode")
        try:
            bounds = cuts(strip.image.height, preset.slice_height, strip.gutters, strip.keepouts(),
                          [(top, bottom) for _, top, bottom in strip.panels])
        except NoCut as err:
            scene = next((s for s, top, bottom in strip.panels if bottom > err.row), strip.panels[-1][0])
            raise TaskError(request.task.id, f"scene {scene!r}, preset {preset.name!r}: {err}") from err
        signer = _signer(request, opts)
        files = _slices(request, strip, bounds, preset, scenes, signer)
        files.update(_thumbnails(request, scenes, opts, preset, signer))
        meta = {"exporter": self.name, "preset": preset.name, "width": preset.width, "cuts": bounds,
                "panels": [list(p) for p in strip.panels], "balloons": strip.balloons, "faces": strip.faces,
                "text": [[s, list(b)] for s, b in strip.text], "gutters": [list(g) for g in strip.gutters]}
        return Output(files, meta)


def _panels(scenes: list[SceneImage], scene_key: str) -> list[Panel]:
    """Each scene as a panel; a new scene starts where the ``scene_key`` variable (e.g. place) changes."""
    panels, previous = [], None
    for scene in scenes:
        image = open_rgb(scene.artifact.main)
        meta = scene.artifact.meta
        marker = (scene.entry.get("vars") or {}).get(scene_key)
        panels.append(Panel(scene.id, image, heads(meta, image), [tuple(b) for b in meta.get("text") or []],
                            list(scene.entry.get("balloons") or []),
                            new_scene=marker is not None and previous is not None and marker != previous))
        previous = marker
    return panels


def _signer(request: Request, opts: Mapping[str, Any]) -> Signer:
    try:
        return Signer.from_options(opts, request.root)
    except ValueError as err:
        raise TaskError(request.task.id, str(err)) from err


def _slices(request: Request, strip: Strip, bounds: list[int], preset: WebtoonPreset,
            scenes: list[SceneImage], signer: Signer) -> dict[str, bytes]:
    """The strip cut at ``bounds`` and encoded under the per-image cap and, together, the episode budget."""
    count = len(bounds) - 1
    if preset.max_images is not None and count > preset.max_images:
        raise TaskError(request.task.id, f"preset {preset.name!r}: {count} slices, over the {preset.max_images}-image "
                                         "limit of an episode")
    parts = [strip.image.crop((0, top, strip.image.width, bottom)) for top, bottom in zip(bounds, bounds[1:])]
    metas = [_slice_meta(strip, scenes, top, bottom) for top, bottom in zip(bounds, bounds[1:])]
    top_quality = MAX_QUALITY
    while True:
        try:
            files = {f"episode/{i:03}.jpg": encode_capped(part, preset.format, preset.image_cap - signer.reserve,
                                                          save_options(preset.format, meta, COMPOSITE), top_quality)[0]
                     for i, (part, meta) in enumerate(zip(parts, metas), 1)}
        except OverCap as err:
            raise TaskError(request.task.id, f"preset {preset.name!r}: a slice cannot meet the "
                                             f"{preset.image_cap:,}-byte cap: {err}") from err
        total = sum(len(d) for d in files.values()) + signer.reserve * len(files)
        if preset.episode_cap is None or total <= preset.episode_cap:
            return signer.sign_all(files, COMPOSITE)
        top_quality -= QUALITY_STEP
        if top_quality < MIN_QUALITY:
            raise TaskError(request.task.id, f"preset {preset.name!r}: the episode is {total:,} bytes at quality "
                                             f"{MIN_QUALITY}, over its {preset.episode_cap:,}-byte budget")


def _slice_meta(strip: Strip, scenes: list[SceneImage], top: int, bottom: int) -> dict[str, Any]:
    """Provenance of one slice: the model of its panels and their prompts (seeds only when a single panel)."""
    ids = [s for s, a, b in strip.panels if a < bottom and b > top]
    inside = [s for s in scenes if s.id in ids] or scenes[:1]
    meta = inside[0].meta()
    if len(inside) > 1:
        meta.pop("seed", None)
        meta["prompt"] = "\n".join(dict.fromkeys(str(s.meta().get("prompt", "")) for s in inside))
    return meta


def _thumbnails(request: Request, scenes: list[SceneImage], opts: Mapping[str, Any],
                preset: WebtoonPreset, signer: Signer) -> dict[str, bytes]:
    """The preset's episode thumbnails from the cover scene (option ``cover``, default the first)."""
    cover_id = opts.get("cover")
    cover = next((s for s in scenes if s.id == cover_id), scenes[0])
    framer = Framer(cover)
    files, errors = {}, []
    for thumb in preset.thumbs:
        img = framer.frame(thumb.size, (0, 0, *thumb.size))
        try:
            data, _ = encode_capped(img, "jpeg", thumb.max_bytes - signer.reserve, save_options("jpeg", cover.meta()))
            files[f"thumbnails/{thumb.name}.jpg"] = signer.sign(data, "jpeg")
        except OverCap as err:
            errors.append(f"scene {cover.id!r}, preset {preset.name!r} thumbnail {thumb.name!r}: {err}")
    fail(request, errors)
    return files
