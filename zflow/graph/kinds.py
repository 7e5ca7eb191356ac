"""The tasks of each kind a scene or character makes: sheets, imported images, drafts and their contact sheet,
refine, edits and the upscale."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping

from ..contracts import Location, PixelOp, Task, parse_size
from ..contracts.upscaling import upscaled_size
from ..dsl import Character, File, Lora, Scene, Style
from .adapters import adapter_params
from .keys import derived_seed
from .model import SceneNodes, fail
from .render import bounded

if TYPE_CHECKING:
    from .build import Builder

SHEET_ASPECT = "3:4"


def sheet(b: Builder, character: Character) -> Task:
    """A character's sheet (its reference image, or a generated one), made once however many scenes cast it."""
    made = b.sheets.get(character.name)
    if made is None:
        made = b.sheets[character.name] = _new_sheet(b, character)
    return made


def _new_sheet(b: Builder, character: Character) -> Task:
    task_id = f"characters/{character.name}/sheet"
    if character.reference is not None:
        rel, size = b.probe.image(character.reference, f"reference image of {character.name!r}")
        return b.add(Task(id=task_id, kind="source", params={"file": rel}, files=(rel,), where=character.where),
                     size)
    size = parse_size(SHEET_ASPECT, b.opt.base_pixels)
    looks = f"{character.trigger} {character.looks}" if character.trigger else character.looks
    adapters, files = adapter_params(b, "draft", (character.lora,) if character.lora else ())
    params = {"name": character.name, "looks": character.looks, "style": "", "negative": "",
              "prompt": f"character sheet of {looks}, front view and side view, plain background",
              "size": list(size), "seed": derived_seed(task_id)} | adapters
    return b.add(Task(id=task_id, kind="sheet", params=params, files=tuple(files), where=character.where), size)


def reference(b: Builder, file: File) -> Task:
    """A scene's extra reference image, imported once however many scenes name it."""
    rel, size = b.probe.image(file, "reference image")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", rel.rsplit(".", 1)[0]).strip("-.") or "image"
    return b.add(Task(id=f"references/{name}", kind="source", params={"file": rel}, files=(rel,), where=file.where),
                 size)


def photo(b: Builder, scene: Scene) -> tuple[str, tuple[int, int]]:
    """The photo a scene starts from, imported; its size is the scene's."""
    b.probe.reads.append(scene.photo.path)
    rel, size = b.probe.image(scene.photo, "photo")
    task = Task(id=f"{scene.uid}/photo", kind="source", params={"file": rel}, files=(rel,), where=scene.where,
                series=scene.series, scene=scene.uid)
    return b.add(task, size).id, size


def drafts(b: Builder, scene: Scene, nodes: SceneNodes, size: tuple[int, int], common: dict, cast: list,
           sheets: list[str], style: Style | None, series_seed: int | None, files: list[str]) -> str:
    """A scene's seeded drafts and their contact sheet; returns the picked draft."""
    uid = scene.uid
    for i in range(1, scene.drafts + 1):
        task_id = f"{uid}/draft-{i}"
        seed = scene.seed + i - 1 if scene.seed is not None else derived_seed(task_id, series_seed)
        params = {**common, "size": list(size), "seed": seed, "index": i, "cast": cast, "title": scene.title,
                  "style": style.text if style else ""}
        task = Task(id=task_id, kind="draft", params=params, inputs=tuple(sheets), files=tuple(files),
                    where=scene.where, series=scene.series, scene=uid)
        nodes.drafts.append(b.add(task, size).id)
    pick = nodes.pick = pick_of(b, scene, uid, scene.pick, scene.drafts, "pick", "drafts")
    if b.contact_sheets:
        params = {"scene": uid, "labels": [str(i) for i in range(1, scene.drafts + 1)], "pick": pick}
        nodes.contact = b.add(Task(id=f"{uid}/contact", kind="contact", params=params, inputs=tuple(nodes.drafts),
                                   where=scene.where, series=scene.series, scene=uid)).id
    return nodes.drafts[pick - 1]


def pick_of(b: Builder, scene: Scene, key: str, declared: int | None, count: int, name: str, plural: str) -> int:
    """The scene's pick of its ``count`` variants (drafts or layouts): the picks file's entry ``key``, else the
    recipe's ``declared`` one, else 1; RecipeError, at the place that says it, for one out of range."""
    pick, where = declared, scene.where
    if key in b.opt.picks:
        pick, where = b.opt.picks[key], picks_place(b)
    pick = 1 if pick is None else pick
    if not 1 <= pick <= count:
        raise fail(where, f"scene {scene.uid}: {name} {pick} is not one of its {count} {plural}")
    return pick


def picks_place(b: Builder) -> Location:
    """The picks file, as the place of an error in what it holds."""
    return Location(str(b.opt.root / b.opt.picks_file), 1)


def refine(b: Builder, scene: Scene, picked: str, size: tuple[int, int], common: dict, files: list[str],
           sheets: list[str], control: tuple[str, dict] | None = None) -> str:
    """The picked draft refined, with the scene's ``sheets`` (its cast's sheets and reference images) after it for a
    model that takes reference images, conditioned by the scene's ``control`` map (its task and parameters)."""
    r = scene.refine
    params = {**common, "size": list(size), "strength": float(r.strength), "mode": r.mode,
              "seed": b.graph.tasks[picked].params["seed"]}
    params |= {k: v for k, v in (("steps", r.steps), ("guidance", r.guidance)) if v is not None}
    params |= control[1] if control else {}
    inputs = (picked, *sheets, control[0]) if control else (picked, *sheets)
    task = Task(id=f"{scene.uid}/refine", kind="refine", params=params, inputs=inputs, files=tuple(files),
                where=scene.where, series=scene.series, scene=scene.uid)
    return b.add(task, size).id


def edit(b: Builder, uid: str, name: str, op_name: str, args: Mapping[str, Any], where: Location, before: str,
         size: tuple[int, int], common: dict, sheets: list[str], series_seed: int | None,
         loras: tuple[Lora, ...] = (), control: tuple[str, dict] | None = None) -> tuple[str, tuple[int, int]]:
    """One edit of an image (a scene's edit chain, or an export's reframe): its op's parameters checked and
    canonicalized, its output size worked out; an edit a model makes gets the edit stage's and the scene's
    ``loras``, and, keeping the image's size, the scene's ``control`` map (its task and parameters)."""
    op = b.opt.edit_ops.get(op_name)
    if op is None:
        known = ", ".join(sorted(b.opt.edit_ops)) or "none installed"
        raise fail(where, f"scene {uid}: unknown edit operation {op_name!r} (known: {known})")
    files: list[str] = []
    try:
        norm = op.normalize(b.probe.plain(dict(args), files), size)
        out_size = tuple(op.output_size(norm, size))
    except ValueError as exc:
        raise fail(where, f"scene {uid}: edit {op_name}: {exc}") from None
    if isinstance(norm.get("prompt"), str):
        bounded(norm["prompt"], b.opt.prompt_chars, f"scene {uid}: edit {op_name}: the prompt", where)
    task_id = f"{uid}/{name}"
    params = {**norm, "op": op_name, "scene_prompt": common["prompt"], "negative": common["negative"],
              "size": list(out_size), "seed": derived_seed(task_id, series_seed)}
    if "references" in common:  # the scene's reference images, then the edit's own
        params["references"] = [*common["references"], *norm.get("references", [])]
    own = edit_references(b, uid, args.get("references", ()), where) if "references" in norm else []
    inputs = tuple(dict.fromkeys((before, *sheets, *own)))
    if not isinstance(op, PixelOp):
        adapters, adapter_files = adapter_params(b, "edit", loras)
        params |= adapters
        files += adapter_files
        if control and out_size == b.graph.sizes[control[0]]:
            params |= control[1]
            inputs += (control[0],)
    task = b.add(Task(id=task_id, kind="edit", params=params, inputs=inputs, files=tuple(files),
                      where=where, series=uid.split("/", 1)[0], scene=uid), out_size)
    return task.id, out_size


def edit_references(b: Builder, uid: str, values: Any, where: Location) -> list[str]:
    """The tasks of an edit's own ``references``: an image file imported, a character's sheet (by name too)."""
    ids = []
    for value in values if isinstance(values, list | tuple) else [values]:
        if isinstance(value, File):
            ids.append(reference(b, value).id)
            continue
        character = value if isinstance(value, Character) else b.recipe.characters.get(value)
        if character is None:
            known = ", ".join(sorted(b.recipe.characters)) or "none declared"
            raise fail(where, f"scene {uid}: edit reference {value!r} is no character (known: {known}) and no image "
                              f"file")
        ids.append(sheet(b, character).id)
    return ids


#: How a scene too large to generate directly is upscaled when it does not say (``Upscale()``'s defaults).
UPSCALE_DEFAULTS = {"strength": 0.3, "tile": 1024, "overlap": 128, "upscaler": None}


def upscale(b: Builder, scene: Scene, before: str, size: tuple[int, int], common: dict, series_seed: int | None,
            adapter_files: list[str], target: tuple[int, int] | None = None) -> str:
    """The scene's finished image upscaled (the largest image of the scene, which exports take), by its Upscale or,
    for a scene generated smaller than it asked (``target``), to that size; the upscaler file's content, tile
    settings and strength are in its key, and the LoRA adapters of ``common`` apply."""
    u, where = scene.upscale, scene.upscale.where if scene.upscale else scene.where
    how = {k: getattr(u, k) for k in UPSCALE_DEFAULTS} if u else UPSCALE_DEFAULTS
    try:
        out_size = target or upscaled_size(size, u.scale, u.size)
    except ValueError as exc:
        raise fail(where, f"scene {scene.uid}: {exc}") from None
    files = list(adapter_files)
    task_id = f"{scene.uid}/upscale"
    params = {**common, "size": list(out_size),
              "source_size": list(size), "strength": how["strength"], "tile": how["tile"], "overlap": how["overlap"],
              "upscaler": b.probe.plain(how["upscaler"], files), "seed": derived_seed(task_id, series_seed)}
    task = Task(id=task_id, kind="upscale", params=params, inputs=(before,), files=tuple(files), where=where,
                series=scene.series, scene=scene.uid)
    return b.add(task, out_size).id
