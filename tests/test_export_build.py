"""End to end through `zflow build`: a recipe's SNS, thumbnail, webtoon and blog exports land in out/."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from helpers.exports import IPTC

pytestmark = [pytest.mark.e2e]

RECIPE = '''\
from zflow import Character, Series, blog, narrate, say, sns, thumbnail, webtoon

mina = Character("mina", looks="barista, green apron")
s = Series("s", prompt="{{ cast }} {{ action }}", size="192x256", drafts=1)
a = s.scene("a", cast=[mina], action="pours coffee", title="First shift", alt="Mina pours coffee",
            balloons=[narrate("Monday."), say("Good morning!", who=mina)])
s.scene("b", cast=[mina], action="reads a book", title="Break", balloons=[say("안녕하세요!", who=mina)])
sns(s, "ig_portrait", "x_post")
thumbnail(a, title="카페 다이어리 1화")
webtoon(s)
blog(s, title="Cafe diaries", date="2026-11-27", flavor="html")
'''


def test_build_writes_every_export_with_its_sizes_and_provenance(project):
    project.write("recipes/cafe.py", RECIPE)
    result = project.build()
    assert result.code == 0, result.stderr + result.stdout
    files = project.out_files()
    sizes = {"s/export/sns/ig_portrait/a.jpg": (1080, 1350), "s/export/sns/x_post/b.jpg": (1600, 900),
             "s/export/thumbnail/yt_thumbnail/a.jpg": (1280, 720), "s/export/blog/images/featured.jpg": (1200, 630),
             "s/export/webtoon/thumbnails/square.jpg": (1080, 1080)}
    for name, size in sizes.items():
        with Image.open(io.BytesIO(files[name])) as img:
            assert img.size == size, name
            assert IPTC.strip("{}").encode() in files[name], name
    slices = sorted(n for n in files if n.startswith("s/export/webtoon/episode/"))
    assert slices[0].endswith("001.jpg") and all(Image.open(io.BytesIO(files[n])).width == 800 for n in slices)
    page = files["s/export/blog/index.html"].decode()
    assert 'alt="Mina pours coffee"' in page and "og:image" in page
