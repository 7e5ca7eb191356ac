"""The ``sns`` exporter: every scene at every named social-network preset, under each platform's byte cap."""
from __future__ import annotations

import os
from collections import defaultdict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Mapping

from zflow.contracts import Output, Request

from . import kit
from .common import SceneImage, fail, options, scene_images, warn
from .encode import OverCap, encode_capped
from .frame import Framer, reframe_requests, subject_share
from .presets import Preset, catalog, lookup
from .provenance import save_options
from .signing import Signer, check_c2pa


def chosen(opts: Mapping[str, Any], default: str | None = None) -> list[Preset]:
    """The presets an export's options name (``presets`` list or one ``preset``), resolved; raises ValueError."""
    table = catalog(_custom(opts))
    names = [p["name"] if isinstance(p, Mapping) else p for p in opts.get("presets") or []]
    if opts.get("preset"):
        names.append(opts["preset"])
    if not names and default:
        names = [default]
    if not names:
        raise ValueError(f"name at least one preset; known presets: {', '.join(sorted(table))}")
    return [lookup(table, str(n)) for n in names]


def _custom(opts: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """User presets: dicts inside ``presets`` and the ``custom_presets`` list."""
    inline = [p for p in opts.get("presets") or [] if isinstance(p, Mapping)]
    return inline + list(opts.get("custom_presets") or [])


class SnsExporter:
    """Exports each scene to each chosen preset as ``<preset>/<scene>.<ext>``."""

    name = "sns"
    version = "2"

    def check(self, params: Mapping[str, Any]) -> None:
        opts = params.get("options") or params
        for preset in chosen(opts):
            if preset.warning:
                warn(f"preset {preset.name!r}: {preset.warning}")
        check_c2pa(opts)
        subject_share(opts)
        if opts.get("zip") and not opts.get("kit"):
            raise ValueError("zip=True zips the upload kit: add kit=True")
        kit.check(opts)

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, dict[str, str]]:
        return reframe_requests(size, chosen(params.get("options") or params))

    def export(self, request: Request) -> Output:
        opts = options(request)
        presets = chosen(opts)
        signer = Signer.from_options(opts, request.root)
        files: dict[str, bytes] = {}
        report: dict[str, Any] = {}
        errors: list[str] = []
        items: list[kit.Item] = []
        pending: deque[tuple[SceneImage, list[Future]]] = deque()
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for scene in scene_images(request):
                # loads while the previous scene's presets are still rendering
                framer = Framer(scene, subject_share(opts))
                groups: dict[tuple, list[Preset]] = defaultdict(list)
                for preset in presets:
                    groups[framer.key(preset.size, preset.safe_box)].append(preset)
                jobs = [pool.submit(_render, framer, group, scene.meta(), signer) for group in groups.values()]
                pending.append((scene, jobs))
                if len(pending) > 1:
                    _collect(*pending.popleft(), files, report, errors, items)
            while pending:
                _collect(*pending.popleft(), files, report, errors, items)
        if opts.get("kit") and not errors:
            made, errors = kit.build(items, opts)
            files |= made
        fail(request, errors)
        return Output(files, {"exporter": self.name, "files": report})


def _collect(scene: SceneImage, jobs: list[Future], files: dict[str, bytes], report: dict[str, Any],
             errors: list[str], items: list[kit.Item]) -> None:
    """Wait for one scene's renders and file their results (or their errors, naming scene and preset)."""
    for job in jobs:
        for preset, result in job.result():
            name = f"{preset.name}/{scene.slug}.{preset.extension}"
            if isinstance(result, Exception):
                errors.append(f"scene {scene.id!r}, preset {preset.name!r}: {result}")
            else:
                files[name], report[name] = result
                items.append(kit.Item(preset, scene, name, files[name]))


def _render(framer: Framer, presets: list[Preset], meta: Mapping[str, Any],
            signer: Signer) -> list[tuple[Preset, tuple[bytes, dict[str, Any]] | Exception]]:
    """One scene framed once for presets that share a frame, encoded under each cap (shared when equal), signed."""
    img = framer.frame(presets[0].size, presets[0].safe_box)
    encoded: dict[tuple[str, int], tuple[bytes, int]] = {}
    results: list[tuple[Preset, tuple[bytes, dict[str, Any]] | Exception]] = []
    for preset in presets:
        cap = preset.max_bytes - signer.reserve
        try:
            if (preset.format, cap) not in encoded:
                data, quality = encode_capped(img, preset.format, cap, save_options(preset.format, meta))
                encoded[preset.format, cap] = signer.sign(data, preset.format), quality
            data, quality = encoded[preset.format, cap]
            if len(data) > preset.max_bytes:
                raise OverCap(f"signed file is {len(data):,} bytes, over the {preset.max_bytes:,}-byte cap")
            results.append((preset, (data, {"size": list(preset.size), "bytes": len(data), "quality": quality,
                                            "format": preset.format})))
        except ValueError as err:
            results.append((preset, err))
    return results
