"""The words users write: Character, Style, Series, Scene, Edit, Balloon, Refine, Export and File."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from ..contracts.sizes import parse_size
from .registry import DeclarationError, current
from .schedule import Schedule
from .source import Location, caller_location
from .tables import Row, resolve, rows as read_rows

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SCENE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
DEFAULT_PROMPT = "{{ cast }}{{ ', ' if cast }}{{ action | default('') }}, {{ place | default('') }}, {{ style }}"


def check_name(kind: str, name: Any, where: Location) -> str:
    """A name used in task ids and output paths: letters, digits, '.', '_', '-'."""
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        raise DeclarationError(f"invalid {kind} name {name!r}: use letters, digits, '.', '_' and '-'", where)
    return name


def check_scene_id(scene_id: Any, where: Location) -> str:
    """A scene id: name segments separated by '/', never escaping the output folder."""
    if not isinstance(scene_id, str) or not scene_id:
        raise DeclarationError(f"invalid scene id {scene_id!r}", where)
    if not _SCENE_ID.fullmatch(scene_id):  # segments start with a letter or digit, so none is "." or ".."
        raise DeclarationError(
            f"invalid scene id {scene_id!r}: segments of letters, digits, '.', '_', '-' joined by '/', no '..'",
            where,
        )
    return scene_id


@dataclass(frozen=True, slots=True)
class File:
    """An external file a declaration reads; its content is part of the keys of the tasks that use it."""

    path: Path
    where: Location

    @classmethod
    def at(cls, path: str | Path, where: Location) -> "File":
        file = cls(resolve(path, where), where)
        current().files_read.add(file.path)
        return file


def template(path: str | Path) -> File:
    """A prompt or post template kept in its own file, next to the calling recipe."""
    return File.at(path, caller_location())


@dataclass(frozen=True, slots=True)
class Character:
    """A recurring character: a look in words and optionally a reference image."""

    name: str
    looks: str
    reference: File | None = None
    where: Location = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __init__(self, name: str, looks: str, reference: str | Path | None = None):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        set_(self, "name", check_name("character", name, where))
        if not isinstance(looks, str) or not looks.strip():
            raise DeclarationError(f"character {name!r} needs looks: a description in words", where)
        set_(self, "looks", looks.strip())
        set_(self, "reference", File.at(reference, where) if reference is not None else None)
        current().add_named(current().characters, "character", self)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Style:
    """A reusable look: prompt words (and words to avoid) shared by many scenes; import it from a brand file."""

    name: str
    text: str
    negative: str = ""
    where: Location = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __init__(self, name: str, text: str, negative: str = ""):
        where = caller_location()
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "name", check_name("style", name, where))
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "negative", negative)
        current().add_named(current().styles, "style", self)

    def __str__(self) -> str:
        return self.text


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
_DEFAULT_REFINE = Refine()


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
        return cls(check_name("edit operation", op, where), _freeze(params, where), where)

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
        return cls._declare("outpaint", size=_check_size(size, caller_location(), "outpaint size "), prompt=prompt)

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
        return cls(op, _freeze(params, where), where)

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


@dataclass(frozen=True, slots=True)
class Series:
    """A set of scenes sharing a style, a prompt template and defaults; ``scene()`` adds one."""

    name: str
    style: Style | None
    prompt: Any
    negative: str
    seed: int | None
    size: str
    drafts: int
    refine: Refine | None
    edits: tuple[Edit, ...]
    vars: tuple[tuple[str, Any], ...]
    schedule: Schedule | None
    where: Location = field(compare=False, repr=False)

    def __init__(self, name: str, style: Style | None = None, prompt: Any = DEFAULT_PROMPT, negative: str = "",
                 seed: int | None = None, size: str = "1:1", drafts: int = 4, refine: Refine | bool | None = True,
                 edits: tuple[Edit, ...] | list[Edit] = (), schedule: Schedule | None = None, **vars: Any):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        set_(self, "name", check_name("series", name, where))
        set_(self, "style", _check_style(style, where))
        set_(self, "prompt", prompt)
        set_(self, "negative", negative)
        set_(self, "seed", _check_seed(seed, where))
        set_(self, "size", _check_size(size, where))
        set_(self, "drafts", _check_drafts(drafts, where))
        set_(self, "refine", _check_refine(refine, where))
        set_(self, "edits", _check_edits(edits, where))
        set_(self, "vars", _freeze(vars, where))
        set_(self, "schedule", _check_schedule(schedule, where))
        current().add_named(current().series, "series", self)

    def scene(self, id: str, **kw: Any) -> Scene:
        """Declare a scene of this series; unknown keywords become prompt template variables."""
        where = caller_location()
        check_scene_id(id, where)
        take = kw.pop
        cast = take("cast", ())
        if isinstance(cast, (Character, str)):
            cast = (cast,)
        cast_names = tuple([c.name if isinstance(c, Character) else _cast_name(c, where) for c in cast])
        size, drafts, seed, pick = take("size", self.size), take("drafts", self.drafts), take("seed", None), \
            take("pick", None)
        refine, edits, prompt = take("refine", self.refine), take("edits", ()), take("prompt", self.prompt)
        negative, photo, references = take("negative", self.negative), take("photo", None), take("references", ())
        title, alt, balloons, style = take("title", ""), take("alt", ""), take("balloons", ()), take("style", None)
        if style is not None:
            kw["__style__"] = _check_style(style, where)
        scene = Scene(
            self.name, id, cast_names,
            _freeze(dict(self.vars) | kw, where, checked=self.vars) if kw else self.vars,
            size if size is self.size else _check_size(size, where),
            drafts if drafts is self.drafts else _check_drafts(drafts, where),
            seed if seed is None else _check_seed(seed, where),
            pick if pick is None else _check_int("pick", pick, where),
            refine if refine is self.refine else _check_refine(refine, where),
            self.edits + _check_edits(edits, where) if edits else self.edits,
            prompt, negative,
            photo if photo is None else _check_photo(photo, where),
            tuple([r if isinstance(r, File) else File.at(r, where) for r in references]) if references else (),
            title if type(title) is str else str(title),
            alt if type(alt) is str else str(alt),
            tuple([_check_balloon(b, where) for b in balloons]) if balloons else (),
            where,
            f"{self.name}/{id}",
        )
        current().scenes.append(scene)
        return scene

    def rows(self, path: str | Path, due: str | None = None, within: int = 7) -> list[Row]:
        """The rows of a data table next to the calling recipe (a content calendar); with ``due`` (a date column),
        a scheduled run keeps only the rows due within ``within`` days of its date."""
        return read_rows(path, due=due, within=within)


@dataclass(frozen=True, slots=True)
class Export:
    """An export of a series' (or some scenes') final images by the exporter plugin ``exporter``."""

    exporter: str
    name: str
    series: str
    scenes: tuple[str, ...] | None
    params: tuple[tuple[str, Any], ...]
    where: Location = field(compare=False, repr=False)
    schedule: Schedule | None = None


def export(exporter: str, target: Series | Scene | list, name: str | None = None,
           schedule: Schedule | None = None, **params: Any) -> Export:
    """Export a series (or a list of its scenes) with the exporter plugin called ``exporter``; ``schedule``
    builds it on a cron schedule under `zflow schedule`."""
    where = caller_location()
    check_name("exporter", exporter, where)
    if isinstance(target, Series):
        series, scenes = target.name, None
    elif isinstance(target, Scene):
        series, scenes = target.series, (target.id,)
    elif isinstance(target, (list, tuple)) and target and all(isinstance(s, Scene) for s in target):
        series = target[0].series
        if any(s.series != series for s in target):
            raise DeclarationError("an export takes scenes of one series", where)
        scenes = tuple(s.id for s in target)
    else:
        raise DeclarationError(f"export {exporter!r} needs a Series, a Scene or a list of scenes, not {target!r}", where)
    item = Export(exporter, check_name("export", name or exporter, where), series, scenes, _freeze(params, where),
                  where, _check_schedule(schedule, where))
    current().exports.append(item)
    return item


def sns(target: Any, *presets: str, name: str | None = None, **params: Any) -> Export:
    """Every named social-network size of the target's final images (see ``zflow plugins`` for presets)."""
    return export("sns", target, name=name, presets=list(presets), **params)


def webtoon(target: Any, preset: str = "webtoon-canvas", name: str | None = None, **params: Any) -> Export:
    """A webtoon episode: the scenes as panels on a vertical strip, sliced for upload."""
    return export("webtoon", target, name=name, preset=preset, **params)


def blog(target: Any, template: str | Path | None = None, name: str | None = None, **params: Any) -> Export:
    """A blog post (Markdown or HTML) with responsive images, from a Jinja2 template the user can replace."""
    if template is not None:
        params["template"] = File.at(template, caller_location())
    return export("blog", target, name=name, **params)


def thumbnail(target: Any, title: str | None = None, preset: str = "yt_thumbnail", name: str | None = None,
              **params: Any) -> Export:
    """A thumbnail with its title set over the image."""
    if title is not None:
        params["title"] = title
    return export("thumbnail", target, name=name, preset=preset, **params)


def _check_schedule(value: Any, where: Location) -> Schedule | None:
    if value is None or isinstance(value, Schedule):
        return value
    raise DeclarationError(f"schedule={value!r}: use Schedule(\"0 9 * * MON\", tz=\"Asia/Seoul\")", where)


def _check_photo(photo: Any, where: Location) -> File | Scene | str | None:
    """A scene starts from a photo file, another Scene, or "@series/scene"."""
    if photo is None or isinstance(photo, Scene) or (isinstance(photo, str) and photo.startswith("@")):
        return photo
    if isinstance(photo, (str, Path)):
        return File.at(photo, where)
    raise DeclarationError(f"photo {photo!r}: give an image path, a Scene or \"@series/scene\"", where)


def _cast_name(value: Any, where: Location) -> str:
    if isinstance(value, str):
        return value
    raise DeclarationError(f"cast member {value!r} is not a Character", where)


def _check_style(style: Any, where: Location) -> Style | str | None:
    if style is None or isinstance(style, (Style, str)):
        return style
    raise DeclarationError(f"style {style!r} is not a Style (or a style name)", where)


def _check_int(what: str, value: Any, where: Location) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeclarationError(f"{what} must be a whole number, not {value!r}", where)
    return value


#: Seeds are what every backend takes: a 32-bit unsigned number (drafts count on from a scene's seed).
MAX_SEED = 2**32 - 1


def _check_seed(value: Any, where: Location) -> int | None:
    seed = _check_int("seed", value, where)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise DeclarationError(f"seed must be a whole number from 0 to {MAX_SEED}, not {seed}", where)
    return seed


def _check_size(value: Any, where: Location, what: str = "size ") -> Any:
    """A pixel size is checked here, at its line (sides multiples of 16, see sizes); an aspect is sized when the
    graph is built, against the project's ``base_pixels``."""
    if isinstance(value, str) and ":" in value:
        return value
    try:
        parse_size(value)
    except ValueError as exc:
        raise DeclarationError(f"{what}{exc}", where) from None
    return value


def _check_drafts(value: Any, where: Location) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise DeclarationError(f"drafts must be a whole number from 1 to 64, not {value!r}", where)
    return value


def _check_refine(value: Any, where: Location) -> Refine | None:
    if value is True:
        return _DEFAULT_REFINE
    if value is False or value is None:
        return None
    if isinstance(value, Refine):
        return value
    if isinstance(value, Mapping):
        try:
            return Refine(**value)
        except TypeError as exc:
            raise DeclarationError(f"refine: {exc}", where) from None
    raise DeclarationError(f"refine must be True, False or Refine(...), not {value!r}", where)


def _check_edits(value: Any, where: Location) -> tuple[Edit, ...]:
    if isinstance(value, Edit):
        value = (value,)
    edits = tuple(value)
    for e in edits:
        if not isinstance(e, Edit):
            raise DeclarationError(f"edit {e!r} is not an Edit (use Edit.inpaint(...), Edit.outpaint(...), ...)", where)
    return edits


def _check_balloon(value: Any, where: Location) -> Balloon:
    if isinstance(value, Balloon):
        return value
    if isinstance(value, str):
        return Balloon("narration", value)
    raise DeclarationError(f"balloon {value!r}: use say(...), think(...), shout(...) or narrate(...)", where)


def _freeze(params: Mapping[str, Any], where: Location, checked: tuple[tuple[str, Any], ...] = ()
            ) -> tuple[tuple[str, Any], ...]:
    """Keyword arguments as sorted pairs, after checking each value is plain data (except the ``checked`` pairs:
    a series' own variables, already checked when it was declared)."""
    for key, value in params.items():
        if type(value) not in _PLAIN_TYPES and (key, value) not in checked:
            _check_plain(key, value, where)
    return tuple(sorted(params.items()))


_PLAIN = (str, int, float, bool, type(None), File, Style, Character, Row)
_PLAIN_TYPES = frozenset(_PLAIN)


def _check_plain(key: str, value: Any, where: Location) -> None:
    if type(value) in _PLAIN_TYPES or isinstance(value, _PLAIN):
        return
    if type(value) in (list, tuple):  # not a Scene or Location (named tuples)
        if not _PLAIN_TYPES.issuperset(map(type, value)):
            for v in value:
                _check_plain(key, v, where)
        return
    if isinstance(value, Mapping):
        for v in value.values():
            _check_plain(key, v, where)
        return
    raise DeclarationError(f"{key}={value!r}: only plain data (text, numbers, lists, mappings) can be passed", where)
