"""What a scene is made of besides plain values: refine settings, edits, balloons, and the Scene itself."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple

from ..contracts import REQUIRED, EditConstructor
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
    """One operation of a scene's edit chain; build it with ``Edit.custom(op, ...)`` or the constructor an edit
    plugin gives its op (``Edit.inpaint``, ``Edit.outpaint``, ...: see ``add_edit_constructors``).
    A named tuple, like Scene: made and compared once per scene of every load."""

    op: str
    params: tuple[tuple[str, Any], ...]
    where: Location

    @classmethod
    def custom(cls, op: str, **params: Any) -> "Edit":
        """An edit operation added by a plugin (see `zflow plugins`)."""
        where = caller_location()
        return cls(check_name("edit operation", op, where), freeze(params, where), where)

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
    """One image of a series: its cast, prompt variables, size, layouts, drafts, picks, control, refine, edits,
    upscale and export text.
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
    upscale: Any  # an Upscale, or None
    where: Location
    uid: str  # "series/id"
    loras: tuple = ()  # the scene's own LoRA adapters (Lora), beside its series'
    layouts: int = 0  # layout variants to pick from before the drafts (0: no layout stage)
    layout: int | None = None  # the picked layout
    control: Any = None  # a Control, or None


#: The constructors ``add_edit_constructors`` gave Edit, by op name, with the op each was made from.
_CONSTRUCTORS: dict[str, Any] = {}
#: Image files a recipe names (an edit's file argument, a training image).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def add_edit_constructors(ops: Mapping[str, Any]) -> None:
    """Give ``Edit`` one constructor per edit operation that declares its arguments (``EditConstructor``), and
    take away those of operations no longer installed (a project that blocks a plugin loses its constructors)."""
    wanted = {name: op for name, op in ops.items() if isinstance(op, EditConstructor)}
    for name in list(_CONSTRUCTORS):
        if wanted.get(name) is not _CONSTRUCTORS[name]:
            delattr(Edit, name)
            del _CONSTRUCTORS[name]
    for name, op in wanted.items():
        if name not in _CONSTRUCTORS and not hasattr(Edit, name):  # never hide Edit's own names (custom, args)
            setattr(Edit, name, classmethod(_constructor(name, op)))
            _CONSTRUCTORS[name] = op


def _constructor(name: str, op: Any) -> Callable[..., Edit]:
    arguments = dict(op.arguments)
    files, sizes = frozenset(op.file_arguments), frozenset(op.size_arguments)

    def construct(cls: type[Edit], *args: Any, **kwargs: Any) -> Edit:
        where = caller_location()
        params = _bind(name, arguments, args, kwargs, where)
        for key in files:
            value = params.get(key)
            if isinstance(value, list | tuple):
                params[key] = [_image_file(v, where) for v in value]
            else:
                params[key] = _image_file(value, where)
        for key in sizes:
            params[key] = check_size(params[key], where, f"{name} {key} ")
        return cls(name, freeze(params, where), where)

    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = type(op).__doc__
    return construct


def _image_file(value: Any, where: Location) -> Any:
    """A text naming an image (by its extension) as a File beside the recipe; any other value as it is."""
    if isinstance(value, str) and value.lower().endswith(IMAGE_SUFFIXES):
        return File.at(value, where)
    return value


def _bind(name: str, arguments: Mapping[str, Any], args: tuple, kwargs: dict[str, Any], where: Location
          ) -> dict[str, Any]:
    """The call's arguments by name, defaults filled in; DeclarationError for a missing or unknown one."""
    call = f"Edit.{name}({', '.join(arguments)})"
    if len(args) > len(arguments):
        raise DeclarationError(f"{call} takes {len(arguments)} arguments, not {len(args)}", where)
    params = dict(zip(arguments, args))
    for key, value in kwargs.items():
        if key not in arguments:
            raise DeclarationError(f"{call}: unknown argument {key!r}", where)
        if key in params:
            raise DeclarationError(f"{call}: {key!r} given twice", where)
        params[key] = value
    for key, default in arguments.items():
        if key not in params:
            if default == REQUIRED:
                raise DeclarationError(f"{call}: missing {key!r}", where)
            params[key] = default
    return params
