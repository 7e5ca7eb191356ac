"""The recipe language and loading: declarations, file:line, data tables, sizes, templates, fresh loads."""
from __future__ import annotations

import pytest

from zflow.dsl import DeclarationError, parse_size, rows
from zflow.engine import Project
from zflow.errors import RecipeError
from zflow.load import load_file, load_recipes


def load(project, text: str, name: str = "r.py"):
    path = project.write(f"recipes/{name}", text)
    return load_file(path, project.root), path


def test_declarations_remember_their_file_and_line(project):
    reg, path = load(project, '''\
        from zflow import Character, Series, Style
        mina = Character("mina", looks="barista")
        film = Style("film", "35mm film")
        s = Series("s", style=film)
        s.scene("a", cast=[mina], action="x")
    ''')
    assert reg.characters["mina"].where.line == 2 and reg.characters["mina"].where.file == str(path)
    assert reg.styles["film"].where.line == 3
    assert reg.series["s"].where.line == 4
    assert reg.scenes[0].where.line == 5 and reg.scenes[0].uid == "s/a"


def test_the_same_recipe_text_in_two_files_names_each_file(project):
    text = 'from zflow import Series\ns = Series("s")\nfor i in range(2):\n    s.scene(f"a{i}", action="x")\n'
    first, second = project.write("recipes/one/r.py", text), project.write("recipes/two/r.py", text)
    for path in (first, second, first):
        reg = load_file(path, project.root)
        assert {(sc.where.file, sc.where.line) for sc in reg.scenes} == {(str(path), 4)}


def test_style_written_once_in_a_shared_file_is_importable(project):
    project.write("recipes/_brand.py", 'from zflow import Style\nfilm = Style("film", "35mm film, warm")\n')
    reg, _ = load(project, 'from zflow import Series\nfrom _brand import film\nSeries("s", style=film)\n')
    assert reg.series["s"].style.text == "35mm film, warm"
    assert reg.styles["film"].where.file.endswith("recipes/_brand.py")


def test_an_edited_helper_module_is_reloaded_not_taken_stale(project):
    project.write("recipes/_brand.py", 'from zflow import Style\nfilm = Style("film", "version one")\n')
    text = 'from zflow import Series\nfrom _brand import film\nSeries("s", style=film)\n'
    first, _ = load(project, text)
    project.write("recipes/_brand.py", 'from zflow import Style\nfilm = Style("film", "version two")\n')
    second, _ = load(project, text)
    assert first.series["s"].style.text == "version one"
    assert second.series["s"].style.text == "version two"
    assert (project.root / "recipes/_brand.py").resolve() in second.files_read


def test_each_load_has_its_own_registry(project):
    text = 'from zflow import Series\nSeries("s")\n'
    one, _ = load(project, text)
    two, _ = load(project, text)
    assert one is not two and list(one.series) == ["s"] and list(two.series) == ["s"]


def test_csv_rows_are_typed_and_drive_scenes(project):
    project.write("recipes/episodes.csv", "n,title,score\n1,First,4.5\n2,Second,\n")
    reg, _ = load(project, '''\
        from zflow import Series
        s = Series("s")
        for ep in s.rows("episodes.csv"):
            s.scene(f"ep{ep.n:02}", title=ep.title, action=ep.title)
    ''')
    assert [sc.id for sc in reg.scenes] == ["ep01", "ep02"]
    assert reg.scenes[1].title == "Second"
    assert (project.root / "recipes/episodes.csv").resolve() in reg.files_read


def test_rows_with_the_same_values_are_equal_wherever_they_stand(project):
    path = project.write("recipes/t.csv", "n,action\n1,waves\n2,sits\n1,waves\n")
    first, second, third = rows(path)
    assert first == third and first.where.line != third.where.line and hash(first) == hash(third)
    assert first != second


def test_a_missing_column_read_by_key_names_the_row(project):
    path = project.write("recipes/t.csv", "n\n1\n")
    (row,) = rows(path)
    for name in ("title", "__title"):
        with pytest.raises(DeclarationError, match=f"no column '{name}'") as err:
            row[name]
        assert err.value.where.line == 2


def test_only_plain_data_becomes_prompt_variables(project):
    with pytest.raises(RecipeError, match=r"only plain data") as err:
        load(project, '''\
            from zflow import Series
            s = Series("s")
            a = s.scene("a", action="x")
            s.scene("b", action=a)
        ''')
    assert err.value.line == 4


@pytest.mark.parametrize("name,text", [
    ("rows.yaml", "- n: 1\n  action: waves\n- n: 2\n  action: sits\n"),
    ("rows.json", '[{"n": 1, "action": "waves"}, {"n": 2, "action": "sits"}]'),
    ("rows.json", '\ufeff[{"n": 1, "action": "waves"}, {"n": 2, "action": "sits"}]'),  # a BOM, as Notepad saves
])
def test_yaml_and_json_tables_read_like_csv(project, name, text):
    project.write(f"recipes/{name}", text)
    reg, _ = load(project, f'from zflow import rows\nR = rows("{name}")\nfrom zflow import Series\n'
                           's = Series("s")\n[s.scene(f"e{r.n}", action=r.action) for r in R]\n')
    assert [dict(sc.vars)["action"] for sc in reg.scenes] == ["waves", "sits"]


def test_missing_column_names_the_table_row(project):
    project.write("recipes/t.csv", "n\n1\n")
    with pytest.raises(RecipeError) as err:
        load(project, 'from zflow import rows\nfor r in rows("t.csv"):\n    r.title\n')
    assert err.value.file.endswith("t.csv") and err.value.line == 2 and "no column 'title'" in err.value.message


@pytest.mark.parametrize("size,expected", [
    ("1:1", (1024, 1024)), ("16:9", (1360, 768)), ("3:4", (880, 1184)), ("832x1216", (832, 1216)),
    ((640, 480), (640, 480)),
])
def test_sizes_from_aspects_and_pixels(size, expected):
    assert parse_size(size) == expected


def test_aspect_sizes_are_multiples_of_16_near_the_pixel_budget():
    for aspect in ("2:3", "9:16", "21:9", "1.91:1"):
        w, h = parse_size(aspect)
        assert w % 16 == 0 and h % 16 == 0 and abs(w * h - 1024 * 1024) / (1024 * 1024) < 0.05


def test_prompt_template_is_rendered_with_cast_style_vars_and_filters(project):
    project.write("recipes/r.py", '''\
        from zflow import Character, Series, Style
        mina = Character("mina", looks="barista")
        s = Series("s", style=Style("film", "35mm"), prompt="{{ cast }} {{ action | upper }} in {{ place }}, {{ style }}")
        s.scene("a", cast=[mina], action="waves", place="Seoul")
    ''')
    proj = Project(project.root)
    graph = proj.load().graph
    assert graph.tasks["s/a/draft-1"].params["prompt"] == "mina (barista) WAVES in Seoul, 35mm"


def test_templates_run_in_a_sandbox(project):
    project.write("recipes/rows.csv", "n,action\n1,x\n")
    project.write("recipes/r.py", '''\
        from zflow import Series
        s = Series("s", prompt="{{ action.__class__.__mro__ }}")
        s.scene("a", action="x")
    ''')
    with pytest.raises(RecipeError, match="sandbox|undefined"):
        Project(project.root).load()


def test_prompt_template_file_error_names_the_template_line(project):
    project.write("recipes/prompt.j2", "{{ cast }}\n{{ nope }}\n")
    project.write("recipes/r.py", '''\
        from zflow import Series, template
        s = Series("s", prompt=template("prompt.j2"))
        s.scene("a")
    ''')
    with pytest.raises(RecipeError) as err:
        Project(project.root).load()
    assert "nope" in err.value.message and "rendering scene s/a at " in err.value.message
    assert err.value.message.endswith("recipes/r.py:3)") 
    assert err.value.file.endswith("recipes/prompt.j2") and err.value.line == 2


def test_recipes_with_the_same_character_name_conflict(project):
    a = project.write("recipes/a.py", 'from zflow import Character\nCharacter("mina", looks="barista")\n')
    b = project.write("recipes/b.py", 'from zflow import Character\nCharacter("mina", looks="pilot")\n')
    with pytest.raises(RecipeError, match="duplicate character 'mina'") as err:
        load_recipes([a, b], project.root)
    assert err.value.line == 2 and err.value.file.endswith("b.py")


def test_default_seeds_derive_from_task_ids_and_are_stable(project):
    project.write("recipes/r.py", 'from zflow import Series\ns = Series("s", drafts=3)\ns.scene("a", action="x")\n')
    seeds = [Project(project.root).load().graph.tasks[f"s/a/draft-{i}"].params["seed"] for i in (1, 2, 3)]
    again = [Project(project.root).load().graph.tasks[f"s/a/draft-{i}"].params["seed"] for i in (1, 2, 3)]
    assert seeds == again and len(set(seeds)) == 3
    project.write("recipes/r.py", 'from zflow import Series\ns = Series("s", drafts=2)\ns.scene("a", action="x", seed=40)\n')
    graph = Project(project.root).load().graph
    assert [graph.tasks[f"s/a/draft-{i}"].params["seed"] for i in (1, 2)] == [40, 41]


def test_picks_file_chooses_the_refined_draft(project):
    project.write("recipes/r.py", 'from zflow import Series\ns = Series("s", drafts=3)\ns.scene("a", action="x", pick=2)\n')
    proj = Project(project.root)
    assert proj.load().graph.tasks["s/a/refine"].inputs == ("s/a/draft-2",)
    proj.write_pick("s/a", 3)
    assert proj.load().graph.tasks["s/a/refine"].inputs == ("s/a/draft-3",)
    assert (project.root / "picks.json").resolve() in proj.load().files


def test_scene_can_start_from_a_photo_or_another_scene(project):
    from PIL import Image
    Image.new("RGB", (48, 32), "red").save(project.root / "photo.png")
    project.write("recipes/r.py", '''\
        from zflow import Edit, Series
        s = Series("s", size="32x32", drafts=1)
        shot = s.scene("shot", photo="../photo.png", edits=[Edit.restyle("ink")])
        s.scene("again", photo=shot, edits=[Edit.background("a beach")])
    ''')
    graph = Project(project.root).load().graph
    assert graph.tasks["s/shot/photo"].kind == "source" and graph.sizes["s/shot/photo"] == (48, 32)
    assert graph.tasks["s/again/edit-1-background"].inputs == ("s/shot/edit-1-restyle",)
    assert "s/shot/draft-1" not in graph.tasks


def test_yaml_rows_remember_their_line(project):
    project.write("recipes/rows.yaml", "episodes:\n  - n: 1\n    action: waves\n  - n: 2\n    action: sits\n")
    with pytest.raises(RecipeError) as err:
        load(project, 'from zflow import rows\nR = rows("rows.yaml")\nR[1].title\n')
    assert err.value.file.endswith("rows.yaml") and err.value.line == 4
