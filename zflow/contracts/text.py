"""Text on images, shared by backends and exporters: fonts found through fontconfig, glyph coverage, wrapping."""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FontFile = tuple[str, int]  # a font file and the face's index inside it (a .ttc holds several)

#: Characters from here up (CJK radicals, kana, Hangul, ideographs, fullwidth forms) need a CJK font.
CJK_START = 0x2E80
#: Fontconfig languages by script, so that ``fc-match`` ranks the fonts that cover the text first: Hangul, kana,
#: then any other CJK character (ideographs).
_LANGS = (("ko", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))), ("ja", ((0x3040, 0x30FF),)),
          ("zh", ((CJK_START, 0x10FFFF),)))
#: How many of fontconfig's ranked fonts are tried for coverage before giving up (our choice: fontconfig ranks the
#: covering families first, so a font past the first dozens would be a poor match anyway).
CANDIDATES = 40
_MISSING = "\U0010fffd"  # a private-use code point no font maps: its mask is the font's .notdef box


def needs_cjk(text: str) -> bool:
    """Whether the text has a character only a CJK font draws."""
    return any(ord(ch) >= CJK_START for ch in text)


def find_font(text: str, path: str | Path | None = None, index: int = 0, bold: bool = True) -> FontFile:
    """The given font, ``$ZFLOW_FONT``, or the best sans-serif font fontconfig ranks for the text's script that has
    a glyph for every character of it; raises ValueError when no installed font covers the text."""
    if path:
        return str(path), index
    if os.environ.get("ZFLOW_FONT"):
        return os.environ["ZFLOW_FONT"], int(os.environ.get("ZFLOW_FONT_INDEX", "0"))
    for candidate in ranked_fonts(_lang(text), bold):
        if covers(*candidate, text):
            return candidate
    raise ValueError(f"no installed font has every glyph of {text!r}: install a font for its script (Debian: "
                     "fonts-nanum or fonts-noto-cjk for Korean), or set the font option")


@lru_cache(maxsize=16)
def ranked_fonts(lang: str | None = None, bold: bool = True) -> tuple[FontFile, ...]:
    """Installed sans-serif fonts, best match first, as fontconfig's ``fc-match -s`` ranks them for the language."""
    if shutil.which("fc-match") is None:
        raise ValueError("fontconfig's fc-match is not installed, so no font can be found (Debian: fontconfig); "
                         "or set the font option")
    pattern = "sans-serif" + (":weight=bold" if bold else "") + (f":lang={lang}" if lang else "")
    listed = subprocess.run(["fc-match", "-s", "-f", "%{file}\t%{index}\n", pattern], capture_output=True,
                            text=True, check=False).stdout
    fonts = []
    for line in listed.splitlines():
        file, _, index = line.partition("\t")
        if file.lower().endswith((".ttf", ".otf", ".ttc", ".otc")) and (file, int(index or 0)) not in fonts:
            fonts.append((file, int(index or 0)))
    return tuple(fonts[:CANDIDATES])


def _lang(text: str) -> str | None:
    for lang, blocks in _LANGS:
        if any(low <= ord(ch) <= high for ch in text for low, high in blocks):
            return lang
    return None


@lru_cache(maxsize=256)
def load_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size (Pillow shapes Hangul and other complex scripts with Raqm when it is built in)."""
    return ImageFont.truetype(path, size, index=index)


def covers(path: str, index: int, text: str) -> bool:
    """Whether the font has a glyph for every visible character of the text."""
    return all(ch.isspace() or _has_glyph(path, index, ch) for ch in set(text))


@lru_cache(maxsize=4096)
def _has_glyph(path: str, index: int, ch: str) -> bool:
    font = load_font(path, index, 32)
    return _glyph(font, ch) != _glyph(font, _MISSING)


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    """The pixels of one character drawn alone."""
    canvas = Image.new("L", (64, 64))
    ImageDraw.Draw(canvas).text((16, 8), ch, font=font, fill=255)
    return canvas.tobytes()


def text_width(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str, stroke: int = 0) -> float:
    """The advance width of the text in px, with a stroke of ``stroke`` px on both sides."""
    return font.getlength(text) + 2 * stroke


def wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float, max_lines: int | None = None,
         stroke: int = 0) -> list[str]:
    """Greedy word wrap to ``width`` px, paragraph by paragraph (``\\n``); a word too long for a line breaks between
    characters (as Korean and Chinese lines do). Past ``max_lines`` the last line ends in "…"."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if text_width(font, trial, stroke) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and text_width(font, line, stroke) > width:
                cut = _fit(line, font, width, stroke)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(font, last + "…", stroke) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def _fit(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float, stroke: int) -> int:
    """How many leading characters of ``text`` fit in ``width`` (at least one)."""
    cut = len(text)
    while cut > 1 and text_width(font, text[:cut], stroke) > width:
        cut -= 1
    return cut
