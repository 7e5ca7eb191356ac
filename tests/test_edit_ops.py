"""The core edit operations: canonical parameters, output sizes and the errors a user sees."""
from __future__ import annotations

import json

import pluggy
import pytest

import zflow_edits
from zflow import hookspecs
from zflow.contracts import EditOp
from zflow_edits import Background, Inpaint, Outpaint, Restyle


def registered_ops() -> dict[str, EditOp]:
    manager = pluggy.PluginManager("zflow")
    manager.add_hookspecs(hookspecs)
    manager.register(zflow_edits)
    ops: dict[str, EditOp] = {}
    manager.hook.register_edit_ops(register=lambda op: ops.setdefault(op.name, op))
    return ops


def test_the_hook_registers_the_five_core_ops_as_edit_ops():
    ops = registered_ops()
    assert sorted(ops) == ["background", "inpaint", "instruct", "outpaint", "restyle"]
    assert all(isinstance(op, EditOp) for op in ops.values())


@pytest.mark.parametrize("region, expected", [
    ("face", "face"),
    ("subject", "subject"),
    ((0, 0.25, 1, 0.5), [0.0, 0.25, 1.0, 0.5]),
    ([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]),
    ({"file": "masks/sky.png"}, {"file": "masks/sky.png"}),
    ({"mask": "masks/sky.png"}, {"file": "masks/sky.png"}),
])
def test_inpaint_region_becomes_canonical_json(region, expected):
    params = Inpaint().normalize({"region": region, "prompt": "a warm smile"}, (1024, 768))
    assert params == {"region": expected, "prompt": "a warm smile", "strength": 1.0}
    assert json.loads(json.dumps(params)) == params


def test_inpaint_box_becomes_a_list_of_floats():
    region = Inpaint().normalize({"region": (0, 0, 1, 1), "prompt": "sky"}, (64, 64))["region"]
    assert type(region) is list and all(type(v) is float for v in region)


def test_inpaint_strength_is_kept_as_a_float():
    params = Inpaint().normalize({"region": "face", "prompt": "smile", "strength": 1}, (64, 64))
    assert params["strength"] == 1.0 and isinstance(params["strength"], float)


@pytest.mark.parametrize("region, words", [
    ("hand", "region 'hand' unknown: use 'face', 'subject', a box"),
    ([0.1, 0.2, 0.3], "four numbers"),
    ([0.5, 0.2, 0.4, 0.4], "0 <= x0 < x1 <= 1"),
    ([0.0, 0.0, 1.2, 1.0], "0 <= x0 < x1 <= 1"),
    ([0.1, 0.4, 0.3, 0.4], "0 <= y0 < y1 <= 1"),
    ([True, 0.0, 1.0, 1.0], "four numbers"),
    (["a", "b", "c", "d"], "four numbers"),
    ({"path": "m.png"}, "unknown"),
    ({"file": ""}, "must be a path"),
    (42, "unknown"),
])
def test_inpaint_refuses_a_bad_region_with_a_helpful_message(region, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace("[", r"\[")):
        Inpaint().normalize({"region": region, "prompt": "x"}, (64, 64))


@pytest.mark.parametrize("op, params", [
    (Inpaint(), {"region": "face", "prompt": "x", "strength": 0}),
    (Inpaint(), {"region": "face", "prompt": "x", "strength": 1.5}),
    (Inpaint(), {"region": "face", "prompt": "x", "strength": "high"}),
    (Restyle(), {"prompt": "ink", "strength": True}),
    (Restyle(), {"prompt": "ink", "strength": -0.2}),
])
def test_strength_outside_zero_to_one_is_refused(op, params):
    with pytest.raises(ValueError, match="strength .* must be a number above 0 and at most 1"):
        op.normalize(params, (64, 64))


@pytest.mark.parametrize("op, params, words", [
    (Inpaint(), {"region": "face", "prompt": "x", "colour": "red"}, "unknown parameter.* colour"),
    (Background(), {"prompt": "x", "blur": 2, "zoom": 1}, "unknown parameter.* blur, zoom"),
    (Outpaint(), {"size": "9:16", "side": "left"}, "unknown parameter.* side"),
    (Restyle(), {"prompt": "x", "steps": 4}, "unknown parameter.* steps"),
    (Inpaint(), {"region": "face"}, "missing parameter.* prompt"),
    (Background(), {}, "missing parameter.* prompt"),
    (Outpaint(), {"prompt": "sky"}, "missing parameter.* size"),
    (Background(), {"prompt": "  "}, "needs a prompt"),
    (Restyle(), {"prompt": 3}, "must be text"),
])
def test_unknown_missing_or_empty_params_are_named(op, params, words):
    with pytest.raises(ValueError, match=words):
        op.normalize(params, (64, 64))


def test_background_and_restyle_fill_their_defaults():
    assert Background().normalize({"prompt": "a beach"}, (64, 64)) == {"prompt": "a beach"}
    assert Restyle().normalize({"prompt": "ink"}, (64, 64)) == {"prompt": "ink", "strength": 0.6}


@pytest.mark.parametrize("size, given, canvas", [
    ((1024, 768), "9:16", [1024, 1824]),
    ((768, 1024), "16:9", [1824, 1024]),
    ((1000, 600), "1:1", [1008, 1008]),
    ((1024, 768), "4:3", [1024, 768]),
    ((1024, 768), "1024x768", [1024, 768]),
    ((1024, 768), "1088x1920", [1088, 1920]),
    ((1024, 768), [1200, 800], [1200, 800]),
])
def test_outpaint_size_is_the_smallest_canvas_that_holds_the_input(size, given, canvas):
    params = Outpaint().normalize({"size": given}, size)
    assert params == {"size": canvas, "prompt": ""}
    assert Outpaint().output_size({"size": given}, size) == tuple(canvas)
    assert Outpaint().output_size(params, size) == tuple(canvas)


def test_outpaint_to_a_size_a_model_cannot_take_names_the_nearest_one():
    with pytest.raises(ValueError, match="1080x1920 is not a multiple of 16; use 1088x1920"):
        Outpaint().normalize({"size": "1080x1920"}, (1024, 768))


def test_outpaint_canvas_sides_are_multiples_of_16_and_keep_the_aspect():
    width, height = Outpaint().output_size({"size": "2.39:1"}, (832, 1216))
    assert width % 16 == 0 and height % 16 == 0
    assert width >= 832 and height >= 1216
    assert abs(width / height - 2.39) < 0.02


@pytest.mark.parametrize("given, words", [
    ("800x592", "smaller than the 1024x768 input"),
    ("1024x704", "smaller than the 1024x768 input"),
    ("wide", "write an aspect"),
    ("0:1", "two positive numbers"),
    ("1:20", "over the 4096 px limit"),
    ("9000x9000", "each side must be"),
])
def test_outpaint_refuses_a_canvas_it_cannot_make(given, words):
    with pytest.raises(ValueError, match=words):
        Outpaint().normalize({"size": given}, (1024, 768))


def test_ops_that_keep_the_canvas_report_the_input_size():
    for op, params in ((Inpaint(), {"region": "face", "prompt": "x"}), (Background(), {"prompt": "x"}),
                       (Restyle(), {"prompt": "x"})):
        assert op.output_size(params, (832, 1216)) == (832, 1216)
