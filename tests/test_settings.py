"""One way to read zflow.toml: the core's settings and the zimage, nanobanana, Ray and schedule tables all fail the
same way, naming the file, the line, the table and the key, and `budget` and `prices` are checked when it is read."""
from __future__ import annotations

import pytest

from zflow.config import load_config
from zflow.contracts.settings import Setting, SettingError, Table, line_of, located
from zflow_nanobanana import settings as nanobanana
from zflow_ray.options import RayOptions, parse_options
from zflow_zimage import options as zimage

TOML = '''\
output = "out"   # a comment
budget = 5
[stages.draft]
backend = "zimage"
options = { steps = 2, "device" = "cpu" }

[stages.refine.options]
steps = 3
[executors.ray]
actors = 2
[prices]
"gemini-3-pro-image" = { "1K" = 0.134, "4K" = 0.24 }
'''


@pytest.mark.parametrize("keys, line", [
    (("output",), 1), (("budget",), 2), (("stages", "draft"), 3), (("stages", "draft", "backend"), 4),
    (("stages", "draft", "options", "steps"), 5), (("stages", "draft", "options", "device"), 5),
    (("stages", "refine", "options"), 7), (("stages", "refine", "options", "steps"), 8),
    (("executors", "ray", "actors"), 10), (("prices", "gemini-3-pro-image", "4K"), 12),
    (("executors", "ray", "unknown"), 9),  # an absent key: its table's header
    (("schedule", "retries"), None),
])
def test_a_settings_line_is_found_in_the_files_text(keys, line):
    assert line_of(TOML, keys) == line


def test_pyproject_tables_are_found_under_tool_zflow():
    text = '[project]\nname = "x"\n[tool.zflow]\noutput = "o"\n[tool.zflow.stages.draft]\noptions = { steps = 1 }\n'
    assert line_of(text, ("tool", "zflow", "output")) == 4
    assert line_of(text, ("tool", "zflow", "stages", "draft", "options", "steps")) == 6


def test_a_table_reads_defaults_and_refuses_unknown_keys_and_wrong_values():
    table = Table({"steps": 3}, "stages.draft.options", "zflow.toml", TOML)
    settings = {"steps": Setting(int, 4, low=1), "guidance": Setting(float, 1.0, low=0)}
    assert table.read(settings) == {"steps": 3, "guidance": 1.0}
    for values, message in [
        ({"steps": "x"}, 'zflow.toml:5: [stages.draft.options] steps: must be an integer, got "x"'),
        ({"steps": True}, "zflow.toml:5: [stages.draft.options] steps: must be an integer, got true"),
        ({"steps": 0}, "zflow.toml:5: [stages.draft.options] steps: must be at least 1, got 0"),
        ({"guidance": -1}, "zflow.toml:5: [stages.draft.options] guidance: must be at least 0, got -1"),
        ({"stepz": 1}, "zflow.toml:5: [stages.draft.options] stepz: unknown setting (known: guidance, steps)"),
    ]:
        with pytest.raises(SettingError) as caught:
            Table(values, "stages.draft.options", "zflow.toml", TOML).read(settings)
        assert str(caught.value) == message and caught.value.exit_code == 2


def config_error(tmp_path, text: str) -> str:
    (tmp_path / "zflow.toml").write_text(text)
    with pytest.raises(SettingError) as caught:
        load_config(tmp_path)
    return str(caught.value).removeprefix(f"{tmp_path / 'zflow.toml'}:")


@pytest.mark.parametrize("text, message", [
    ('output = "out"\noutptu = "x"\n', "2: outptu: unknown setting (known: base_pixels, batch_size, budget, "
                                       "direct_max_side, executor, executors, limits, max_loaded_models, output, "
                                       "picks, prices, recipes, schedule, stages)"),
    ('direct_max_side = 8192\n', "1: direct_max_side: must be from 16 to 4096, got 8192"),
    ('batch_size = 0\n', "1: batch_size: must be at least 1, got 0"),
    ('budget = "five"\n', '1: budget: must be a number, got "five"'),
    ('budget = -1\n', "1: budget: must be at least 0, got -1"),
    ('[prices]\n"gemini-3-pro-image" = "cheap"\n', '2: [prices] gemini-3-pro-image: must be dollars per image: a '
                                                   'number, or a table of them by image size such as {"1K" = 0.134, '
                                                   '"4K" = 0.24}, got "cheap"'),
    ('[prices]\n"gemini-3-pro-image" = { "1K" = -0.1 }\n',
     "2: [prices.gemini-3-pro-image] 1K: must be at least 0, got -0.1"),
    ('[stages.sketch]\nbackend = "preview"\n', "1: [stages] sketch: unknown stage (stages: layout, draft, refine, edit, "
                                             "upscale, train, control)"),
    ('[stages.draft]\nbackend = "preview"\nmodle = "x"\n',
     "3: [stages.draft] modle: unknown setting (known: backend, loras, model, options, revision)"),
    ('[stages.draft]\noptions = "fast"\n', '2: [stages.draft] options: must be a table, got "fast"'),
])
def test_core_settings_errors_name_the_line_table_and_key(tmp_path, text, message):
    assert config_error(tmp_path, text) == message


def test_budget_and_prices_are_read_into_the_config(tmp_path):
    (tmp_path / "zflow.toml").write_text(TOML)
    config = load_config(tmp_path)
    assert config.extra == {"budget": 5.0, "prices": {"gemini-3-pro-image": {"1K": 0.134, "4K": 0.24}}}


def test_plugin_tables_report_the_line_they_were_read_from(tmp_path):
    (tmp_path / "zflow.toml").write_text('[stages.draft]\nbackend = "zimage"\noptions = { steps = "x" }\n\n'
                                         '[stages.refine]\nbackend = "nanobanana"\noptions = { rpm = -5 }\n'
                                         '[executors.ray]\nactors = 2\ntask_timeout = 0\n[schedule]\nretries = "3"\n')
    config = load_config(tmp_path)
    source = str(tmp_path / "zflow.toml")
    with pytest.raises(SettingError, match=rf'^{source}:3: \[stages.draft.options\] steps: must be an integer, '
                                           r'got "x"$'):
        zimage.read(config.stages["draft"].options, "m", "draft", "draft")
    with pytest.raises(SettingError, match=rf"^{source}:7: \[stages.refine.options\] rpm: must be at least 0, "
                                           r"got -5$"):
        nanobanana.read(config.stages["refine"].options)
    with pytest.raises(SettingError, match=rf"^{source}:10: \[executors.ray\] task_timeout: must be above 0, got 0$"):
        parse_options(config.executors["ray"])
    from zflow.schedule.settings import read_settings

    with pytest.raises(SettingError, match=rf'^{source}:12: \[schedule\] retries: must be an integer, got "3"$'):
        read_settings(config.extra["schedule"])


def test_a_plain_dict_handed_to_a_plugin_names_the_table_and_key_only():
    assert parse_options({"actors": 2, "task_timeout": 5}) == RayOptions(actors=2, task_timeout=5.0)
    with pytest.raises(SettingError, match=r"^\[executors.ray\] actor: unknown setting \(known: "):
        parse_options({"actor": 1})
    with pytest.raises(SettingError, match=r"^\[stages.<stage>.options\] api_key: the nanobanana backend never reads"):
        nanobanana.read({"api_key": "x"})
    assert located({"a": 1}, "t").read({"a": Setting(int), "b": Setting(str, "z")}) == {"a": 1, "b": "z"}


@pytest.mark.e2e
def test_a_bad_backend_option_stops_the_build_with_file_and_line(project):
    project.write("recipes/r.py", 'from zflow import Series\ns = Series("s", size="64x64", drafts=1)\n'
                                  's.scene("a", action="x")\n')
    project.write("weights/model_index.json", '{"_class_name": "ZImagePipeline"}')  # found, never loaded
    project.write("zflow.toml", 'base_pixels = 4096\n\n[stages.draft]\nbackend = "zimage"\nmodel = "weights"\n'
                                'options = { steps = "x" }\n')
    result = project.build()
    assert result.code == 2, result.stderr
    assert 'zflow.toml:6: [stages.draft.options] steps: must be an integer, got "x"' in result.stderr
    assert result.events[-1]["kind"] == "SettingError"
