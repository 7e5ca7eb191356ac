"""The bound on prompt length (zflow.toml's ``[limits] prompt_chars``), checked where a prompt is declared."""
from __future__ import annotations

from typing import Any

from .registry import DeclarationError, current
from .source import Location

#: The longest prompt, as written and as rendered, unless zflow.toml's ``[limits] prompt_chars`` says otherwise.
PROMPT_CHARS = 20_000
#: What every message about the bound ends with.
RAISE_IT = " (shorten it, or raise [limits] prompt_chars in zflow.toml)"


def check_prompt(value: Any, what: str, where: Location) -> Any:
    """A prompt (or negative prompt) written as text: no longer than the limit; other values pass unchanged."""
    limit = current().limits.get("prompt_chars", PROMPT_CHARS)
    if isinstance(value, str) and len(value) > limit:
        raise DeclarationError(f"{what} is {len(value):,} characters, over the limit of {limit:,}{RAISE_IT}", where)
    return value
