"""Series: sets of scenes sharing a style, a prompt template and defaults, and the scenes they declare."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .adapters import Lora, check_loras
from .checks import (cast_name, check_balloons, check_drafts, check_edits, check_int, check_photo, check_refine,
                     check_schedule, check_seed, check_style)
from .limits import check_prompt
from .names import check_name, check_scene_id, check_size
from .control import DEFAULT_LAYOUTS, Control, check_control, check_layouts
from .parts import Edit, Refine, Scene
from .registry import current
from .schedule import Schedule
from .source import Location, caller_location
from .tables import Row, rows as read_rows
from .upscale import Upscale, check_upscale
from .values import Character, File, Style, freeze
from .words import SCENE_OPTIONS, SERIES_OPTIONS

DEFAULT_PROMPT = "{{ cast }}{{ ', ' if cast }}{{ action | default('') }}, {{ place | default('') }}, {{ style }}"


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
    upscale: Upscale | None
    vars: tuple[tuple[str, Any], ...]
    schedule: Schedule | None
    loras: tuple[Lora, ...]
    layouts: int
    control: Control | None
    where: Location = field(compare=False, repr=False)

    def __init__(self, name: str, style: Style | None = None, prompt: Any = DEFAULT_PROMPT, negative: str = "",
                 seed: int | None = None, size: str = "1:1", drafts: int = 4, refine: Refine | bool | None = True,
                 edits: tuple[Edit, ...] | list[Edit] = (), upscale: Upscale | None = None,
                 schedule: Schedule | None = None, loras: Any = (), layouts: int = 0, control: Control | None = None,
                 **vars: Any):
        where = caller_location()
        set_ = object.__setattr__
        set_(self, "where", where)
        set_(self, "name", check_name("series", name, where))
        set_(self, "style", check_style(style, where))
        set_(self, "prompt", check_prompt(prompt, f"series {name}: the prompt", where))
        set_(self, "negative", check_prompt(negative, f"series {name}: the negative prompt", where))
        set_(self, "seed", check_seed(seed, where))
        set_(self, "size", check_size(size, where))
        set_(self, "drafts", check_drafts(drafts, where))
        set_(self, "refine", check_refine(refine, where))
        set_(self, "edits", check_edits(edits, where))
        set_(self, "upscale", check_upscale(upscale, where))
        set_(self, "vars", freeze(vars, where, options=SERIES_OPTIONS))
        set_(self, "schedule", check_schedule(schedule, where))
        set_(self, "loras", check_loras(loras, where))
        set_(self, "layouts", check_layouts(layouts, where))
        set_(self, "control", check_control(control, where))
        current().add_named(current().series, "series", self)

    def scene(self, id: str, **kw: Any) -> Scene:
        """Declare a scene of this series; unknown keywords become prompt template variables."""
        where = caller_location()
        check_scene_id(id, where)
        take = kw.pop
        cast = take("cast", ())
        if isinstance(cast, (Character, str)):
            cast = (cast,)
        cast_names = tuple([c.name if isinstance(c, Character) else cast_name(c, where) for c in cast])
        size, drafts, seed, pick = take("size", self.size), take("drafts", self.drafts), take("seed", None), \
            take("pick", None)
        refine, edits, prompt = take("refine", self.refine), take("edits", ()), take("prompt", self.prompt)
        negative, photo, references = take("negative", self.negative), take("photo", None), take("references", ())
        title, alt, balloons, style = take("title", ""), take("alt", ""), take("balloons", ()), take("style", None)
        upscale = take("upscale", self.upscale)
        loras = take("loras", ())
        layouts, layout, control = take("layouts", self.layouts), take("layout", None), take("control", self.control)
        layouts = layouts if layouts is self.layouts else check_layouts(layouts, where)
        control = control if control is self.control else check_control(control, where)
        if control is not None and control.from_layout and not layouts:
            layouts = DEFAULT_LAYOUTS
        if style is not None:
            kw["__style__"] = check_style(style, where)
        scene = Scene(
            self.name, id, cast_names,
            freeze(dict(self.vars) | kw, where, checked=self.vars, options=SCENE_OPTIONS) if kw else self.vars,
            size if size is self.size else check_size(size, where),
            drafts if drafts is self.drafts else check_drafts(drafts, where),
            seed if seed is None else check_seed(seed, where),
            pick if pick is None else check_int("pick", pick, where),
            refine if refine is self.refine else check_refine(refine, where),
            self.edits + check_edits(edits, where) if edits else self.edits,
            prompt if prompt is self.prompt else check_prompt(prompt, f"scene {id}: the prompt", where),
            negative if negative is self.negative else check_prompt(negative, f"scene {id}: the negative prompt", where),
            photo if photo is None else check_photo(photo, where),
            tuple([r if isinstance(r, File) else File.at(r, where) for r in references]) if references else (),
            title if type(title) is str else str(title),
            alt if type(alt) is str else str(alt),
            check_balloons(balloons, cast_names, where) if balloons else (),
            upscale if upscale is self.upscale else check_upscale(upscale, where),
            where,
            f"{self.name}/{id}",
            check_loras(loras, where) if loras else (),
            layouts,
            layout if layout is None else check_int("layout", layout, where),
            control,
        )
        current().scenes.append(scene)
        return scene

    def rows(self, path: str | Path, due: str | None = None, within: int = 7) -> list[Row]:
        """The rows of a data table next to the calling recipe (a content calendar); with ``due`` (a date column),
        a scheduled run keeps only the rows due within ``within`` days of its date."""
        return read_rows(path, due=due, within=within)
