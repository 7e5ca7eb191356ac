"""Plugins: built-ins through entry points, a project's local plugins/, blocking and allow-listing, hook docs."""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pluggy
import pytest

from zflow import hookspecs
from zflow.errors import PluginError
from zflow.engine import core_plugin
from zflow.plugins import make_plugin_manager

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"

COUNTING_BACKEND = '''\
"""A project-local backend that counts loads and records batch sizes in a JSON file next to it."""
import io, json
from pathlib import Path
from PIL import Image
from zflow import hookimpl
from zflow.contracts import Output

LOG = Path(__file__).with_name("calls.json")


def record(kind, value):
    data = json.loads(LOG.read_text()) if LOG.exists() else {"loads": [], "batches": []}
    data[kind].append(value)
    LOG.write_text(json.dumps(data))


class Counting:
    name = "counting"
    version = "1"
    kinds = frozenset({"sheet", "draft", "refine", "edit"})

    def identity(self, model):
        return "counting-" + model.model

    def load(self, model):
        record("loads", model.model)
        return object()

    def run(self, handle, requests):
        record("batches", [r.task.id for r in requests])
        out = []
        for r in requests:
            if "boom" in r.params.get("prompt", ""):
                out.append(RuntimeError("the model refused"))
                continue
            buf = io.BytesIO()
            Image.new("RGB", tuple(r.params["size"]), (r.params.get("seed", 0) % 255, 0, 0)).save(buf, "PNG")
            out.append(Output({"image.png": buf.getvalue()}, {"seed": r.params.get("seed"), "faces": [[4, 4, 12, 12]],
                                                              "focus": [2, 2, 20, 30]}))
        return out

    def release(self, handle):
        pass


@hookimpl
def register_backends(register):
    register(Counting())
'''

STAGES = '''\
base_pixels = 4096
batch_size = 4
[stages.draft]
backend = "counting"
model = "turbo"
[stages.refine]
backend = "counting"
model = "base"
[stages.edit]
backend = "preview"
'''


def test_builtin_plugins_come_from_entry_points():
    pm = make_plugin_manager(None, env={}, core=core_plugin)
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"zflow.core", "preview", "edits", "exports"} <= names


def test_every_hook_is_documented_with_its_signature():
    """Each hook has a ``### name`` section in docs/plugins.md whose text shows its call as ``name(arg, ...)`` with
    hookspecs.py's arguments, in order (as datasette's docs test does)."""
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^#|\Z)", DOCS.read_text(), re.M | re.S))
    hooks = {name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "zflow_spec", None)}
    assert hooks and hooks == set(sections)
    for name in hooks:
        spec = getattr(hookspecs, name)
        assert spec.__doc__, f"hook {name} has no docstring"
        call = f"`{name}({', '.join(inspect.signature(spec).parameters)})`"
        shown = re.findall(rf"`{name}\([^`]*\)`", sections[name])
        assert shown and shown[0] == call, f"docs/plugins.md shows {name} as {shown}, hookspecs.py as {call}"


@pytest.mark.e2e
def test_blocked_plugin_is_not_loaded_and_its_exporter_is_unknown(basic):
    basic.write("recipes/basic.py", open(basic.root / "recipes/basic.py").read() + "from zflow import sns\nsns(s, 'x_post')\n")
    result = basic.build(env={"ZFLOW_PLUGINS_BLOCK": "exports"})
    assert result.code == 2 and "unknown exporter 'sns'" in result.stderr
    plugins = json.loads(basic.zflow("plugins", "--json", env={"ZFLOW_PLUGINS_BLOCK": "exports"}).stdout)
    assert "exports" not in {p["name"] for p in plugins["plugins"]}


def test_allow_list_loads_only_the_named_plugins():
    pm = make_plugin_manager(None, env={"ZFLOW_PLUGINS_ONLY": "preview"}, core=core_plugin)
    assert {name for name, _ in pm.list_name_plugin()} == {"zflow.core", "preview"}


@pytest.mark.e2e
def test_local_plugin_serves_a_stage_and_each_model_loads_once(basic):
    basic.write("plugins/counting.py", COUNTING_BACKEND)
    basic.write("zflow.toml", STAGES)
    result = basic.build()
    assert result.code == 0, result.stderr
    calls = json.loads((basic.root / "plugins/calls.json").read_text())
    assert sorted(Path(m).name for m in calls["loads"]) == ["base", "turbo"]
    loads = [e for e in result.events if e["event"] == "model-load"]
    assert len(loads) == 3  # turbo, base, and the preview edit model
    # Ready tasks of one kind, model and size go in one batch (batch_size = 4).
    assert ["s/a/draft-1", "s/a/draft-2", "s/b/draft-1", "s/b/draft-2"] in calls["batches"], calls["batches"]


@pytest.mark.e2e
def test_failed_task_skips_its_dependents_and_the_rest_completes(basic):
    basic.write("plugins/counting.py", COUNTING_BACKEND)
    basic.write("zflow.toml", STAGES)
    recipe = basic.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("reads a book", "boom"))
    result = basic.build()
    assert result.code == 1
    assert result.ids("task-failed") == {"s/b/draft-1", "s/b/draft-2"}
    assert result.ids("task-skipped") == {"s/b/refine", "s/b/edit-1-inpaint", "s/b/contact"}
    assert {"s/a/refine", "s/a/contact"} <= result.ids("task-done")
    failed = [e for e in result.events if e["event"] == "task-failed"]
    assert "the model refused" in failed[0]["error"]


def test_misspelled_hook_in_a_local_plugin_is_refused(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins/typo.py").write_text("from zflow import hookimpl\n@hookimpl\ndef register_backend(register):\n    pass\n")
    with pytest.raises(pluggy.PluginValidationError, match="register_backend"):
        make_plugin_manager(tmp_path, env={})


def test_broken_local_plugin_is_a_plugin_error_naming_the_file(tmp_path):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins/broken.py").write_text("import not_a_module_anywhere\n")
    with pytest.raises(PluginError, match="broken.py"):
        make_plugin_manager(tmp_path, env={})


def test_a_project_plugin_named_like_an_installed_one_is_an_error_naming_both(basic):
    basic.write("plugins/preview.py", "from zflow import hookimpl\n")
    result = basic.build()
    said = " ".join(result.stderr.split())
    assert result.code == 2 and "plugins/preview.py" in said
    assert "the project plugin 'preview' has the name of the installed plugin 'preview' (zflow_preview from zflow" in said
    assert not (basic.root / "out").exists()


def test_two_plugins_providing_one_template_filter_is_an_error_naming_both(basic):
    for name in ("loud", "louder"):
        basic.write(f"plugins/{name}.py", "from zflow import hookimpl\n\n@hookimpl\ndef template_filters():\n"
                                          "    return {'shout': str.upper}\n")
    result = basic.build()
    assert result.code == 2
    assert "two plugins provide a template filter named 'shout': 'loud' and 'louder'" in result.stderr


def test_plugins_lists_each_plugins_distribution_and_version(basic):
    from importlib.metadata import version

    basic.write("plugins/extra.py", "from zflow import hookimpl\n\n@hookimpl\ndef template_filters():\n"
                                    "    return {'shout': str.upper}\n")
    listed = json.loads(basic.zflow("plugins", "--json").stdout)["plugins"]
    by_name = {p["name"]: p for p in listed}
    assert (by_name["preview"]["distribution"], by_name["preview"]["version"]) == ("zflow", version("zflow"))
    assert by_name["extra"]["distribution"] == "project" and by_name["extra"]["hooks"] == ["template_filters"]
    text = basic.zflow("plugins").stdout
    assert any(line.split()[:3] == ["preview", "zflow", version("zflow")] for line in text.splitlines())


def test_the_runtime_follows_the_contract_and_its_worker_factory_travels(basic):
    """What executors (Ray's) rely on: the Runtime protocol, and a picklable factory that rebuilds the runtime with
    the same plugin set in another process; the optional backend protocols are what the engine checks."""
    import pickle

    from zflow.contracts import CostEstimate, KeyOptions, PixelOp, Runtime, SideModels
    from zflow.engine import Project

    basic.write("plugins/counting.py", COUNTING_BACKEND)
    project = Project(basic.root, env={})
    try:
        assert isinstance(project.runtime, Runtime)
        factory = pickle.loads(pickle.dumps(project.runtime.worker_factory()))
        events: list = []
        again = factory(basic.root, events.append)
        assert isinstance(again, Runtime)
        names = {name for name, _ in again.plugins.pm.list_name_plugin()}
        assert names == {name for name, _ in project.plugins.pm.list_name_plugin()} and "counting" in names
        backends = project.plugins.backends
        assert isinstance(backends["zimage"], KeyOptions) and not isinstance(backends["preview"], KeyOptions)
        assert isinstance(backends["zimage"], SideModels) and not isinstance(backends["preview"], SideModels)
        assert isinstance(backends["nanobanana"], CostEstimate) and not isinstance(backends["counting"], CostEstimate)
        assert not any(isinstance(op, PixelOp) for op in project.plugins.edit_ops.values())
    finally:
        project.close()


def test_backends_read_images_and_other_inputs_by_role(tmp_path):
    from zflow.contracts import Artifact, ModelRef, Request, Task
    image, lora = tmp_path / "a.png", tmp_path / "b.safetensors"
    arts = (Artifact("s/draft", "k1", {"image.png": image}, {"seed": 1}),
            Artifact("nabi/train", "k2", {"nabi.safetensors": lora}, {"role": "lora"}),
            Artifact("s/sheet", "k3", {"image.png": image}, {"role": "image"}))
    task = Task(id="s/refine", kind="refine", params={}, inputs=tuple(a.task_id for a in arts))
    request = Request(task, "k", ModelRef("preview"), arts)
    assert [a.task_id for a in request.images] == ["s/draft", "s/sheet"]
    assert [a.task_id for a in request.inputs_of("lora")] == ["nabi/train"]
    assert request.inputs_of("control") == ()
