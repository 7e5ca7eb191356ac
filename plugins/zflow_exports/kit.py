"""The upload kit of an ``sns`` export (``kit=True``): per platform the images numbered into posts within its carousel
limit, a manifest (JSON and CSV), alt-text and caption files, and optionally one zip (``zip=True``)."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .common import SceneImage
from .presets import Preset

#: Platform by preset-name prefix; a preset of no known platform counts as its own.
PLATFORMS = {"ig": "instagram", "fb": "facebook", "x": "x", "linkedin": "linkedin", "pinterest": "pinterest",
             "yt": "youtube", "tiktok": "tiktok", "threads": "threads", "og": "web"}


@dataclass(frozen=True, slots=True)
class Limits:
    """How many images one post takes, and the longest caption and alt text (characters; None: none published)."""

    images: int
    caption: int | None = None
    alt: int | None = None


#: docs/platforms.md, Carousels and captions.
LIMITS = {
    "x": Limits(4, 280, 1000),
    "instagram": Limits(10, 2200),
    "threads": Limits(20, 500, 1000),
    "facebook": Limits(10),
    "linkedin": Limits(20, 3000),
    "pinterest": Limits(5, 500),
    "tiktok": Limits(35, 2200),
    "youtube": Limits(1),
    "web": Limits(1),
}
#: Instagram refuses a caption with more than 30 hashtags (docs/platforms.md, Carousels and captions).
MAX_HASHTAGS = {"instagram": 30}
COLUMNS = ("order", "post", "position", "file", "platform", "preset", "scene", "width", "height", "bytes", "alt",
           "caption", "hashtags")
#: Zip entries carry this date, so the same kit gives the same bytes (and store key) every time.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_ENV = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def platform_of(preset: str) -> str:
    head = preset.split("_", 1)[0]
    return PLATFORMS.get(head, head)


def templates(opts: Mapping[str, Any]) -> dict[str, jinja2.Template]:
    """The caption templates of the options, compiled: ``caption`` (key ``""``) and ``captions`` by platform or
    preset; raises ValueError naming the one that does not compile."""
    sources = {"": opts.get("caption")} | dict(opts.get("captions") or {})
    compiled = {}
    for key, source in sources.items():
        if source is None:
            continue
        try:
            compiled[str(key)] = _ENV.from_string(str(source))
        except jinja2.TemplateSyntaxError as err:
            raise ValueError(f"caption template {key or 'caption'!r}: {err.message} (line {err.lineno})") from None
    return compiled


def check(opts: Mapping[str, Any]) -> None:
    """Refuse kit options that cannot work: templates that do not compile, hashtags that are not words."""
    templates(opts)
    tags = opts.get("hashtags") or []
    for tag in tags.values() if isinstance(tags, Mapping) else [tags]:
        for word in [tag] if isinstance(tag, str) else tag:
            if not str(word).lstrip("#") or any(c.isspace() for c in str(word)):
                raise ValueError(f"hashtag {word!r}: a hashtag is one word without spaces")


@dataclass(frozen=True, slots=True)
class Item:
    """One exported image of the kit: its preset, scene, file name in the export and encoded bytes."""

    preset: Preset
    scene: SceneImage
    name: str
    data: bytes


def build(items: Iterable[Item], opts: Mapping[str, Any]) -> tuple[dict[str, bytes], list[str]]:
    """The kit's files under ``kit/<platform>/`` (and ``kit/<platform>.zip`` with ``zip=True``), and the errors:
    captions or alt texts over a platform's limit, naming the scene and the platform."""
    compiled = templates(opts)
    by_platform: dict[str, list[Item]] = {}
    for item in items:
        by_platform.setdefault(platform_of(item.preset.name), []).append(item)
    files: dict[str, bytes] = {}
    errors: list[str] = []
    for platform, group in by_platform.items():
        made, rows = _platform(platform, group, compiled, opts, errors)
        files |= made
        files[f"kit/{platform}/manifest.json"] = json.dumps(rows, ensure_ascii=False, indent=2).encode()
        files[f"kit/{platform}/manifest.csv"] = _csv(rows)
        if opts.get("zip"):
            files[f"kit/{platform}.zip"] = _zip({name.removeprefix("kit/"): data for name, data in files.items()
                                                 if name.startswith(f"kit/{platform}/")})
    return files, errors


def _platform(platform: str, group: list[Item], compiled: Mapping[str, jinja2.Template], opts: Mapping[str, Any],
              errors: list[str]) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
    """One platform's images numbered into posts of at most its carousel limit (per preset, scenes in order)."""
    limits = LIMITS.get(platform, Limits(len(group)))
    files: dict[str, bytes] = {}
    rows: list[dict[str, Any]] = []
    by_preset: dict[str, list[Item]] = {}
    for item in group:
        by_preset.setdefault(item.preset.name, []).append(item)
    post = 0
    for preset, items in by_preset.items():
        hashtags = _hashtags(opts, platform, preset)
        for start in range(0, len(items), limits.images):
            post += 1
            chunk = items[start:start + limits.images]
            try:
                caption = _caption(compiled, platform, preset, chunk, post, hashtags)
            except jinja2.TemplateError as err:
                errors.append(f"scene {chunk[0].scene.id!r}, platform {platform!r}: caption template: {err}")
                caption = ""
            _check_lengths(platform, limits, chunk, caption, hashtags, errors)
            files[f"kit/{platform}/post{post:02}.caption.txt"] = caption.encode()
            for position, item in enumerate(chunk, start=1):
                name = f"post{post:02}-{position:02}-{preset}-{item.scene.slug}.{item.preset.extension}"
                files[f"kit/{platform}/{name}"] = item.data
                files[f"kit/{platform}/{name}.alt.txt"] = item.scene.alt.encode()
                rows.append({"order": len(rows) + 1, "post": post, "position": position, "file": name,
                             "platform": platform, "preset": preset, "scene": item.scene.id,
                             "width": item.preset.size[0], "height": item.preset.size[1], "bytes": len(item.data),
                             "alt": item.scene.alt, "caption": caption, "hashtags": hashtags})
    return files, rows


def _hashtags(opts: Mapping[str, Any], platform: str, preset: str) -> list[str]:
    tags = opts.get("hashtags") or []
    if isinstance(tags, Mapping):
        tags = tags.get(preset, tags.get(platform, tags.get("", [])))
    tags = [tags] if isinstance(tags, str) else tags
    return ["#" + str(t).lstrip("#") for t in tags]


def _caption(compiled: Mapping[str, jinja2.Template], platform: str, preset: str, chunk: list[Item], post: int,
             hashtags: list[str]) -> str:
    """The post's caption: the first of the preset's, the platform's, the export's and the series' (scene variable
    ``caption``) templates, else the first scene's title, rendered with the first scene's values; then hashtags."""
    first = chunk[0].scene
    values = dict(first.entry.get("vars") or {})
    context = {**values, "title": first.entry.get("title", ""), "alt": first.alt,
               "series": first.entry.get("series", ""), "scene": first.id, "scenes": [i.scene.id for i in chunk],
               "platform": platform, "preset": preset, "post": post, "count": len(chunk)}
    template = compiled.get(preset) or compiled.get(platform) or compiled.get("")
    if template is None and values.get("caption"):
        template = _ENV.from_string(str(values["caption"]))
    text = template.render(context).strip() if template else str(context["title"] or "")
    return "\n\n".join(part for part in (text, " ".join(hashtags)) if part)


def _check_lengths(platform: str, limits: Limits, chunk: list[Item], caption: str, hashtags: list[str],
                   errors: list[str]) -> None:
    scene = chunk[0].scene.id
    if limits.caption is not None and len(caption) > limits.caption:
        errors.append(f"scene {scene!r}, platform {platform!r}: the caption is {len(caption)} characters, over "
                      f"{platform}'s {limits.caption}; shorten it or set captions={{{platform!r}: ...}}")
    if len(hashtags) > MAX_HASHTAGS.get(platform, len(hashtags)):
        errors.append(f"scene {scene!r}, platform {platform!r}: {len(hashtags)} hashtags, over "
                      f"{platform}'s {MAX_HASHTAGS[platform]}")
    for item in chunk:
        alt = item.scene.alt
        if limits.alt is not None and len(alt) > limits.alt:
            errors.append(f"scene {item.scene.id!r}, platform {platform!r}: the alt text is {len(alt)} characters, "
                          f"over {platform}'s {limits.alt}")


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "hashtags": " ".join(row["hashtags"])})
    return out.getvalue().encode()


def _zip(files: Mapping[str, bytes]) -> bytes:
    """The files in one zip, in name order, stored (images do not compress) with a fixed date."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), files[name])
    return buffer.getvalue()
