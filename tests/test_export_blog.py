"""The blog exporter: Hugo, Jekyll, Astro and HTML posts whose every referenced image exists at its stated width."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from PIL import Image

from helpers.exports import artifact, export_request, scene_png, written, xmp_fields
from zflow_exports.blog import BlogExporter
from zflow_exports.common import PlatformWarning

VOID = {"meta", "img", "source", "link", "br", "hr", "input"}


class Checker(HTMLParser):
    """Collects tags and attributes and fails on any unbalanced or misnested tag."""

    def __init__(self):
        super().__init__()
        self.stack, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def parse_html(text):
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == [], f"unclosed {checker.stack}"
    return checker.tags


def post(tmp_path, options, template=None, description="First day", series=None, scene_vars=None):
    inputs, scenes = [], []
    scene_vars = scene_vars or [{"text": f"Words {i}."} for i in range(2)]
    sizes = [(1100, 825), (768, 1024), (640, 640)][:len(scene_vars)]
    for i, (size, values) in enumerate(zip(sizes, scene_vars)):
        inputs.append(artifact(f"cafe/s{i}/final", scene_png(tmp_path / f"{i}.png", size)))
        scenes.append({"id": f"s{i}", "image": i, "title": f"Scene {i} <b>", "alt": f'Mina "smiles" {i}',
                       "prompt": "p", "seed": i, "vars": {**(series or {}), **values}})
    opts = {"title": "Café diaries: ep 1", "date": "2026-11-27", **options}
    if description:
        opts["description"] = description
    if template:
        opts["template"] = {"file": template}
    out = BlogExporter().export(export_request(tmp_path, "blog", opts, inputs, scenes))
    files = written(tmp_path, out.files)
    return out, files, files[out.meta["post"]].read_text()


def check_images(files, tags, path=lambda url: url):
    """Every src/srcset image exists (``path`` maps a link to the file's name in the export), opens as its extension's
    format, and has the width its descriptor says; every <img> and <source> states the fallback's width and height."""
    seen = 0
    for tag, attrs in tags:
        if "src" in attrs:
            assert path(attrs["src"]) in files, attrs["src"]
        for part in attrs.get("srcset", "").split(","):
            if not part.strip():
                continue
            url, descriptor = part.strip().rsplit(maxsplit=1)
            with Image.open(files[path(url)]) as img:
                assert img.width == int(descriptor.removesuffix("w"))
                assert img.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[path(url).rsplit(".", 1)[1]]
            seen += 1
        if tag == "img":
            with Image.open(files[path(attrs["src"])]) as img:
                assert (int(attrs["width"]), int(attrs["height"])) == img.size
            assert attrs["alt"].startswith('Mina "smiles"')
        if tag == "source":
            assert (attrs["width"], attrs["height"]) == next(
                (a["width"], a["height"]) for t, a in tags[tags.index((tag, attrs)):] if t == "img")
    assert seen


def front_matter(text):
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "no front matter"
    return yaml.safe_load(match.group(1)), text[match.end():]


SLUG = "café-diaries-ep-1"
LIQUID = re.compile(r"\{\{ '/(.*?)' \| relative_url \}\}")
#: flavour -> (post path, featured image as the front matter names it -> file, a link in the body -> file)
LAYOUTS = {
    "hugo": (f"content/posts/{SLUG}/index.md", lambda m: f"content/posts/{SLUG}/" + m["images"][0],
             lambda url: f"content/posts/{SLUG}/{url}"),
    "jekyll": (f"_posts/2026-11-27-{SLUG}.md", lambda m: m["image"]["path"].lstrip("/"),
               lambda url: LIQUID.fullmatch(url).group(1)),
    "astro": (f"src/content/blog/{SLUG}.md", lambda m: "src/content/blog/" + m["cover"].removeprefix("./"),
              lambda url: "src/content/blog/" + url.removeprefix("./")),
    "eleventy": (f"posts/{SLUG}/index.md", lambda m: m["image"].lstrip("/"), lambda url: f"posts/{SLUG}/{url}"),
}
MARKDOWN_IMAGE = re.compile(r"!\[(.*?)\]\((\S+)\)")


@pytest.mark.parametrize("flavor", sorted(LAYOUTS))
def test_markdown_post_is_laid_out_for_its_generator_with_every_image_it_names(tmp_path, flavor):
    name, featured, path = LAYOUTS[flavor]
    out, files, text = post(tmp_path, {"flavor": flavor})
    assert out.meta["post"] == name
    meta, body = front_matter(text)
    assert meta["title"] == "Café diaries: ep 1"
    with Image.open(files[featured(meta)]) as img:
        assert img.size == (1200, 630)
    assert xmp_fields(files[featured(meta)])["DigitalSourceType"].endswith("trainedAlgorithmicMedia")
    assert "## Scene 0 &lt;b&gt;" in body and "Words 1." in body
    images = MARKDOWN_IMAGE.findall(body)
    if flavor in ("hugo", "astro"):  # Markdown images, which the generator processes
        assert [alt for alt, _ in images] == ['Mina "smiles" 0', 'Mina "smiles" 1']
        for _, url in images:
            with Image.open(files[path(url)]) as img:
                assert img.format == "JPEG"
    else:
        assert not images
        check_images(files, parse_html(body), path)


def test_each_flavor_ships_the_support_its_generator_needs(tmp_path):
    shipped = {}
    for flavor in LAYOUTS:
        (tmp_path / flavor).mkdir()
        shipped[flavor] = set(post(tmp_path / flavor, {"flavor": flavor})[0].files)
    assert "layouts/_default/_markup/render-image.html" in shipped["hugo"]
    assert "src/content.config.ts" in shipped["astro"]
    assert "zflow-eleventy.js" in shipped["eleventy"]
    hook = (tmp_path / "hugo" / "out" / "layouts/_default/_markup/render-image.html").read_text()
    assert all(word in hook for word in ("avif", "webp", "width=", "height=", ".Page.Resources.Match"))


def test_html_page_is_well_formed_with_absolute_og_and_twitter_meta(tmp_path):
    _, files, text = post(tmp_path, {"flavor": "html", "base_url": "https://shop.example", "jsonld": True})
    tags = parse_html(text)
    meta = {a.get("property") or a.get("name"): a.get("content") for t, a in tags if t == "meta"}
    assert meta["og:image"] == meta["twitter:image"] == "https://shop.example/images/featured.jpg"
    assert meta["og:url"] == "https://shop.example/"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["twitter:card"] == "summary_large_image" and meta["og:title"] == "Café diaries: ep 1"
    assert meta["og:description"] == "First day"
    check_images(files, tags)
    article = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1))
    assert article["@type"] == "Article" and article["image"] == ["https://shop.example/images/featured.jpg"]
    assert article["headline"] == "Café diaries: ep 1" and article["datePublished"] == "2026-11-27"


def test_html_page_takes_description_and_lang_from_the_series_and_text_from_each_scene(tmp_path):
    scenes = [{"text": "Words 0."}, {"caption": "A caption."}, {}]
    _, files, text = post(tmp_path, {"flavor": "html", "base_url": "https://example.org/ep1"}, description=None,
                          series={"description": "A month in a café", "lang": "ko"}, scene_vars=scenes)
    tags = parse_html(text)
    meta = {a.get("property") or a.get("name"): a.get("content") for t, a in tags if t == "meta"}
    assert meta["og:description"] == "A month in a café" and meta["og:url"] == "https://example.org/ep1/"
    assert meta["og:image"] == "https://example.org/ep1/images/featured.jpg"
    assert re.search(r'<html lang="ko">', text)
    paragraphs = re.findall(r"<p>(.*?)</p>", text)
    assert paragraphs == ["Words 0.", "Mina &#34;smiles&#34; 1", "Mina &#34;smiles&#34; 2"] or \
        paragraphs == ["Words 0.", "Mina &quot;smiles&quot; 1", "Mina &quot;smiles&quot; 2"]


def test_html_without_base_url_warns_that_cards_need_absolute_urls():
    with pytest.warns(PlatformWarning, match="base_url"):
        BlogExporter().check({"options": {"flavor": "html"}})


def test_picture_sources_come_avif_then_webp_and_widths_stop_at_the_source(tmp_path):
    _, files, text = post(tmp_path, {"flavor": "html", "base_url": "https://example.org"})
    tags = parse_html(text)
    types = [a["type"] for t, a in tags if t == "source"]
    assert types == ["image/avif", "image/webp"] * 2
    first = next(a for t, a in tags if t == "source")
    assert [p.split()[1] for p in first["srcset"].split(", ")] == ["480w", "768w", "1024w", "1100w"]


def test_a_user_template_replaces_the_built_in_one(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "post.md.j2").write_text(
        '{% from "_picture.j2" import picture %}# {{ title }}\n{% for s in scenes %}{{ picture(s.picture) }}\n'
        "{% endfor %}")
    out, files, text = post(tmp_path, {}, template="templates/post.md.j2")
    assert out.meta["post"] == "post.md" and text.startswith("# Café diaries: ep 1")
    check_images(files, parse_html(text))


def test_unknown_flavor_is_refused():
    with pytest.raises(ValueError, match="hugo"):
        BlogExporter().check({"options": {"flavor": "wordpress"}})
