"""The ``blog`` exporter: a post laid out the way its site generator wants it (Hugo, Jekyll, Astro, Eleventy) or a page
of its own (HTML), with responsive images and the featured image that doubles as og:image."""
from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup

from zflow.contracts import Output, Request
from zflow.errors import TaskError

from . import responsive
from .common import SceneImage, open_rgb, options, resolve, scene_images, warn
from .encode import OverCap, encode_capped
from .frame import Framer
from .presets import BUILTIN
from .provenance import save_options
from .signing import Signer, check_c2pa
from .sites import FLAVORS, LAYOUTS, Layout

TEMPLATES = Path(__file__).parent / "templates"
#: The featured image doubles as og:image: 1200x630 (docs/platforms.md, Blog posts).
OG = BUILTIN["og_image"]
#: Front-matter layouts by flavour when the recipe names none: minima's post layout for Jekyll (our choice).
DEFAULT_LAYOUT = {"jekyll": "post"}


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; letters of any script are kept."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_") or "post"


class BlogExporter:
    """Exports the post, its images at every width and format, its featured image and the flavour's support files."""

    name = "blog"
    version = "3"

    def check(self, params: Mapping[str, Any]) -> None:
        opts = params.get("options") or params
        flavor = str(opts.get("flavor", "html"))
        if flavor not in FLAVORS:
            raise ValueError(f"flavor {opts.get('flavor')!r}: use one of {', '.join(FLAVORS)}")
        check_c2pa(opts)
        if flavor == "html" and not opts.get("base_url"):
            warn("blog flavor 'html' without base_url: og:url, og:image and twitter:image stay relative, and Facebook,"
                 " X and LinkedIn need absolute URLs to show the card; set base_url= to the address the post is served"
                 " from (docs/platforms.md, Blog posts)")

    def reframes(self, params: Mapping[str, Any], size: tuple[int, int]) -> dict[str, dict[str, str]]:
        return {}

    def scene_vars(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The scene variables a post reads: each scene's text (or caption), the series' description and lang."""
        return ("text", "caption", "description", "lang")

    def export(self, request: Request) -> Output:
        opts = options(request)
        layout = LAYOUTS[str(opts.get("flavor", "html"))]
        scenes = scene_images(request)
        series = dict(scenes[0].entry.get("vars") or {}) if scenes else {}
        title = str(opts.get("title") or (scenes[0].entry.get("series") if scenes else "") or "Untitled")
        date = str(opts.get("date") or datetime.date.today().isoformat())
        slug = str(opts.get("slug") or slugify(title))
        folder = layout.images(slug)
        files: dict[str, bytes] = {}
        entries = []
        for scene in scenes:
            made, picture = responsive.render(open_rgb(scene.artifact.main), scene.slug, scene.alt, scene.meta(),
                                              folder, lambda name: layout.link(slug, name))
            files.update(made)
            entries.append({"id": scene.id, "title": scene.entry.get("title", ""), "alt": picture.alt,
                            "picture": picture, "text": body_text(scene)})
        cover = next((s for s in scenes if s.id == opts.get("featured")), scenes[0])
        featured_path = layout.featured(slug)
        try:
            files[featured_path], _ = encode_capped(Framer(cover).frame(OG.size, OG.safe_box), "jpeg", OG.max_bytes,
                                                    save_options("jpeg", cover.meta()))
        except OverCap as err:
            raise TaskError(request.task.id, f"scene {cover.id!r}, preset 'og_image': {err}") from err
        context = self._context(opts, layout, title, date, slug, series, entries, cover.alt)
        template = opts.get("template")
        source = resolve(request, template) if template else None
        text = _environment(source).get_template(source.name if source else f"{layout.flavor}.{_ext(layout)}.j2")
        name = layout.post(slug, date)
        if source:
            name = str(Path(name).with_name(source.name.removesuffix(".j2")))
        files = Signer.from_options(opts, request.root).sign_all(files)
        return Output({name: text.render(context).encode(), **files, **layout.support_files()},
                      {"exporter": self.name, "post": name, "flavor": layout.flavor})

    @staticmethod
    def _context(opts: Mapping[str, Any], layout: Layout, title: str, date: str, slug: str,
                 series: Mapping[str, Any], entries: list[dict[str, Any]], cover_alt: str) -> dict[str, Any]:
        """What a template gets: the post's fields, its scenes, the featured image and, for the HTML page, its
        absolute URLs (``base_url`` joined with a slash) and optional JSON-LD."""
        base = str(opts.get("base_url") or "")
        base = base if not base or base.endswith("/") else base + "/"
        link = layout.cover(slug)
        featured = {"src": link, "url": urljoin(base, link) if base else link, "width": OG.size[0],
                    "height": OG.size[1], "alt": cover_alt}
        context = {"title": title, "date": date, "slug": slug, "url": base,
                   "description": str(opts.get("description") or series.get("description") or ""),
                   "lang": str(opts.get("lang") or series.get("lang") or "en"),
                   "layout": str(opts.get("layout") or DEFAULT_LAYOUT.get(layout.flavor, "")),
                   "base_url": base, "featured": featured, "scenes": entries, "options": dict(opts)}
        context["jsonld"] = _jsonld(context) if opts.get("jsonld") else ""
        return context


def body_text(scene: SceneImage) -> str:
    """The words under a scene's picture: its ``text=``, else its own ``alt=``, else its ``caption=``."""
    entry, values = scene.entry, scene.entry.get("vars") or {}
    alt = str(entry.get("alt") or "")
    own_alt = alt if alt not in (str(entry.get("title") or ""), str(entry.get("prompt") or "")) else ""
    return str(values.get("text") or own_alt or values.get("caption") or "")


def _jsonld(context: Mapping[str, Any]) -> Markup:
    """A schema.org Article for the page, safe inside <script> (``<`` escaped)."""
    article = {"@context": "https://schema.org", "@type": "Article", "headline": context["title"],
               "description": context["description"], "datePublished": context["date"],
               "inLanguage": context["lang"], "image": [context["featured"]["url"]]}
    if context["url"]:
        article["url"] = context["url"]
    return Markup(json.dumps(article, ensure_ascii=False).replace("<", "\\u003c"))


def _ext(layout: Layout) -> str:
    return "html" if layout.flavor == "html" else "md"


def _environment(source: Path | None) -> jinja2.Environment:
    """Templates from the user's template folder first, then the built-in ones (so ``_picture.j2`` can be imported)."""
    folders = ([str(source.parent)] if source else []) + [str(TEMPLATES)]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html", "html.j2"]), keep_trailing_newline=True)
    env.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    env.filters["liquid_raw"] = lambda value: f"{{% raw %}}{value}{{% endraw %}}" if re.search(r"\{[{%]", str(value)) \
        else value
    env.filters["mdalt"] = lambda value: re.sub(r"([\\\[\]])", r"\\\1", " ".join(str(value).split()))
    return env
