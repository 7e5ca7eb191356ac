"""The preview backend: deterministic, seeded storyboard images and real pixel edits, checked on their pixels."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pluggy
import pytest
from PIL import Image, ImageDraw, ImageStat

import zflow_preview
from helpers.ci import need
from helpers.preview import JOON, MINA, changed, draft_params, mean_difference, pixels, run, stored
from zflow import hookspecs
from zflow.contracts import Artifact, Backend, ModelRef, Request, Task
from zflow_preview import PreviewBackend
from zflow_preview.looks import look_of
from zflow_preview.palette import palette_for
from zflow_preview.shapes import rounded_box

BADGE = (200, 30, 40)


@pytest.fixture(scope="module")
def backend() -> PreviewBackend:
    return PreviewBackend()


@pytest.fixture(scope="module")
def handle(backend: PreviewBackend) -> Any:
    return backend.load(ModelRef("preview"))


def skin_share(head: Image.Image, skins: set[tuple[int, int, int]]) -> float:
    """The share of ``head``'s pixels that have one of the skin colours."""
    return sum(n for n, rgb in head.getcolors(100_000) if rgb in skins) / (head.width * head.height)


def outside(image: Image.Image, box: list[int]) -> Image.Image:
    """``image`` with ``box`` blacked out, to compare everything but the box."""
    copy = image.copy()
    copy.paste((0, 0, 0), tuple(box))
    return copy


# --- the plugin and the backend contract ----------------------------------------------------------------------------

def test_the_hook_registers_a_preview_backend_for_every_image_kind_and_training():
    manager = pluggy.PluginManager("zflow")
    manager.add_hookspecs(hookspecs)
    manager.register(zflow_preview)
    found: list[Any] = []
    manager.hook.register_backends(register=found.append)
    [backend] = found
    assert isinstance(backend, Backend)
    assert (backend.name, backend.version, backend.identity(ModelRef("preview"))) == ("preview", "2", "preview")
    assert backend.kinds == {"layout", "sheet", "draft", "refine", "edit", "upscale", "train"}


def test_a_batch_returns_one_result_per_request_in_order_and_a_bad_one_as_an_exception(backend, handle):
    requests = [Request(Task(id=f"s/a/draft-{i}", kind="draft", params=draft_params(seed=i)), key=str(i),
                        model=ModelRef("preview"), inputs=()) for i in range(3)]
    broken = Request(Task(id="s/a/draft-x", kind="draft", params=draft_params(size="big")), key="x",
                     model=ModelRef("preview"), inputs=())
    results = backend.run(handle, [requests[0], broken, requests[1], requests[2]])
    assert isinstance(results[1], Exception)
    assert [r.meta["seed"] for r in (results[0], results[2], results[3])] == [0, 1, 2]


# --- drafts ---------------------------------------------------------------------------------------------------------

def test_same_params_give_byte_identical_png(backend, handle):
    assert run(backend, handle, "draft", draft_params()).files == run(backend, handle, "draft", draft_params()).files


@pytest.mark.parametrize("changes", [{}, {"prompt": "비 내리는 골목, 누아르, 차분한 파란", "cast": [
    {"name": "ray", "looks": "회색 고양이 탐정, 트렌치코트"}]}])
def test_png_bytes_do_not_depend_on_the_python_process(backend, handle, changes):
    script = ("import hashlib, json, sys; sys.path.insert(0, 'tests'); "
              "import helpers.preview as t; b = t.PreviewBackend(); h = b.load(t.ModelRef('preview')); "
              "p = t.draft_params(**json.loads(sys.argv[1])); "
              "print(hashlib.sha256(t.run(b, h, 'draft', p).files['image.png']).hexdigest())")
    here = hashlib.sha256(run(backend, handle, "draft", draft_params(**changes)).files["image.png"]).hexdigest()
    for salt in ("1", "2"):
        env = os.environ | {"PYTHONHASHSEED": salt}
        there = subprocess.run([sys.executable, "-c", script, json.dumps(changes)], env=env, capture_output=True,
                               text=True, check=True, cwd=Path(__file__).parent.parent)
        assert there.stdout.strip() == here


def test_another_seed_or_index_gives_another_layout(backend, handle):
    base = run(backend, handle, "draft", draft_params())
    for other in (draft_params(seed=8), draft_params(index=1)):
        result = run(backend, handle, "draft", other)
        assert result.meta["faces"] != base.meta["faces"]
        assert mean_difference(pixels(result), pixels(base)) > 5


@pytest.mark.parametrize("size", [[64, 64], [320, 240], [1024, 768], [832, 1216], [16, 400]])
def test_draft_has_exactly_the_requested_size(backend, handle, size):
    result = run(backend, handle, "draft", draft_params(size=size))
    assert pixels(result).size == tuple(size)
    assert result.meta["size"] == size


def test_each_cast_member_is_drawn_where_its_face_box_says(backend, handle):
    result = run(backend, handle, "draft", draft_params(size=[1024, 768]))
    image, faces = pixels(result), result.meta["faces"]
    assert len(faces) == 2
    skins = {look_of(c["name"], c["looks"]).skin for c in (MINA, JOON)}
    for face in faces:
        assert skin_share(image.crop(tuple(face)), skins) > 0.2
    fx0, fy0, fx1, fy1 = result.meta["focus"]
    assert all(fx0 <= f[0] and fy0 <= f[1] and f[2] <= fx1 and f[3] <= fy1 for f in faces)


def test_a_name_label_sits_under_each_figure(backend, handle):
    result = run(backend, handle, "draft", draft_params(size=[1024, 768]))
    image = pixels(result)
    accent = palette_for(draft_params()["prompt"], draft_params()["style"]).accent
    for x0, y0, x1, _ in result.meta["faces"]:
        feet = y0 + (x1 - x0) / 0.22
        centre, below = (x0 + x1) // 2, int(feet + 768 / 34)
        pill = image.crop((centre - 40, below - 14, centre + 40, below + 14))
        colours = dict((rgb, n) for n, rgb in pill.getcolors(10_000))
        assert colours.get(accent, 0) > 200
        assert sum(n for rgb, n in colours.items() if sum(rgb) > 600) > 20


def test_without_cast_the_subject_block_is_the_focus(backend, handle):
    result = run(backend, handle, "draft", draft_params(cast=[], size=[640, 480]))
    assert result.meta["faces"] == []
    x0, y0, x1, y1 = result.meta["focus"]
    assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 480


def test_the_title_is_written_at_the_top_left(backend, handle):
    titled = pixels(run(backend, handle, "draft", draft_params(size=[640, 480])))
    plain = pixels(run(backend, handle, "draft", draft_params(size=[640, 480], title="")))
    x0, y0, x1, y1 = changed(titled, plain)
    assert y1 < 480 * 0.2 and x0 < 640 * 0.1


def test_the_prompt_is_written_small_on_a_strip_at_the_bottom(backend, handle):
    image = pixels(run(backend, handle, "draft", draft_params(size=[640, 480])))
    strip = image.crop((0, 460, 640, 480))
    colours = {rgb for _, rgb in strip.getcolors(10_000)}
    assert (16, 16, 20) in colours and any(sum(rgb) > 450 for rgb in colours)


def test_a_preview_badge_marks_the_top_right_corner(backend, handle):
    for kind, params in (("draft", draft_params(size=[640, 480])), ("sheet", sheet_params())):
        corner = pixels(run(backend, handle, kind, params)).crop((540, 0, 640, 40))
        assert dict((rgb, n) for n, rgb in corner.getcolors(10_000)).get(BADGE, 0) > 500


def test_a_thumbnail_keeps_a_small_badge_and_its_figures(backend, handle):
    result = run(backend, handle, "draft", draft_params(size=[64, 64]))
    image = pixels(result)
    assert dict((rgb, n) for n, rgb in image.crop((48, 0, 64, 4)).getcolors(1_000)).get(BADGE, 0) > 20
    assert len(result.meta["faces"]) == 2
    assert all(0 <= v <= 64 for box in result.meta["faces"] + [result.meta["focus"]] for v in box)


@pytest.mark.parametrize("prompt, check", [
    ("rain on a neon street at night", lambda r, g, b: r + g + b < 3 * 90 and b > g),
    ("sunset over a warm cafe terrace", lambda r, g, b: r > b + 40),
    ("a walk through the forest", lambda r, g, b: g > r and g > b),
    ("snow in a winter village", lambda r, g, b: min(r, g, b) > 170 and b >= r),
])
def test_prompt_words_set_the_palette(backend, handle, prompt, check):
    image = pixels(run(backend, handle, "draft", draft_params(prompt=prompt, style="", cast=[], title="")))
    r, g, b = ImageStat.Stat(image.crop((0, 0, 320, 200))).mean
    assert check(r, g, b)


def test_unknown_words_take_a_palette_from_the_style(backend, handle):
    one = pixels(run(backend, handle, "draft", draft_params(prompt="a portrait", style="brutalist", cast=[])))
    two = pixels(run(backend, handle, "draft", draft_params(prompt="a portrait", style="baroque", cast=[])))
    assert mean_difference(one, two) > 10


def test_non_latin_names_and_titles_draw_without_error(backend, handle):
    result = run(backend, handle, "draft", draft_params(cast=[{"name": "ミナ", "looks": "민아 안경"}], title="카페 일기"))
    assert pixels(result).size == (320, 240) and len(result.meta["faces"]) == 1


def test_meta_records_the_provenance(backend, handle):
    meta = run(backend, handle, "draft", draft_params(negative="blurry")).meta
    assert {k: meta[k] for k in ("backend", "model", "stage", "prompt", "negative", "seed", "size")} == {
        "backend": "preview", "model": "preview", "stage": "draft", "prompt": draft_params()["prompt"],
        "negative": "blurry", "seed": 7, "size": [320, 240]}


# --- character sheets -----------------------------------------------------------------------------------------------

def sheet_params(**changes: Any) -> dict[str, Any]:
    params = {"name": "mina", "looks": MINA["looks"], "style": "warm film", "prompt": "", "negative": "",
              "size": [640, 480], "seed": 3}
    return params | changes


def test_sheet_shows_the_character_from_the_front_and_the_side(backend, handle):
    result = run(backend, handle, "sheet", sheet_params())
    image, faces = pixels(result), result.meta["faces"]
    assert len(faces) == 2 and faces[0][0] < 320 < faces[1][0]
    skin = look_of("mina", MINA["looks"]).skin
    for face in faces:
        assert skin_share(image.crop(tuple(face)), {skin}) > 0.2
    front, side = (image.crop(tuple(f)) for f in faces)
    assert mean_difference(front, side) > 5


def test_sheet_draws_colours_read_from_the_looks(backend, handle):
    look = look_of("mina", MINA["looks"])
    assert look.hair == (34, 30, 36) and look.outfit == (52, 130, 76) and look.glasses
    image = pixels(run(backend, handle, "sheet", sheet_params()))
    colours = {rgb for _, rgb in image.getcolors(100_000)}
    assert {look.hair, look.outfit} <= colours


def test_sheet_writes_the_name(backend, handle):
    one = pixels(run(backend, handle, "sheet", sheet_params()))
    two = pixels(run(backend, handle, "sheet", sheet_params(name="mino")))
    assert changed(one, two, (0, 0, 200, 60))


# --- refine ---------------------------------------------------------------------------------------------------------

def refine_params(**changes: Any) -> dict[str, Any]:
    params = {"prompt": draft_params()["prompt"], "negative": "", "size": [320, 240], "seed": 7, "strength": 0.5,
              "mode": "img2img"}
    return params | changes


def test_img2img_refine_keeps_the_composition_and_changes_more_with_strength(backend, handle, tmp_path):
    draft = stored(run(backend, handle, "draft", draft_params()), tmp_path)
    before = pixels(run(backend, handle, "draft", draft_params()))
    light = pixels(run(backend, handle, "refine", refine_params(strength=0.2), (draft,)))
    strong = pixels(run(backend, handle, "refine", refine_params(strength=0.9), (draft,)))
    assert 0 < mean_difference(before, light) < mean_difference(before, strong) < 20
    assert changed(before, strong, (0, 40, 320, 200))


def test_refine_to_a_larger_size_scales_faces_and_focus(backend, handle, tmp_path):
    draft = stored(run(backend, handle, "draft", draft_params()), tmp_path)
    result = run(backend, handle, "refine", refine_params(size=[640, 480]), (draft,))
    assert pixels(result).size == (640, 480)
    assert result.meta["faces"] == [[v * 2 for v in f] for f in draft.meta["faces"]]
    assert result.meta["focus"] == [v * 2 for v in draft.meta["focus"]]
    assert result.meta["stage"] == "refine" and result.meta["strength"] == 0.5


def test_txt2img_refine_redraws_the_same_composition_at_full_quality(backend, handle, tmp_path):
    draft = stored(run(backend, handle, "draft", draft_params()), tmp_path)
    result = run(backend, handle, "refine", refine_params(mode="txt2img", size=[640, 480]), (draft,))
    assert pixels(result).size == (640, 480)
    for redrawn, drafted in zip(result.meta["faces"], draft.meta["faces"], strict=True):
        assert all(abs(a - 2 * b) <= 2 for a, b in zip(redrawn, drafted))


# --- edits ----------------------------------------------------------------------------------------------------------

@pytest.fixture
def scene(backend, handle, tmp_path) -> Artifact:
    return stored(run(backend, handle, "draft", draft_params(size=[640, 480])), tmp_path, "scene")


def edit(backend, handle, scene: Artifact, root: Path, **params: Any) -> Image.Image:
    base = {"negative": "", "seed": 7, "size": list(scene.meta["size"])}
    return pixels(run(backend, handle, "edit", base | params, (scene,), root))


def test_inpaint_repaints_only_the_box(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    after = edit(backend, handle, scene, tmp_path, op="inpaint", region=[0.25, 0.5, 0.5, 0.75], prompt="a red cat",
                 strength=1.0)
    assert changed(before, after) == (160, 240, 320, 360)
    assert mean_difference(before.crop((160, 240, 320, 360)), after.crop((160, 240, 320, 360))) > 20


def test_inpaint_face_repaints_only_the_faces(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    after = edit(backend, handle, scene, tmp_path, op="inpaint", region="face", prompt="a warm smile", strength=1.0)
    for face in scene.meta["faces"]:
        assert changed(before, after, tuple(face))
    masked_before, masked_after = before, after
    for face in scene.meta["faces"]:
        masked_before, masked_after = outside(masked_before, face), outside(masked_after, face)
    assert changed(masked_before, masked_after) is None


def test_inpaint_subject_repaints_only_the_focus_box(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    after = edit(backend, handle, scene, tmp_path, op="inpaint", region="subject", prompt="a dragon", strength=1.0)
    assert changed(before, after) == tuple(scene.meta["focus"])


def test_inpaint_mask_file_repaints_only_its_white(backend, handle, scene, tmp_path):
    mask = Image.new("L", (64, 48), 0)
    mask.paste(255, (8, 8, 24, 24))
    (tmp_path / "masks").mkdir()
    mask.save(tmp_path / "masks" / "m.png")
    before = Image.open(scene.main).convert("RGB")
    after = edit(backend, handle, scene, tmp_path, op="inpaint", region={"file": "masks/m.png"}, prompt="a hat",
                 strength=1.0)
    assert changed(before, after) == (80, 80, 240, 240)


def test_inpaint_strength_sets_how_much_the_region_changes(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB").crop((0, 0, 320, 240))
    params = {"op": "inpaint", "region": [0.0, 0.0, 0.5, 0.5], "prompt": "fog"}
    light = edit(backend, handle, scene, tmp_path, strength=0.2, **params).crop((0, 0, 320, 240))
    full = edit(backend, handle, scene, tmp_path, strength=1.0, **params).crop((0, 0, 320, 240))
    assert 0 < mean_difference(before, light) < mean_difference(before, full)


def test_inpaint_face_without_faces_in_meta_is_an_error(backend, handle, scene, tmp_path):
    faceless = Artifact(scene.task_id, scene.key, scene.files, {**scene.meta, "faces": []})
    task = Task(id="s/a/edit-1", kind="edit", params={"op": "inpaint", "region": "face", "prompt": "x",
                                                     "strength": 1.0, "seed": 1, "size": [640, 480]})
    [result] = backend.run(handle, [Request(task, "k", ModelRef("preview"), (faceless,), tmp_path)])
    assert isinstance(result, ValueError) and "no faces" in str(result)


def test_background_keeps_the_subject_and_replaces_the_rest(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    after = edit(backend, handle, scene, tmp_path, op="background", prompt="a snowy mountain village")
    assert changed(before, after, tuple(scene.meta["focus"])) is None
    assert mean_difference(outside(before, scene.meta["focus"]), outside(after, scene.meta["focus"])) > 30


def test_outpaint_centres_the_input_on_the_larger_canvas(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    result = run(backend, handle, "edit", {"op": "outpaint", "size": [640, 1136], "prompt": "", "seed": 7},
                 (scene,), tmp_path)
    after = pixels(result)
    assert after.size == (640, 1136)
    offset = (1136 - 480) // 2
    centre = after.crop((0, offset, 640, offset + 480))
    assert changed(before.crop((0, 40, 640, 480)), centre.crop((0, 40, 640, 480))) is None
    assert result.meta["faces"] == [[x0, y0 + offset, x1, y1 + offset] for x0, y0, x1, y1 in scene.meta["faces"]]
    fx0, fy0, fx1, fy1 = scene.meta["focus"]
    assert result.meta["focus"] == [fx0, fy0 + offset, fx1, fy1 + offset]
    border = after.crop((0, 0, 640, offset))
    assert ImageStat.Stat(border).stddev[0] < ImageStat.Stat(before).stddev[0]


def test_restyle_changes_the_whole_image_as_much_as_its_strength(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    light = edit(backend, handle, scene, tmp_path, op="restyle", prompt="ink comic", strength=0.2)
    strong = edit(backend, handle, scene, tmp_path, op="restyle", prompt="ink comic", strength=0.9)
    assert light.size == before.size
    assert 0 < mean_difference(before, light) < mean_difference(before, strong)


def test_restyle_words_pick_different_filters(backend, handle, scene, tmp_path):
    images = [edit(backend, handle, scene, tmp_path, op="restyle", prompt=p, strength=1.0)
              for p in ("ink sketch", "film noir", "flat pop poster", "watercolor painting", "dreamy lavender")]
    for i, a in enumerate(images):
        for b in images[i + 1:]:
            assert mean_difference(a, b) > 3
    r, g, b = ImageStat.Stat(images[1]).mean
    assert abs(r - g) < 1 and abs(g - b) < 1


def test_an_unknown_edit_op_is_an_error_naming_it(backend, handle, scene, tmp_path):
    task = Task(id="s/a/edit-1", kind="edit", params={"op": "sparkle", "seed": 1, "size": [640, 480]})
    [result] = backend.run(handle, [Request(task, "k", ModelRef("preview"), (scene,), tmp_path)])
    assert isinstance(result, ValueError) and "'sparkle'" in str(result)


@pytest.mark.parametrize("size", [[16, 16], [17, 33], [100, 30], [64, 64], [1024, 16]])
def test_every_kind_runs_at_tiny_and_odd_sizes(backend, handle, tmp_path, size):
    draft = stored(run(backend, handle, "draft", draft_params(size=size, prompt="a cafe on a snowy night")), tmp_path)
    width, height = size
    requests = [("sheet", sheet_params(size=size)),
                ("refine", refine_params(size=size, mode="img2img")),
                ("refine", refine_params(size=size, mode="txt2img")),
                ("edit", {"op": "inpaint", "region": "face", "prompt": "a smile", "strength": 1.0, "seed": 1}),
                ("edit", {"op": "background", "prompt": "a neon street", "seed": 1}),
                ("edit", {"op": "restyle", "prompt": "ink", "strength": 0.5, "seed": 1}),
                ("edit", {"op": "outpaint", "size": [width + 16, height * 2], "prompt": "sky", "seed": 1})]
    for kind, params in requests:
        result = run(backend, handle, kind, params, (draft,), tmp_path)
        expected = tuple(params["size"]) if "size" in params else (width, height)
        assert pixels(result).size == expected


def test_rounded_boxes_draw_at_fractional_pixel_sizes():
    image = Image.new("RGB", (100, 100))
    rounded_box(ImageDraw.Draw(image), (43.896, 50.843, 47.01, 52.927), radius=0.787, fill=(255, 0, 0),
                outline=(0, 255, 0))
    assert image.getbbox() == (44, 51, 48, 54)


def test_background_of_an_undescribed_photo_keeps_the_estimated_subject(backend, handle, tmp_path):
    photo = Image.new("RGB", (96, 64), (235, 235, 228))
    ImageDraw.Draw(photo).rectangle((36, 20, 59, 51), fill=(40, 70, 160))
    path = tmp_path / "photo.png"
    photo.save(path)
    source = Artifact("s/p/photo", "k0", {"image.png": path}, {"source": "photo.png", "stage": "source"})
    params = {"op": "background", "prompt": "a beach at noon", "size": [96, 64], "seed": 3}
    result = run(backend, handle, "edit", params, (source,))
    x0, y0, x1, y1 = result.meta["focus"]
    assert x0 <= 36 and y0 <= 20 and x1 >= 59 and y1 >= 51 and (x1 - x0) * (y1 - y0) < 96 * 64 / 2
    image = pixels(result)
    assert changed(photo, image, (36, 20, 60, 52)) is None
    assert mean_difference(outside(photo, [x0, y0, x1, y1]), outside(image, [x0, y0, x1, y1])) > 20


def test_korean_title_is_drawn_with_real_glyphs_when_a_cjk_font_is_installed(backend, handle):
    from zflow_preview.text import Fonts

    fonts = Fonts()
    if fonts(16, "카페 일기") is fonts(16):  # the default font: no installed font has Hangul
        need("no CJK font installed (apt-get install fonts-nanum; `make fonts` installs it)")
    a = pixels(run(backend, handle, "draft", draft_params(title="카페 일기", size=[640, 480])))
    b = pixels(run(backend, handle, "draft", draft_params(title="비오는 날", size=[640, 480])))
    # Without Hangul glyphs both titles would be rows of identical empty boxes.
    assert changed(a, b, (0, 0, 640, 60)) is not None
    latin = pixels(run(backend, handle, "draft", draft_params(title="Cafe Diaries", size=[640, 480])))
    assert latin.tobytes() == pixels(run(backend, handle, "draft", draft_params(title="Cafe Diaries",
                                                                                size=[640, 480]))).tobytes()
