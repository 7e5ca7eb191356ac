"""The blog exporter: Hugo, Jekyll, Astro and HTML posts whose every referenced image exists at its stated width."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml
from PIL import Image

from helpers.exports import artifact, export_request, scene_png, written, xmp_fields
from zflow_exports.blog import BlogExporter

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


def post(tmp_path, options, template=None):
    inputs, scenes = [], []
    for i, size in enumerate([(1100, 825), (768, 1024)]):
        inputs.append(artifact(f"cafe/s{i}/final", scene_png(tmp_path / f"{i}.png", size)))
        scenes.append({"id": f"s{i}", "image": i, "title": f"Scene {i} <b>", "alt": f'Mina "smiles" {i}',
                       "prompt": "p", "seed": i, "vars": {"text": f"Words {i}."}})
    opts = {"title": "Café diaries: ep 1", "date": "2026-11-27", "description": "First day", **options}
    if template:
        opts["template"] = {"file": template}
    out = BlogExporter().export(export_request(tmp_path, "blog", opts, inputs, scenes))
    files = written(tmp_path, out.files)
    return out, files, files[out.meta["post"]].read_text()


def check_images(files, tags, prefix=""):
    """Every src/srcset image exists, opens as its extension's format, and has the width its descriptor says."""
    seen = 0
    for tag, attrs in tags:
        if "src" in attrs:
            assert attrs["src"].removeprefix(prefix) in files, attrs["src"]
        for part in attrs.get("srcset", "").split(","):
            if not part.strip():
                continue
            url, descriptor = part.split()
            with Image.open(files[url.removeprefix(prefix)]) as img:
                assert img.width == int(descriptor.removesuffix("w"))
                assert img.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[url.rsplit(".", 1)[1]]
            seen += 1
        if tag == "img":
            with Image.open(files[attrs["src"].removeprefix(prefix)]) as img:
                assert (int(attrs["width"]), int(attrs["height"])) == img.size
            assert attrs["alt"].startswith('Mina "smiles"')
    assert seen


def front_matter(text):
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "no front matter"
    return yaml.safe_load(match.group(1)), text[match.end():]


@pytest.mark.parametrize("flavor,name", [("hugo", "index.md"), ("jekyll", "2026-11-27-café-diaries-ep-1.md"),
                                         ("astro", "index.md")])
def test_markdown_post_has_front_matter_and_every_image_it_names(tmp_path, flavor, name):
    out, files, text = post(tmp_path, {"flavor": flavor})
    assert out.meta["post"] == name
    meta, body = front_matter(text)
    assert meta["title"] == "Café diaries: ep 1"
    featured = {"hugo": lambda m: m["images"][0], "jekyll": lambda m: m["image"]["path"],
                "astro": lambda m: m["cover"].removeprefix("./")}[flavor](meta)
    with Image.open(files[featured]) as img:
        assert img.size == (1200, 630)
    assert xmp_fields(files[featured])["DigitalSourceType"].endswith("trainedAlgorithmicMedia")
    assert "## Scene 0 &lt;b&gt;" in body
    check_images(files, parse_html(body), "./" if flavor == "astro" else "")


def test_html_page_is_well_formed_with_og_and_twitter_meta_for_the_featured_image(tmp_path):
    _, files, text = post(tmp_path, {"flavor": "html", "base_url": "https://example.org/ep1/"})
    tags = parse_html(text)
    meta = {a.get("property") or a.get("name"): a.get("content") for t, a in tags if t == "meta"}
    assert meta["og:image"] == "https://example.org/ep1/images/featured.jpg"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["twitter:card"] == "summary_large_image" and meta["og:title"] == "Café diaries: ep 1"
    check_images(files, tags)


def test_picture_sources_come_avif_then_webp_and_widths_stop_at_the_source(tmp_path):
    _, files, text = post(tmp_path, {"flavor": "html"})
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
