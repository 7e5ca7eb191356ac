"""Where each site generator wants a post and its images, and how the post must link them (docs/platforms.md,
Blog posts). The export's files mirror the site's tree, so copying the export folder into the site's root publishes
it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

SUPPORT = Path(__file__).parent / "templates" / "site"


@dataclass(frozen=True, slots=True)
class Layout:
    """One flavour's layout: the post's path, the folder its images go to, how the post's text links an image in
    that folder, the featured image's path and how the front matter names it, and the support files (render hooks,
    content configs) shipped beside the post, by path."""

    flavor: str
    post: Callable[[str, str], str]
    images: Callable[[str], str]
    link: Callable[[str, str], str]
    featured: Callable[[str], str]
    cover: Callable[[str], str]
    support: tuple[tuple[str, str], ...] = ()

    def support_files(self) -> dict[str, bytes]:
        return {target: (SUPPORT / source).read_bytes() for target, source in self.support}


def _liquid(slug: str, name: str) -> str:
    """A Jekyll link through ``relative_url`` so the site's ``baseurl`` applies."""
    return "{{ '/assets/%s/%s' | relative_url }}" % (slug, name)


LAYOUTS: dict[str, Layout] = {layout.flavor: layout for layout in (
    # A leaf bundle: content/posts/<slug>/index.md with its images beside it as page resources; the render hook
    # shipped with it turns each Markdown image into a <picture> of the bundle's AVIF, WebP and JPEG widths.
    Layout("hugo", lambda slug, date: f"content/posts/{slug}/index.md", lambda slug: f"content/posts/{slug}/images",
           lambda slug, name: f"images/{name}", lambda slug: f"content/posts/{slug}/featured.jpg",
           lambda slug: "featured.jpg",
           (("layouts/_default/_markup/render-image.html", "hugo-render-image.html"),)),
    # _posts/YYYY-MM-DD-slug.md; images under assets/<slug>/ (copied as they are) linked through relative_url.
    Layout("jekyll", lambda slug, date: f"_posts/{date}-{slug}.md", lambda slug: f"assets/{slug}",
           _liquid, lambda slug: f"assets/{slug}/featured.jpg", lambda slug: f"/assets/{slug}/featured.jpg"),
    # A content collection entry; its images beside it in <slug>/, the cover processed by the schema's image().
    Layout("astro", lambda slug, date: f"src/content/blog/{slug}.md", lambda slug: f"src/content/blog/{slug}",
           lambda slug, name: f"./{slug}/{name}", lambda slug: f"src/content/blog/{slug}/featured.jpg",
           lambda slug: f"./{slug}/featured.jpg",
           (("src/content.config.ts", "astro-content.config.ts"),)),
    # posts/<slug>/index.md (URL /posts/<slug>/) with images/ beside it, copied by the shipped plugin's passthrough.
    Layout("eleventy", lambda slug, date: f"posts/{slug}/index.md", lambda slug: f"posts/{slug}/images",
           lambda slug, name: f"images/{name}", lambda slug: f"posts/{slug}/images/featured.jpg",
           lambda slug: f"/posts/{slug}/images/featured.jpg",
           (("zflow-eleventy.js", "zflow-eleventy.js"),)),
    # A page of its own: index.html with images/ beside it.
    Layout("html", lambda slug, date: "index.html", lambda slug: "images", lambda slug, name: f"images/{name}",
           lambda slug: "images/featured.jpg", lambda slug: "images/featured.jpg"),
)}
FLAVORS = tuple(LAYOUTS)
