"""Exporters declare their options with defaults: an unknown option is refused at its line, a preset left as None is
the exporter's default (and keys stay what the default's name gave them)."""
from __future__ import annotations

import json

import pytest

from helpers.project import BASIC_RECIPE
from zflow.engine import Project


@pytest.mark.parametrize("call, needles", [
    ('webtoon(s, gutter=40)', ["recipes/basic.py:10:", "unknown option 'gutter' of exporter 'webtoon'",
                               "(known: background, c2pa, cover, font, font_index, preset, scene_key, width)"]),
    ('blog(s, title="T", descripton="cats")', ["recipes/basic.py:10:", "unknown option 'descripton' of exporter "
                                               "'blog'; did you mean 'description'?", "base_url"]),
])
def test_an_unknown_exporter_option_is_refused_at_its_line_listing_the_known_ones(basic, call, needles):
    basic.write("recipes/basic.py", BASIC_RECIPE + "from zflow import blog, webtoon\n\n" + call + "\n")
    result = basic.zflow("plan", "--json")
    said = " ".join(result.stderr.split())
    assert result.code == 2
    for needle in needles:
        assert needle in said, said


def keys(project) -> dict[str, str]:
    proj = Project(project.root, env={})
    try:
        return {tid: item.key for tid, item in proj.plan(proj.load()).items.items()}
    finally:
        proj.close()


def test_a_preset_left_to_the_exporter_keys_the_same_as_its_default_named(basic):
    found = []
    for webtoon_preset, thumb_preset in (("", ""), (', preset="webtoon-canvas"', ', preset="yt_thumbnail"')):
        basic.write("recipes/basic.py", BASIC_RECIPE + "from zflow import thumbnail, webtoon\n\n"
                    f"webtoon(s{webtoon_preset})\nthumbnail(s, title='T'{thumb_preset})\n")
        found.append(keys(basic))
    assert {"s/export/webtoon", "s/export/thumbnail"} <= set(found[0]) and found[0] == found[1]


def test_the_contact_sheet_exporter_is_the_one_that_serves_contact_tasks(basic):
    assert {"s/a/contact", "s/b/contact"} <= set(keys(basic))
    result = basic.zflow("plan", "--json", env={"ZFLOW_PLUGINS_BLOCK": "exports"})
    assert result.code == 0, result.stderr
    assert not any(item["id"].endswith("/contact") for item in json.loads(result.stdout)["tasks"])
