"""Prompt encodings: a prompt goes through the text encoder once, is kept in the project's store, and a rebuild that
changes only seeds or steps never runs the text encoder; images made from kept encodings are the same bytes."""
from __future__ import annotations

import pytest

from helpers.ci import need_torch
from helpers.zimage import model_ref, offline_one_thread, request, tiny_zimage  # noqa: F401

need_torch()

from zflow_zimage import batching, encodings  # noqa: E402
from zflow_zimage.backend import ZImageBackend  # noqa: E402
from zflow_zimage.cache import PipelineCache  # noqa: E402

pytestmark = [pytest.mark.zimage, pytest.mark.slow]

PROMPT = "mina pours coffee in a small cafe, warm film photo"


class Process:
    """A backend as a fresh process has it: its own pipeline cache (a real from_pretrained) and no encodings in
    memory; ``encoder_runs`` counts the text encoder's forward passes."""

    def __init__(self, folder, **options):
        encodings._MEMORY.clear()
        self.backend = ZImageBackend(PipelineCache())
        self.handle = self.backend.load(model_ref(folder, **options))
        self.encoder_runs = 0

    def run(self, root, kind: str, params: list[dict]):
        reqs = [request(kind, p, model=self.handle.model, root=root, task_id=f"s/{kind}-{i}")
                for i, p in enumerate(params)]
        if not self.backend.cache._entries:  # load now, to hook the text encoder before it runs
            entry = self.backend._entry(self.handle, "draft", root)
            entry.pipe.text_encoder.register_forward_hook(lambda *_: setattr(self, "encoder_runs",
                                                                                self.encoder_runs + 1))
        outs = self.backend.run(self.handle, reqs)
        assert not [o for o in outs if isinstance(o, BaseException)], outs
        return outs


@pytest.fixture
def root(tmp_path):
    (tmp_path / ".zflow").mkdir()
    return tmp_path


def test_a_scenes_drafts_share_one_encoding_and_a_seeds_only_rebuild_never_runs_the_text_encoder(tiny_zimage, root):
    first = Process(tiny_zimage)
    drafts = first.run(root, "draft", [{"prompt": PROMPT, "seed": s} for s in (1, 2, 3, 4)])
    assert first.encoder_runs == 1  # four drafts, one prompt, guidance 0: one encoding
    kept = list((root / ".zflow" / "zimage-prompts").glob("*.safetensors"))
    assert len(kept) == 1

    rebuilt = Process(tiny_zimage, steps=3)  # a new process, other steps, other seeds
    rebuilt.run(root, "draft", [{"prompt": PROMPT, "seed": s} for s in (5, 6)])
    assert rebuilt.encoder_runs == 0
    again = rebuilt.run(root, "draft", [{"prompt": PROMPT, "seed": 1, "steps": 2}])
    assert again[0].files == drafts[0].files  # made from the kept encoding: the same bytes
    rebuilt.run(root, "draft", [{"prompt": PROMPT + ", at night", "seed": 1}])
    assert rebuilt.encoder_runs == 1  # a changed prompt is encoded, once


def test_with_guidance_the_negative_is_encoded_once_too(tiny_zimage, root):
    process = Process(tiny_zimage, guidance=4.0, negative="blurry, low quality")
    process.run(root, "draft", [{"prompt": PROMPT, "seed": s, "negative": "blurry"} for s in (1, 2, 3)])
    assert process.encoder_runs == 2  # the prompt and the negative
    assert len(list((root / ".zflow" / "zimage-prompts").glob("*.safetensors"))) == 2


def test_images_from_encodings_equal_those_of_the_pipeline_encoding_its_own_prompts(tiny_zimage, root, monkeypatch):
    params = [{"prompt": PROMPT, "seed": 7, "negative": "blurry"}]
    for guidance in (0.0, 4.0):
        process = Process(tiny_zimage, guidance=guidance)
        ours = process.run(root, "draft", params)
        with monkeypatch.context() as patch:
            patch.setattr(batching, "serves", lambda pipe: False)
            own = process.run(root, "draft", params)
        assert ours[0].files == own[0].files


def test_encodings_are_kept_per_model_and_settings(tiny_zimage, root):
    Process(tiny_zimage).run(root, "draft", [{"prompt": PROMPT}])
    other = Process(tiny_zimage, max_sequence_length=64)
    other.run(root, "draft", [{"prompt": PROMPT}])
    assert other.encoder_runs == 1
    assert len(list((root / ".zflow" / "zimage-prompts").glob("*.safetensors"))) == 2


def test_no_store_folder_keeps_encodings_in_memory_only(tiny_zimage, tmp_path):
    process = Process(tiny_zimage)
    process.run(tmp_path, "draft", [{"prompt": PROMPT, "seed": s} for s in (1, 2)])
    assert process.encoder_runs == 1 and not (tmp_path / ".zflow").exists()
