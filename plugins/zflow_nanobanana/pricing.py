"""Estimated cost of tasks: a price per image by model and image size, from zflow.toml ``[prices]`` or defaults."""
from __future__ import annotations

from typing import Any, Mapping


#: US dollars per image. Nano Banana Pro's figures are Google's; for the other models the reference gives only
#: "roughly $0.03-0.15 per image", so their default is the upper figure (a budget cap then errs on the safe side).
DEFAULT_PRICES: dict[str, float | dict[str, float]] = {
    "gemini-3-pro-image": {"1K": 0.134, "2K": 0.134, "4K": 0.24},
    "gemini-nano-banana-2.1": 0.15,
    "gemini-3.1-flash-image": 0.15,
    "gemini-3.1-flash-lite-image": 0.15,
    "gemini-2.5-flash-image": 0.15,
}


def price(prices: Mapping[str, Any], model: str, image_size: str) -> float | None:
    """The price of one image of ``model`` at ``image_size``: ``[prices]`` first, then the defaults; None if unpriced.

    A ``[prices]`` entry is a number (any size) or a table by image size (``{"1K" = 0.134, "4K" = 0.24}``); zflow
    checked them when it read zflow.toml."""
    entry = prices.get(model, DEFAULT_PRICES.get(model))
    if isinstance(entry, Mapping):
        entry = entry.get(image_size)
    return None if entry is None else float(entry)
