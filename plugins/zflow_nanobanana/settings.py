"""The nanobanana options of a stage (``[stages.X] options = {...}`` in zflow.toml), read and checked."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from zflow.errors import PluginError

KEY_VARIABLES = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
#: Options that change the request (so the key); the others say how and where requests are sent.
REQUEST_OPTIONS = ("image_sizes", "aspect_ratios")
_RATIO = re.compile(r"^\d+:\d+$")
_SIZE = re.compile(r"^(512|[1-9]\d*K)$")


@dataclass(frozen=True, slots=True)
class Settings:
    """How requests are sent: endpoint, limits, retries and any model limits the stage overrides."""

    base_url: str | None = None
    api_version: str = "v1beta"
    timeout: float = 120.0
    concurrency: int = 2
    rpm: float | None = 10.0
    retries: int = 4
    backoff: float = 2.0
    max_backoff: float = 60.0
    api_key_env: str | None = None
    max_images: int | None = None
    image_sizes: tuple[str, ...] | None = None
    aspect_ratios: tuple[str, ...] | None = None

    @property
    def key_variables(self) -> tuple[str, ...]:
        """The environment variables the API key is read from, in order."""
        return (self.api_key_env,) if self.api_key_env else KEY_VARIABLES


_DEFAULTS = Settings()


def read(options: Mapping[str, Any]) -> Settings:
    """Settings from a stage's options; a wrong one is a PluginError naming ``options.<name>``."""
    if "api_key" in options:
        raise PluginError("options.api_key: the nanobanana backend never reads the API key from zflow.toml; set "
                          f"{' or '.join(KEY_VARIABLES)} in the environment (or name another variable with "
                          "options.api_key_env)")
    unknown = sorted(set(options) - set(Settings.__slots__))
    if unknown:
        raise PluginError(f"options.{unknown[0]}: unknown nanobanana option (known: "
                          f"{', '.join(Settings.__slots__)})")
    o, d = options, _DEFAULTS
    return Settings(
        base_url=_text(o, "base_url", None),
        api_version=_text(o, "api_version", d.api_version),
        timeout=_number(o, "timeout", d.timeout, positive=True),
        concurrency=int(_number(o, "concurrency", d.concurrency, positive=True, whole=True)),
        rpm=None if o.get("rpm") == 0 else _number(o, "rpm", d.rpm, positive=True),
        retries=int(_number(o, "retries", d.retries, whole=True)),
        backoff=_number(o, "backoff", d.backoff),
        max_backoff=_number(o, "max_backoff", d.max_backoff),
        api_key_env=_text(o, "api_key_env", None),
        max_images=int(_number(o, "max_images", 1, positive=True, whole=True)) if "max_images" in o else None,
        image_sizes=_choices(o, "image_sizes", _SIZE, '"1K", "2K", "4K" (or "512")'),
        aspect_ratios=_choices(o, "aspect_ratios", _RATIO, '"w:h" such as "16:9"'),
    )


def _text(options: Mapping[str, Any], name: str, default: str | None) -> str | None:
    value = options.get(name, default)
    if value is not None and (not isinstance(value, str) or not value):
        raise PluginError(f"options.{name}: must be non-empty text, not {value!r}")
    return value


def _number(options: Mapping[str, Any], name: str, default: float, positive: bool = False,
            whole: bool = False) -> float:
    value = options.get(name, default)
    kind = "whole number" if whole else "number"
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        raise PluginError(f"options.{name}: must be a {kind}, not {value!r}")
    if value < 0 or (positive and value == 0):
        raise PluginError(f"options.{name}: must be a {'positive' if positive else 'non-negative'} {kind}, "
                          f"not {value!r}")
    return float(value)


def _choices(options: Mapping[str, Any], name: str, pattern: re.Pattern[str], shape: str) -> tuple[str, ...] | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and pattern.match(v) for v in value):
        raise PluginError(f"options.{name}: must be a list of {shape}, not {value!r}")
    return tuple(value)
