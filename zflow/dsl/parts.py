"""What a scene is made of besides plain values: refine settings, edits, balloons, and the Scene itself."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .names import check_name, check_size
from .registry import DeclarationError
from .source import Location, caller_location
from .values import Character, File, freeze


@dataclass(frozen=True, slots=True)
class Refine:
    """How the picked draft is refined: image-to-image at ``strength``, or text-to-image with the draft's seed."""

    strength: float = 0.6
    mode: str = "img2img"
    steps: int | None = None
    guidance: float | None = None

    def __post_init__(self):
        if self.mode not in ("img2img", "txt2img"):
            raise DeclarationError(f"refine mode {self.mode!r}: use 'img2img' or 'txt2img'", caller_location())
        if not 0.0 < float(self.strength) <= 1.0:
            raise DeclarationError(f"refine strength {self.strength!r} must be in (0, 1]", caller_location())


#: ``refine=True``: one object, so scenes of every load compare theirs by identity.
DEFAULT_REFINE = Refine()


class Edit(NamedTuple):
    """One operation of a scene's edit chain; build it with Edit.inpaint/background/outpaint/restyle/custom.
    A named tuple, like Scene: made and compared once per scene of every load."""

    op: str
    params: tuple[tuple[str, Any], ...]
    where: Location

    @classmethod
    def custom(cls, op: str, **params: Any) -> "Edit":
        """An edit operation added by a plugin (see `zflow plugins`)."""
        where = caller_location()
        return cls(check_name("edit operation", op, where), freeze(params, where), where)

    @classmethod
    def inpaint(cls, region: Any, prompt: str, strength: float = 1.0) -> "Edit":
        """Repaint ``region`` (a named region such as "face", a box (x0, y0, x1, y1) in 0-1 units, or a mask file)."""
        return cls._declare("inpaint", region=region, prompt=prompt, strength=strength)

    @classmethod
    def background(cls, prompt: str) -> "Edit":
        """Replace everything but the subject."""
        return cls._declare("background", prompt=prompt)

    @classmethod
    def outpaint(cls, size: str, prompt: str = "") -> "Edit":
        """Extend the canvas to a larger size or another aspect."""
        return cls._declare("outpaint", size=check_size(size, caller_location(), "outpaint size "), prompt=prompt)

    @classmethod
    def restyle(cls, prompt: str, strength: float = 0.6) -> "Edit":
        """Redraw the whole image in another style (image-to-image)."""
        return cls._declare("restyle", prompt=prompt, strength=strength)

    @classmethod
    def _declare(cls, op: str, **params: Any) -> "Edit":
        where = caller_location()
        region = params.get("region")
        if isinstance(region, str) and region.lower().endswith((".png", ".jpg", ".jpeg", ".webp")):
            params["region"] = File.at(params["region"], where)
        return cls(op, freeze(params, where), where)

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Balloon:
    """A webtoon speech balloon or caption: kind is speech, thought, shout or narration."""

    kind: str
    text: str
    who: str | None = None

    def __post_init__(self):
        if self.kind not in ("speech", "thought", "shout", "narration"):
            raise DeclarationError(
                f"balloon kind {self.kind!r}: use speech, thought, shout or narration", caller_location()
            )
        if isinstance(self.who, Character):
            object.__setattr__(self, "who", self.who.name)


def say(text: str, who: Any = None) -> Balloon:
    return Balloon("speech", text, who)


def think(text: str, who: Any = None) -> Balloon:
    return Balloon("thought", text, who)


def shout(text: str, who: Any = None) -> Balloon:
    return Balloon("shout", text, who)


def narrate(text: str) -> Balloon:
    return Balloon("narration", text)


class Scene(NamedTuple):
    """One image of a series: its cast, prompt variables, size, drafts, pick, refine, edits and export text.
    A named tuple: recipes declare thousands, and a watch session compares each with the last load's."""

    series: str
    id: str
    cast: tuple[str, ...]
    vars: tuple[tuple[str, Any], ...]
    size: str
    drafts: int
    seed: int | None
    pick: int | None
    refine: Refine | None
    edits: tuple[Edit, ...]
    prompt: Any
    negative: str
    photo: Any
    references: tuple[File, ...]
    title: str
    alt: str
    balloons: tuple[Balloon, ...]
    where: Location
    uid: str  # "series/id"
