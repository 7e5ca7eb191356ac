"""Every option each exporter takes (a recipe's keyword arguments), with its default: None where the exporter works
it out itself (from the scene, the series or the other options). The graph refuses any other option at the
export's line, and an option given as None gets its default here."""
from __future__ import annotations

from typing import Any, Mapping

#: Options every exporter but the contact sheet takes: signing and how much of the frame the subject may fill.
_COMMON = {"c2pa": None}
_FRAMED = {"subject_share": None}

OPTIONS: dict[str, Mapping[str, Any]] = {
    "sns": {**_COMMON, **_FRAMED, "presets": None, "preset": None, "custom_presets": None, "kit": None, "zip": None,
            "caption": None, "captions": None, "hashtags": None},
    "thumbnail": {**_COMMON, **_FRAMED, "preset": "yt_thumbnail", "presets": None, "custom_presets": None,
                  "title": None, "position": "auto", "font": None, "font_index": 0, "color": "#ffffff",
                  "stroke": "#000000", "align": "center", "max_lines": 3, "max_size": None, "min_size": None},
    "webtoon": {**_COMMON, "preset": "webtoon-canvas", "width": None, "scene_key": "place", "cover": None,
                "font": None, "font_index": 0, "background": "#ffffff"},
    "blog": {**_COMMON, "flavor": "html", "template": None, "title": None, "slug": None, "date": None,
             "description": None, "lang": None, "base_url": None, "jsonld": None, "layout": None, "featured": None},
    "contact-sheet": {},
}
