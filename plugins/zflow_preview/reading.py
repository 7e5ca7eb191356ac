"""Reading a prompt in English, Korean, Japanese or Chinese: its words as the English words the drawing code knows,
in text order, from word lists per language that plugins may extend with ``add_words``."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from .lexicon import en, ja, ko, zh
from .seeding import digest

#: The word lists by language code; ``add_words`` extends them.
LANGUAGES: dict[str, dict[str, str]] = {"en": dict(en.WORDS), "ko": dict(ko.WORDS), "ja": dict(ja.WORDS),
                                        "zh": dict(zh.WORDS)}
_ADDED: dict[str, dict[str, str]] = {}
_LATIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def add_words(language: str, words: Mapping[str, str]) -> None:
    """Teach the preview more words of ``language`` (a code such as "ko"): each maps to English words it knows,
    e.g. ``add_words("ko", {"편의점": "shop", "삼색 고양이": "orange cat"})``. Call it when a plugin loads: the
    backend's identity changes with the words added, so images drawn without them are rebuilt."""
    bad = [k for k, v in words.items() if not isinstance(k, str) or not isinstance(v, str) or not k.strip()]
    if bad:
        raise ValueError(f"add_words({language!r}): give text for text, not {bad[0]!r}")
    LANGUAGES.setdefault(language, {}).update({k.lower(): v.lower() for k, v in words.items()})
    _ADDED.setdefault(language, {}).update({k.lower(): v.lower() for k, v in words.items()})
    _matcher.cache_clear()
    tokens.cache_clear()


def fingerprint() -> str:
    """What plugins added to the word lists, as a short digest ("" when nothing was added)."""
    return "" if not _ADDED else format(digest(sorted((k, sorted(v.items())) for k, v in _ADDED.items())), "x")


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    """One pattern for every phrase (a key with a space or a non-Latin letter), longest first; the phrases'
    meanings; and the single Latin words' meanings."""
    phrases: dict[str, str] = {}
    single: dict[str, str] = {}
    for table in LANGUAGES.values():
        for key, meaning in table.items():
            if " " in key or not key.isascii() or not _LATIN_WORD.fullmatch(key):
                phrases[key] = meaning
            else:
                single[key] = meaning
    parts = [rf"\b{re.escape(k)}\b" if k.isascii() else re.escape(k)
             for k in sorted(phrases, key=len, reverse=True)]
    return re.compile("|".join(parts) or r"(?!)"), phrases, single


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """The words of ``text`` in order, lower-case: known phrases of any language as their English meaning, other
    words as they are (and an English plural also as its singular)."""
    pattern, phrases, single = _matcher()
    lowered = text.lower()
    out: list[str] = []
    start = 0
    for match in pattern.finditer(lowered):
        _words(lowered[start:match.start()], single, out)
        out.extend(phrases[match.group()].split())
        start = match.end()
    _words(lowered[start:], single, out)
    return tuple(out)


def words(text: str) -> set[str]:
    """The set of ``tokens(text)``."""
    return set(tokens(text))


def _words(text: str, single: dict[str, str], out: list[str]) -> None:
    for word in _LATIN_WORD.findall(text):
        meaning = single.get(word)
        if meaning is not None:
            out.extend(meaning.split())
            continue
        out.append(word)
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            stem = word[:-3] + "y" if word.endswith("ies") else word[:-1]
            out.append(single.get(stem, stem))
