"""The preview reads prompts in English, Korean, Japanese and Chinese: places, weather, time of day, styles and
palettes, species and clothing colours change what it draws (checked on the pixels and the recorded drawing path);
edits mark their region without a pattern and outpainting extends the scenery."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from helpers.preview import changed, draft_params, mean_difference, pixels, run, stored
from zflow.contracts import ModelRef
from zflow_preview import PreviewBackend, add_words, reading
from zflow_preview.looks import look_of

PERSON = {"name": "mina", "looks": "barista, short black bob, green apron"}


@pytest.fixture(scope="module")
def backend() -> PreviewBackend:
    return PreviewBackend()


@pytest.fixture(scope="module")
def handle(backend: PreviewBackend):
    return backend.load(ModelRef("preview"))


def draft(backend, handle, prompt: str, style: str = "", cast=(PERSON,), **changes):
    return run(backend, handle, "draft", draft_params(prompt=prompt, style=style, cast=list(cast), title="",
                                                      **changes))


@pytest.mark.parametrize("english, others", [
    ("a rainy alley", ["비 내리는 골목", "雨の路地裏", "下雨的小巷"]),
    ("a snowy forest at night", ["밤, 눈 내리는 숲", "夜の雪の森", "夜晚下雪的森林"]),
    ("a foggy harbor at dusk", ["해질녘 안개 낀 항구", "夕暮れの霧の港", "黄昏时雾中的港口口"]),
])
def test_a_place_in_korean_japanese_or_chinese_is_drawn_as_its_english_equivalent(backend, handle, english, others):
    wanted = draft(backend, handle, english)
    plain = draft(backend, handle, "오래된 이야기")  # words the preview does not know: the default hills and sky
    assert mean_difference(pixels(wanted), pixels(plain)) > 10
    for text in others:
        result = draft(backend, handle, text)
        assert {k: result.meta[k] for k in ("scenery", "weather", "palette")} == \
               {k: wanted.meta[k] for k in ("scenery", "weather", "palette")}, text
        assert pixels(result).tobytes() == pixels(wanted).tobytes(), text


def test_a_korean_rainy_alley_gets_rain_and_a_city_not_the_default_hills(backend, handle):
    meta = draft(backend, handle, "비 내리는 골목").meta
    assert "city" in meta["scenery"] and "hills" not in meta["scenery"] and meta["weather"] == ["rain"]
    assert draft(backend, handle, "저택 응접실").meta["scenery"] == ["interior"]


def test_style_words_change_the_palette(backend, handle):
    params = dict(cast=[], size=[320, 240])
    plain = pixels(draft(backend, handle, "a detective in the city", **params))
    noir = pixels(draft(backend, handle, "a detective in the city", "noir, muted blue", **params))
    sky = (0, 0, 320, 60)
    r, g, b = ImageStat.Stat(noir.crop(sky)).mean
    assert b > r + 8 and b > g, "muted blue tints the sky blue"
    saturation = [ImageStat.Stat(i.crop(sky).convert("HSV")).mean[1] for i in (plain, noir)]
    assert saturation[1] < saturation[0] * 0.8, "noir and muted take colour out"
    brightness = [ImageStat.Stat(i.crop(sky).convert("L")).mean for i in (plain, noir)]
    assert brightness[1] < brightness[0]
    korean = pixels(draft(backend, handle, "a detective in the city", "누아르, 차분한 파란", **params))
    assert korean.tobytes() == noir.tobytes()


def test_a_cat_character_is_drawn_as_a_cat(backend, handle):
    cat = {"name": "ray", "looks": "a grey cat detective in a trench coat"}
    person = {"name": "ray", "looks": "a grey-haired detective in a trench coat"}
    as_cat, as_person = (draft(backend, handle, "an office", cast=[c]) for c in (cat, person))
    assert as_cat.meta["figures"] == [{"name": "ray", "species": "cat"}]
    assert as_person.meta["figures"] == [{"name": "ray", "species": "person"}]
    face = tuple(as_cat.meta["faces"][0])
    assert face == tuple(as_person.meta["faces"][0])
    head = pixels(as_cat).crop(face)
    grey = look_of("ray", cat["looks"]).skin
    assert grey == (130, 134, 140), "the colour word before the species colours the fur"
    fur = sum(n for n, rgb in head.getcolors(100_000) if rgb == grey) / (head.width * head.height)
    assert fur > 0.25
    assert mean_difference(head, pixels(as_person).crop(face)) > 10
    x0, y0, x1, y1 = face
    ears = (x0, max(0, y0 - (y1 - y0) // 2), x1, y0)
    assert changed(pixels(as_cat), pixels(as_person), ears), "the cat's ears rise above its head"


@pytest.mark.parametrize("looks, species", [("고양이 탐정", "cat"), ("黒い猫", "cat"), ("一只机器人", "robot"),
                                            ("a friendly puppy", "dog"), ("silver android", "robot"),
                                            ("白いうさぎ", "rabbit"), ("barista, green apron", "person")])
def test_species_are_read_in_every_language(looks, species):
    assert look_of("x", looks).species == species


def test_clothing_colours_are_read_in_korean_as_in_english():
    english = look_of("x", "short black hair, red coat")
    korean = look_of("x", "검은 단발 머리, 빨간 코트")
    assert english.outfit == korean.outfit == (200, 52, 44)
    assert english.hair == korean.hair == (34, 30, 36)
    assert look_of("x", "a cat in a blue jacket").outfit == (48, 90, 180)


def test_plugins_add_words_and_the_backend_identity_follows(backend, handle, monkeypatch):
    monkeypatch.setattr(reading, "LANGUAGES", {k: dict(v) for k, v in reading.LANGUAGES.items()})
    monkeypatch.setattr(reading, "_ADDED", {})
    reading._matcher.cache_clear()
    reading.tokens.cache_clear()
    try:
        before = draft(backend, handle, "편의점 앞")
        assert backend.identity(ModelRef("preview")) == "preview"
        add_words("ko", {"편의점": "shop"})
        after = draft(backend, handle, "편의점 앞")
        assert before.meta["scenery"] != ["interior"] and after.meta["scenery"] == ["interior"]
        assert backend.identity(ModelRef("preview")).startswith("preview+words:")
        with pytest.raises(ValueError, match="add_words"):
            add_words("ko", {"": "shop"})
    finally:
        reading._matcher.cache_clear()
        reading.tokens.cache_clear()


@pytest.fixture
def scene(backend, handle, tmp_path):
    return stored(draft(backend, handle, "mina in a cozy cafe", size=[640, 480]), tmp_path, "scene")


def edit(backend, handle, scene, tmp_path: Path, **params) -> Image.Image:
    base = {"negative": "", "seed": 7, "size": list(scene.meta["size"])}
    return pixels(run(backend, handle, "edit", base | params, (scene,), tmp_path))


def test_inpaint_outlines_its_region_and_keeps_the_picture_inside_it(backend, handle, scene, tmp_path):
    before = Image.open(scene.main).convert("RGB")
    box = (160, 240, 320, 360)
    after = edit(backend, handle, scene, tmp_path, op="inpaint", region=[0.25, 0.5, 0.5, 0.75], prompt="a red cat",
                 strength=1.0)
    assert changed(before, after) == box
    ring = [after.getpixel((x, 240)) for x in range(160, 320)] + [after.getpixel((160, y)) for y in range(240, 360)]
    assert len(set(ring)) == 1, "a one-colour outline along the region's edge"
    inside_before, inside_after = before.crop((170, 250, 310, 350)), after.crop((170, 250, 310, 350))
    # No stripes or label: the inside is the same picture, tinted (its edges stay where they were).
    edges = [i.convert("L").filter(ImageFilter.FIND_EDGES) for i in (inside_before, inside_after)]
    assert mean_difference(edges[0].convert("RGB"), edges[1].convert("RGB")) < 6
    assert ImageStat.Stat(ImageChops.difference(inside_before, inside_after)).stddev[0] < 25


def test_outpaint_extends_the_scenery_instead_of_stretching_the_edge(backend, handle, tmp_path):
    scene = stored(draft(backend, handle, "mina on a city street", size=[640, 480]), tmp_path, "street")
    before = Image.open(scene.main).convert("RGB")
    after = edit(backend, handle, scene, tmp_path, op="outpaint", size=[1280, 480], prompt="")
    assert after.crop((320, 40, 960, 480)).tobytes() == before.crop((0, 40, 640, 480)).tobytes()
    # Stretched edge pixels make every row of the extension one colour; drawn scenery (buildings) varies along it.
    band = after.convert("L").crop((0, 0, 120, 200))
    variation = sum(ImageStat.Stat(band.crop((0, y, 120, y + 1))).stddev[0] for y in range(200)) / 200
    assert variation > 5
    seam = mean_difference(after.crop((318, 100, 319, 400)), before.crop((0, 100, 1, 400)))
    assert seam < 40, "the scenery meets the picture's edge"


@pytest.mark.parametrize("english, korean", [("a park at dawn", "새벽의 공원"), ("a park at noon", "한낮의 공원"),
                                             ("a park at night", "밤의 공원"), ("a park at sunset", "노을 지는 공원")])
def test_time_of_day_sets_the_light_in_every_language(backend, handle, english, korean):
    wanted, said = (draft(backend, handle, text, cast=[]) for text in (english, korean))
    assert said.meta["palette"] == wanted.meta["palette"] != "style"
    assert pixels(said).tobytes() == pixels(wanted).tobytes()


def test_times_of_day_differ_from_each_other(backend, handle):
    skies = {t: ImageStat.Stat(pixels(draft(backend, handle, f"a park at {t}", cast=[])).crop((0, 0, 320, 60))).mean
             for t in ("dawn", "noon", "sunset", "night")}
    assert sum(skies["night"]) < min(sum(skies[t]) for t in ("dawn", "noon", "sunset")) - 150
    assert skies["noon"][2] > skies["noon"][0] + 60, "a blue midday sky"
    assert skies["sunset"][0] > skies["sunset"][2] + 40, "a warm sunset"


def test_an_animal_named_by_a_castless_prompt_is_drawn_instead_of_the_subject_block(backend, handle):
    cat = draft(backend, handle, "a black cat sleeping in a garden", cast=[])
    mug = draft(backend, handle, "a mug sleeping in a garden", cast=[])
    assert cat.meta["figures"] == [{"name": "", "species": "cat"}] and mug.meta["figures"] == []
    assert len(cat.meta["faces"]) == 1 and mug.meta["faces"] == []
    head = pixels(cat).crop(tuple(cat.meta["faces"][0]))
    black = sum(n for n, rgb in head.getcolors(100_000) if rgb == (34, 30, 36)) / (head.width * head.height)
    assert black > 0.25, "the colour before the species is the fur's"


def test_a_longer_word_wins_over_a_colour_character_inside_it():
    look = look_of("x", "若い青年、黒髪、青いコート")  # a young man, black hair, a blue coat
    assert (look.hair, look.outfit) == ((34, 30, 36), (48, 90, 180))
    assert "blue" not in reading.tokens("若い青年")
