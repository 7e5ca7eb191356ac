"""LoRA adapters on the zimage backend, on the tiny random-weight Z-Image: a peft LoRA in diffusers' and in kohya's
key format loads and changes the image; weight 0 equals no LoRA; adapter sets never share a call and never leak into
a call without them; a LoRA that does not fit is an error naming the file, the model and the first key."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.ci import need_torch
from helpers.zimage import (model_ref, offline_one_thread, photo_artifact, pixels, request, stored,  # noqa: F401
                            tiny_sd, tiny_zimage)
from helpers.zimage_lora import make_lora, make_unet_lora, misfit_lora, to_kohya

need_torch()

from zflow_zimage import batching  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]


@pytest.fixture(scope="module")
def loras(tiny_zimage, tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    one = make_lora(tiny_zimage, root / "one", seed=1)
    two = make_lora(tiny_zimage, root / "two", seed=2)
    kohya = to_kohya(one, root / "one_kohya.safetensors")
    misfit = misfit_lora(root / "big.safetensors")
    return root, {name: path.relative_to(root).as_posix()
                  for name, path in (("one", one), ("two", two), ("kohya", kohya), ("misfit", misfit))}


def adapters(files, *pairs):
    return [{"lora": name, "weight": weight, "file": files[name]} for name, weight in pairs]


def run(backend, handle, root, *params_list, prompt="a cat"):
    reqs = [request("draft", {"prompt": prompt, "seed": 3, **params}, model=handle.model, root=root,
                    task_id=f"s/d{i}") for i, params in enumerate(params_list)]
    return backend.run(handle, reqs)


def test_a_lora_in_either_format_loads_and_changes_the_image_and_weight_0_is_no_lora(tiny_zimage, loras):
    root, files = loras
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage))
    plain, one, kohya, zero = run(backend, handle, root, {}, {"adapters": adapters(files, ("one", 1.0))},
                                  {"adapters": adapters(files, ("kohya", 1.0))},
                                  {"adapters": adapters(files, ("one", 0.0))})
    for out in (plain, one, kohya, zero):
        assert not isinstance(out, BaseException), out
    assert np.abs(pixels(one) - pixels(plain)).max() > 20  # the LoRA changes the image
    assert np.abs(pixels(kohya) - pixels(one)).max() <= 1  # the kohya keys are converted to the same adapter
    assert np.array_equal(pixels(zero), pixels(plain))  # weight 0: no change at all
    assert one.meta["adapters"] == [{"lora": "one", "weight": 1.0}]


def test_adapter_sets_never_share_a_call_and_never_leak(tiny_zimage, loras, monkeypatch):
    root, files = loras
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage, batch_size=8, exact_batches=False))
    before = run(backend, handle, root, {}, {}, {})  # one call of three, before any LoRA was loaded
    calls = []
    real = batching.invoke

    def watch(pipe, kwargs):
        loaded = pipe.get_list_adapters().get("transformer", [])  # diffusers' own view of the pipeline's LoRAs
        calls.append((len(kwargs["generator"]), tuple(pipe.get_active_adapters()) if loaded else ()))
        return real(pipe, kwargs)

    monkeypatch.setattr(batching, "invoke", watch)
    one, both = {"adapters": adapters(files, ("one", 1.0))}, {"adapters": adapters(files, ("one", 1.0), ("two", 0.5))}
    half = {"adapters": adapters(files, ("one", 0.5))}
    sets = [{}, one, both, {}, one, half, {}]
    outs = run(backend, handle, root, *sets)
    assert all(not isinstance(o, BaseException) for o in outs), outs
    # One call per distinct set (batch_size 8 would take all seven): three plain, two "one", "both", "half".
    assert sorted(n for n, _ in calls) == [1, 1, 2, 3]
    [(_, pair)] = [(n, names) for n, names in calls if len(names) == 2]
    singles = [names for n, names in calls if len(names) == 1]
    assert len(singles) == 2 and len(set(singles)) == 1 and set(singles[0]) < set(pair)  # "one" reweighted, reused
    for plain, earlier in zip((outs[0], outs[3], outs[6]), before):  # nothing leaks into a call without adapters
        assert np.array_equal(pixels(plain), pixels(earlier))
    assert np.array_equal(pixels(outs[1]), pixels(outs[4]))
    assert len({pixels(outs[i]).tobytes() for i in (0, 1, 2, 5)}) == 4  # each set and weight makes its own image
    fresh = ZImageBackend(PipelineCache())
    (alone,) = run(fresh, fresh.load(handle.model), root, half)  # a set's image is the same whatever ran before
    assert np.array_equal(pixels(outs[5]), pixels(alone))


def test_a_lora_that_does_not_fit_names_the_file_the_model_and_the_first_key(tiny_zimage, loras):
    root, files = loras
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage))
    bad, good = run(backend, handle, root, {"adapters": adapters(files, ("misfit", 1.0))}, {})
    assert isinstance(bad, Exception) and not isinstance(good, Exception)
    message = str(bad)
    assert "big.safetensors" in message and str(tiny_zimage) in message
    assert "layers.0.attention.to_q.lora_A.weight" in message and "takes 32 in" in message and "48 in" in message


def test_refine_and_edit_calls_apply_adapters_loaded_by_a_draft_call(tiny_zimage, loras, tmp_path):
    root, files = loras
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage))
    one = {"adapters": adapters(files, ("one", 1.0))}
    [draft] = run(backend, handle, root, one)  # loads "one" through the text-to-image pipeline
    photo = photo_artifact(tmp_path)
    made = {}
    for name, kind, params in (("refine", "refine", {"strength": 0.6}), ("inpaint", "edit",
                                                                          {"op": "inpaint", "region": "face",
                                                                           "prompt": "a smile"})):
        with_lora, without = backend.run(handle, [
            request(kind, {**params, **one}, (photo,), model=handle.model, root=root, task_id=f"s/{name}-lora"),
            request(kind, params, (photo,), model=handle.model, root=root, task_id=f"s/{name}")])
        assert not isinstance(with_lora, BaseException), with_lora
        assert np.abs(pixels(with_lora) - pixels(without)).max() > 0
        made[name] = with_lora
    assert made["refine"].meta["adapters"] == [{"lora": "one", "weight": 1.0}]


def test_other_diffusers_models_take_loras_the_same_way(tiny_sd, tmp_path):
    lora = make_unet_lora(tiny_sd, tmp_path / "sd")
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_sd))
    entry = [{"lora": "sd", "weight": 1.0, "file": lora.relative_to(tmp_path).as_posix()}]
    [plain], [adapted], [plain_again] = (run(backend, handle, tmp_path, p) for p in ({}, {"adapters": entry}, {}))
    assert not isinstance(adapted, BaseException), adapted
    assert np.abs(pixels(adapted) - pixels(plain)).max() > 0
    assert np.array_equal(pixels(plain_again), pixels(plain))


LORA_RECIPE = '''\
from zflow import Character, Lora, Series
nabi = Character("nabi", looks="a grey cat", lora=Lora("nabi.safetensors", weight=1.0), trigger="nabi_cat")
mina = Character("mina", looks="barista")
s = Series("s", prompt="{{ cast }} {{ action }}", size="64x64", drafts=1, refine=False)
s.scene("cat", cast=[nabi], action="naps")
s.scene("barista", cast=[mina], action="naps")
'''


def test_a_recipe_with_a_character_lora_builds_on_zimage_and_a_new_lora_file_rebuilds_its_scenes(project, tiny_zimage,
                                                                                                 tmp_path):
    one, two = make_lora(tiny_zimage, tmp_path / "one", seed=1), make_lora(tiny_zimage, tmp_path / "two", seed=2)
    project.write("zflow.toml", 'output = "out"\nbase_pixels = 4096\n[stages.draft]\nbackend = "zimage"\n'
                                f'model = "{tiny_zimage}"\noptions = {{ steps = 2 }}\n')
    (project.root / "recipes").mkdir(parents=True)
    (project.root / "recipes/nabi.safetensors").write_bytes(one.read_bytes())
    project.write("recipes/r.py", LORA_RECIPE)
    env = {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    first = project.build(env=env)
    assert first.code == 0 and first.summary["failed"] == 0, first.stderr
    image = project.root / "out/s/cat/draft-1.png"
    made = image.read_bytes()
    from PIL import Image

    with Image.open(image) as png:
        assert '"adapters": [{"lora": "nabi", "weight": 1.0}]' in png.info["zflow"]
        assert png.info["parameters"].startswith("nabi_cat nabi (a grey cat) naps")
    (project.root / "recipes/nabi.safetensors").write_bytes(two.read_bytes())
    again = project.build(env=env)
    assert again.code == 0, again.stderr
    assert again.ids("task-done") == {t for t in first.ids("task-done") if t.startswith(("s/cat/", "characters/nabi/"))}
    assert image.read_bytes() != made


def test_a_hub_lora_that_cannot_be_fetched_names_the_repository_and_the_model(tiny_zimage, tmp_path):
    backend = ZImageBackend(PipelineCache())
    handle = backend.load(model_ref(tiny_zimage))
    hub = [{"lora": "style", "weight": 0.8, "hub": "someone/no-such-lora", "weight_name": "s.safetensors",
            "revision": None}]
    [failed] = run(backend, handle, tmp_path, {"adapters": hub})
    assert isinstance(failed, Exception)
    assert "someone/no-such-lora" in str(failed) and str(tiny_zimage) in str(failed)
