"""Edit constructors come from the edit plugins: ``Edit.inpaint(...)`` is what the edits plugin declares for its
``inpaint`` op, a project plugin's op gets its own ``Edit.<name>(...)``, and a blocked plugin takes its away."""
from __future__ import annotations

from helpers.project import BASIC_RECIPE
from zflow.engine import Project

SPARKLE = '''\
from zflow import hookimpl
from zflow.contracts import REQUIRED


class Sparkle:
    """Stars over the image."""

    name = "sparkle"
    arguments = {"count": REQUIRED, "colour": "gold"}
    file_arguments = frozenset()
    size_arguments = frozenset()

    def normalize(self, params, size):
        return {"count": int(params["count"]), "colour": str(params["colour"])}

    def output_size(self, params, size):
        return size


@hookimpl
def register_edit_ops(register):
    register(Sparkle())
'''


def edit_tasks(project) -> dict[str, dict]:
    proj = Project(project.root, env={})
    try:
        return {tid: dict(t.params) for tid, t in proj.load().graph.tasks.items() if t.kind == "edit"}
    finally:
        proj.close()


def test_a_plugins_op_gets_its_constructor_with_its_arguments_and_defaults(basic):
    basic.write("plugins/sparkle.py", SPARKLE)
    basic.write("recipes/basic.py", BASIC_RECIPE + 's.scene("c", action="x", edits=[Edit.sparkle(7)])\n')
    params = edit_tasks(basic)["s/c/edit-1-sparkle"]
    assert (params["op"], params["count"], params["colour"]) == ("sparkle", 7, "gold")


def test_the_core_constructors_give_the_same_params_as_custom(basic):
    basic.write("recipes/basic.py", BASIC_RECIPE + 's.scene("c", action="x", edits=[Edit.custom("inpaint", '
                                   'region="face", prompt="a smile", strength=1.0)])\n')
    tasks = edit_tasks(basic)
    assert {k: v for k, v in tasks["s/b/edit-1-inpaint"].items() if k not in ("seed", "scene_prompt")} == \
        {k: v for k, v in tasks["s/c/edit-1-inpaint"].items() if k not in ("seed", "scene_prompt")}


def test_a_constructor_called_wrong_is_an_error_at_its_line(basic):
    basic.write("recipes/basic.py", BASIC_RECIPE + 's.scene("c", action="x", edits=[Edit.inpaint("face")])\n')
    result = basic.zflow("plan")
    assert result.code == 2
    assert "recipes/basic.py:8: Edit.inpaint(region, prompt, strength): missing 'prompt'" in result.stderr


def test_blocking_the_edits_plugin_takes_its_constructors_away(basic):
    result = basic.zflow("plan", env={"ZFLOW_PLUGINS_BLOCK": "edits"})
    assert result.code == 2 and "recipes/basic.py:7:" in result.stderr and "inpaint" in result.stderr
    assert basic.zflow("plan").code == 0
