"""The shared text module: fonts that fontconfig ranks and that cover the text, and wrapping by pixel width."""
from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from zflow.contracts import text
from zflow.contracts.text import covers, find_font, load_font, ranked_fonts, text_width, wrap

KOREAN = "카페 다이어리 3화: 첫 손님이 왔어요!"


def test_fonts_come_from_fontconfig_and_cover_the_text():
    listed = subprocess.run(["fc-list", ":lang=ko", "file"], capture_output=True, text=True, check=True).stdout
    korean_files = {line.split(":")[0] for line in listed.splitlines()}
    path, index = find_font(KOREAN)
    assert path in korean_files and (path, index) in ranked_fonts("ko", True)
    assert covers(path, index, KOREAN)
    latin = find_font("Cafe Diaries")
    assert latin in ranked_fonts(None, True) and covers(*latin, "Cafe Diaries")


def test_a_latin_only_font_does_not_cover_hangul_so_another_is_chosen():
    latin_only = [f for f in ranked_fonts(None, True) if not covers(*f, "한")]
    assert latin_only, "fontconfig lists no Latin-only font to compare with"
    assert find_font("Cafe 한잔") not in latin_only


def test_text_no_font_covers_is_refused_naming_it(monkeypatch):
    monkeypatch.delenv("ZFLOW_FONT", raising=False)
    with pytest.raises(ValueError, match=r"no installed font has every glyph of 'x\\U0010fffd'"):
        find_font("x\U0010fffd")


def test_wrap_keeps_lines_within_the_width_and_breaks_long_korean_words_between_characters():
    font = load_font(*find_font(KOREAN), 32)
    width = 200
    lines = wrap(KOREAN + " " + "가나다라마바사아자차카타파하" * 2, font, width)
    assert len(lines) > 3 and all(text_width(font, line) <= width for line in lines)
    words = KOREAN + "가나다라마바사아자차카타파하" * 2
    assert "".join(lines).replace(" ", "") == words.replace(" ", "")


def test_wrap_keeps_paragraphs_and_ends_a_cut_text_with_an_ellipsis():
    font = load_font(*find_font("Cafe"), 20)
    assert wrap("one\ntwo", font, 500) == ["one", "two"]
    lines = wrap("word " * 40, font, 120, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…") and text_width(font, lines[-1]) <= 120


def test_the_contract_modules_import_nothing_of_zflow_but_its_errors_and_no_torch():
    for module in (text, __import__("zflow.contracts.provenance", fromlist=["x"])):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0]
        assert not [n for n in names if n.startswith("zflow") and n != "zflow.errors"], module.__name__
        assert not [n for n in names if n.split(".")[0] in ("torch", "diffusers")], module.__name__
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0], module.__name__
