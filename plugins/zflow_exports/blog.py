"""The ``blog`` exporter: a post from a Jinja2 template (Hugo, Jekyll, Astro or HTML) with responsive images."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any, Mapping

import jinja2

from zflow.contracts import Output, Request
from zflow.errors import TaskError

from . import responsive
from .common import SceneImage, open_rgb, options, resolve, scene_images
from .encode import OverCap, encode_capped
from .frame import Framer
from .presets import BUILTIN
from .provenance import save_options
from .signing import Signer, check_c2pa

TEMPLATES = Path(__file__).parent / "templates"
FLAVORS = ("hugo", "jekyll", "astro", "html")
#: The featured image doubles as og:image: 1200x630 (docs/platforms.md, Blog posts).
OG = BUILTIN["og_image"]


def post_name(flavor: str, slug: str, date: str, template: str | None) -> str:
    """The post's file name: Hugo and Astro ``index.md``, Jekyll ``YYYY-MM-DD-slug.md``, HTML ``index.html``; a custom
    template's own name without ``.j2``."""
    if template:
        return Path(template).name.removesuffix(".j2")
    return {"hugo": "index.md", "astro": "index.md", "jekyll": f"{date}-{slug}.md", "html": "index.html"}[flavor]


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; letters of any script are kept."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_") or "post"


def prefixed(srcset: str, prefix: str) -> str:
    """Every URL of a srcset with ``prefix`` in front."""
    return ", ".join(prefix + part.strip() for part in srcset.split(","))


class BlogExporter:
    """Exports the post file, ``images/<scene>-<w>.{avif,webp,jpg}`` and ``images/featured.jpg``."""

    name = "blog"
    version = "2"

    def check(self, params: Mapping[str, Any]) -> None:
        opts = params.get("options") or params
        if str(opts.get("flavor", "html")) not in FLAVORS:
            raise ValueError(f"flavor {opts.get('flavor')!r}: use one of {', '.join(FLAVORS)}")
        check_c2pa(opts)

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, dict[str, str]]:
        return {}

    def export(self, request: Request) -> Output:
        opts = options(request)
        flavor = str(opts.get("flavor", "html"))
        scenes = scene_images(request)
        title = str(opts.get("title") or (scenes[0].entry.get("series") if scenes else "") or "Untitled")
        date = str(opts.get("date") or datetime.date.today().isoformat())
        slug = str(opts.get("slug") or slugify(title))
        files: dict[str, bytes] = {}
        entries = []
        for scene in scenes:
            alt = _alt(scene)
            made, picture = responsive.render(open_rgb(scene.artifact.main), scene.slug, alt, scene.meta())
            files.update(made)
            entries.append({"id": scene.id, "title": scene.entry.get("title", ""), "alt": alt, "picture": picture,
                            "text": (scene.entry.get("vars") or {}).get("text", "")})
        cover = next((s for s in scenes if s.id == opts.get("featured")), scenes[0])
        try:
            files["images/featured.jpg"], _ = encode_capped(Framer(cover).frame(OG.size, OG.safe_box), "jpeg",
                                                            OG.max_bytes, save_options("jpeg", cover.meta()))
        except OverCap as err:
            raise TaskError(request.task.id, f"scene {cover.id!r}, preset 'og_image': {err}") from err
        featured = {"src": "images/featured.jpg", "width": OG.size[0], "height": OG.size[1],
                    "alt": _alt(cover)}
        template = opts.get("template")
        context = {"title": title, "date": date, "slug": slug, "description": str(opts.get("description", "")),
                   "lang": str(opts.get("lang", "en")), "base_url": str(opts.get("base_url", "")),
                   "featured": featured, "scenes": entries, "options": dict(opts)}
        source = resolve(request, template) if template else None
        text = _environment(source).get_template(source.name if source else f"{flavor}.{_ext(flavor)}.j2")
        name = post_name(flavor, slug, date, source.name if source else None)
        files = Signer.from_options(opts, request.root).sign_all(files)
        return Output({name: text.render(context).encode(), **files}, {"exporter": self.name, "post": name})


def _alt(scene: SceneImage) -> str:
    """A scene's alt text: its ``alt``, else its title, else its prompt."""
    return str(scene.entry.get("alt") or scene.entry.get("title") or scene.entry.get("prompt") or "")


def _ext(flavor: str) -> str:
    return "html" if flavor == "html" else "md"


def _environment(source: Path | None) -> jinja2.Environment:
    """Templates from the user's template folder first, then the built-in ones (so ``_picture.j2`` can be imported)."""
    folders = ([str(source.parent)] if source else []) + [str(TEMPLATES)]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html", "html.j2"]), keep_trailing_newline=True)
    env.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    env.globals["prefixed"] = prefixed
    return env
