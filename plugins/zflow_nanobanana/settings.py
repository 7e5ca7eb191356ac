"""The nanobanana options of a stage (``[stages.X] options = {...}`` in zflow.toml), read and checked."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from zflow.contracts.settings import Setting, located, nonempty

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


def _listed(pattern: re.Pattern[str], shape: str):
    def check(value: list) -> str | None:
        if not value or not all(isinstance(v, str) and pattern.match(v) for v in value):
            return f"must be a list of {shape}, got {value!r}"
        return None
    return check


_DEFAULTS = Settings()
SETTINGS = {
    "base_url": Setting(str, None, check=nonempty),
    "api_version": Setting(str, _DEFAULTS.api_version, check=nonempty),
    "timeout": Setting(float, _DEFAULTS.timeout, above=0),
    "concurrency": Setting(int, _DEFAULTS.concurrency, low=1),
    "rpm": Setting(float, _DEFAULTS.rpm, low=0),  # 0: no limit
    "retries": Setting(int, _DEFAULTS.retries, low=0),
    "backoff": Setting(float, _DEFAULTS.backoff, low=0),
    "max_backoff": Setting(float, _DEFAULTS.max_backoff, low=0),
    "api_key_env": Setting(str, None, check=nonempty),
    "max_images": Setting(int, None, low=1),
    "image_sizes": Setting(list, None, check=_listed(_SIZE, '"1K", "2K", "4K" (or "512")')),
    "aspect_ratios": Setting(list, None, check=_listed(_RATIO, '"w:h" such as "16:9"')),
}


def read(options: Mapping[str, Any]) -> Settings:
    """Settings from a stage's options; a wrong one is a SettingError naming the setting and its zflow.toml line."""
    table = located(options, "stages.<stage>.options")
    if "api_key" in options:
        raise table.error("api_key", "the nanobanana backend never reads the API key from zflow.toml; set "
                                     f"{' or '.join(KEY_VARIABLES)} in the environment (or name another variable "
                                     "with options.api_key_env)")
    values = table.read(SETTINGS)
    return Settings(**values | {"rpm": values["rpm"] or None,
                                "image_sizes": _tuple(values["image_sizes"]),
                                "aspect_ratios": _tuple(values["aspect_ratios"])})


def _tuple(value: list | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)
