"""Validators that turn a recipe's edit parameters into canonical JSON values, with messages a user can act on."""
from __future__ import annotations

import math
import re
from pathlib import PurePath
from typing import Any, Mapping

from zflow.contracts import REQUIRED, parse_size

#: Regions a recipe can name; the backend finds them in the input image's meta (``faces``, ``focus``).
NAMED_REGIONS = ("face", "subject")
#: Every side of an outpainted canvas is a multiple of this.
MULTIPLE = 16
MAX_SIDE = 4096

_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")
_REGION_HELP = "use 'face', 'subject', a box [x0, y0, x1, y1] in 0-1 units, or a mask image {\"file\": \"masks/m.png\"}"


def check_keys(op: str, params: Mapping[str, Any], arguments: Mapping[str, Any]) -> None:
    """Refuse parameters not in the op's ``arguments`` and missing required ones (default ``REQUIRED``), naming them."""
    required = [k for k, default in arguments.items() if default == REQUIRED]
    unknown = sorted(set(params) - set(arguments))
    if unknown:
        allowed = ", ".join(arguments)
        raise ValueError(f"{op}: unknown parameter(s) {', '.join(unknown)}; {op} takes {allowed}")
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"{op}: missing parameter(s) {', '.join(missing)}")


def prompt(op: str, value: Any, *, required: bool) -> str:
    """A prompt text; ``required`` refuses an empty one."""
    if not isinstance(value, str):
        raise ValueError(f"{op} prompt {value!r} must be text")
    if required and not value.strip():
        raise ValueError(f"{op} needs a prompt describing what to paint")
    return value


def strength(op: str, value: Any) -> float:
    """A strength in (0, 1] as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < float(value) <= 1.0:
        raise ValueError(f"{op} strength {value!r} must be a number above 0 and at most 1 (e.g. 0.6)")
    return float(value)


def references(op: str, value: Any) -> list[str | dict[str, str]]:
    """Reference images as the graph gives them: ``{"file": path}`` for an image file, a name for a character."""
    items = [value] if isinstance(value, str | Mapping) else value
    if not isinstance(items, list | tuple):
        raise ValueError(f"{op} references {value!r}: give a list of image files and characters")
    out: list[str | dict[str, str]] = []
    for item in items:
        if isinstance(item, Mapping) and set(item) == {"file"}:
            out.append({"file": PurePath(item["file"]).as_posix()})
        elif isinstance(item, str) and item.strip() and not PurePath(item).suffix:
            out.append(item)
        else:
            raise ValueError(f"{op} reference {item!r} is neither an image file (.png, .jpg, .jpeg, .webp) nor a "
                             f"character")
    return out


def region(value: Any) -> str | list[float] | dict[str, str]:
    """A named region, a 0-1 box as four floats, or ``{"file": path}`` (``{"mask": path}`` is accepted too)."""
    if isinstance(value, str):
        if value in NAMED_REGIONS:
            return value
        raise ValueError(f"inpaint region {value!r} unknown: {_REGION_HELP}")
    if isinstance(value, list | tuple):
        return _box(value)
    if isinstance(value, Mapping):
        return _mask(value)
    raise ValueError(f"inpaint region {value!r} unknown: {_REGION_HELP}")


def canvas(value: Any, size: tuple[int, int]) -> list[int]:
    """The outpainted canvas for an input of ``size``: an aspect's smallest containing canvas, or ``WxH`` >= input."""
    width, height = size
    if isinstance(value, str) and (m := _ASPECT.match(value)):
        aw, ah = float(m.group(1)), float(m.group(2))
        if aw <= 0 or ah <= 0:
            raise ValueError(f"outpaint size {value!r}: an aspect needs two positive numbers, like \"9:16\"")
        if width / height < aw / ah:
            out = (_round_up(height * aw / ah), _round_up(height))
        else:
            out = (_round_up(width), _round_up(width * ah / aw))
        if max(out) > MAX_SIDE:
            raise ValueError(f"outpaint to {value} from {width}x{height} needs {out[0]}x{out[1]}, over the "
                             f"{MAX_SIDE} px limit; start from a smaller image or pick a closer aspect")
        return [out[0], out[1]]
    try:
        out = parse_size(tuple(value) if isinstance(value, list) else value)
    except ValueError as error:
        raise ValueError(f"outpaint size: {error}") from None
    if out[0] < width or out[1] < height:
        raise ValueError(f"outpaint size {out[0]}x{out[1]} is smaller than the {width}x{height} input; outpaint only "
                         f"grows the canvas (give an aspect like \"9:16\" or a size at least {width}x{height})")
    return [out[0], out[1]]


def _box(value: list[Any] | tuple[Any, ...]) -> list[float]:
    numbers = len(value) == 4 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    if not numbers or not all(math.isfinite(v) for v in value):
        raise ValueError(f"inpaint region {list(value)!r} is not a box: "
                         f"give four numbers [x0, y0, x1, y1] in 0-1 units")
    x0, y0, x1, y1 = (float(v) for v in value)
    if not (0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0):
        raise ValueError(f"inpaint box {list(value)!r} must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 "
                         f"(fractions of the image width and height)")
    return [x0, y0, x1, y1]


def _mask(value: Mapping[str, Any]) -> dict[str, str]:
    keys = set(value)
    if len(keys) != 1 or not keys <= {"file", "mask"}:
        raise ValueError(f"inpaint region {dict(value)!r} unknown: {_REGION_HELP}")
    path = next(iter(value.values()))
    if not isinstance(path, str | PurePath) or not str(path).strip():
        raise ValueError(f"inpaint mask {path!r} must be a path to an image, relative to the project")
    return {"file": PurePath(path).as_posix()}


def _round_up(value: float) -> int:
    return max(MULTIPLE, math.ceil(round(value, 6) / MULTIPLE) * MULTIPLE)
