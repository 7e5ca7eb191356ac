"""docs/platforms.md is the one place platform numbers live: its tables and the exporters' constants agree, and the
code cites that page instead of a document outside the repository."""
from __future__ import annotations

import re
from pathlib import Path

from helpers.platforms import DOC, amount, size, table
from zflow_exports.kit import LIMITS, MAX_HASHTAGS
from zflow_exports.presets import BUILTIN
from zflow_exports.webtoon_presets import PRESETS

ROOT = Path(__file__).resolve().parents[1]


def test_every_sns_preset_is_documented_with_its_size_format_cap_and_source():
    rows = table("SNS presets")
    assert set(rows) == set(BUILTIN)
    for name, preset in BUILTIN.items():
        _, px, fmt, cap, _, source, conf = rows[name]
        assert size(px) == preset.size, name
        assert fmt.lower() == preset.format, name
        assert amount(cap) == preset.max_bytes, name
        assert source and conf, name


def test_every_webtoon_preset_is_documented_with_its_width_and_caps():
    rows = table("Webtoon presets")
    assert set(rows) == set(PRESETS)
    canvas = rows["webtoon-canvas"]
    for name, preset in PRESETS.items():
        row = canvas if rows[name][1] == "as Canvas" else rows[name]
        assert int(row[1]) == preset.width, name
        assert int(row[2].lstrip("≤")) == preset.slice_height, name
        assert amount(row[3]) == preset.image_cap, name
        if preset.episode_cap:
            assert amount(row[4].split(" or ")[0]) == preset.episode_cap, name


def test_no_code_or_doc_cites_a_spec_sheet_outside_the_repository():
    offenders = []
    for folder in ("plugins", "zflow", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".md", ".j2", ".html"} and re.search(r"spec sheet|sheet section",
                                                                            path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_cited_section_of_docs_platforms_exists():
    sections = set(re.findall(r"^## (.+)$", DOC.read_text(encoding="utf-8"), re.M))
    cited = set()
    for path in (ROOT / "plugins").rglob("*.py"):
        cited |= set(re.findall(r"docs/platforms\.md,\s*(?:#:\s*)?([A-Z][a-zA-Z]+(?: [a-z]+)*)", path.read_text()))
    assert cited and cited <= sections, cited - sections


def test_every_platform_carousel_and_caption_limit_is_documented():
    rows = table("Carousels and captions")
    assert set(rows) == set(LIMITS)
    for platform, limits in LIMITS.items():
        _, images, caption, alt, source, conf = rows[platform]
        assert int(images) == limits.images, platform
        assert (None if caption == "–" else int(caption.split(",")[0])) == limits.caption, platform
        assert (None if alt == "–" else int(alt)) == limits.alt, platform
        if platform in MAX_HASHTAGS:
            assert f"at most {MAX_HASHTAGS[platform]} hashtags" in caption
        assert source and conf
