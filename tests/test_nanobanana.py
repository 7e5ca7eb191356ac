"""The nanobanana backend against a fake Gemini API on 127.0.0.1: requests, references, retries, limits, failures."""
from __future__ import annotations

import io
import logging
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from helpers.gemini import KEY, MODEL_VERSION, FakeGemini
from zflow.contracts import Artifact, ModelRef, Output, Request, Task
from zflow.contracts.settings import SettingError
from zflow.errors import PluginError, TaskError
from zflow_nanobanana import NanoBananaBackend
from zflow_nanobanana.models import KNOWN
from zflow_nanobanana.sizing import choose

pytestmark = [pytest.mark.slow]

MINA = {"name": "mina", "looks": "barista, short black bob, round glasses"}
JUN = {"name": "jun", "looks": "grey hoodie, messy hair"}


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_ENTERPRISE", "GOOGLE_GEMINI_BASE_URL",
                 "GOOGLE_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", KEY)


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    server = FakeGemini()
    yield server
    server.close()


def model(fake: FakeGemini, **options: Any) -> ModelRef:
    return ModelRef("nanobanana", "gemini-3-pro-image",
                    options={"base_url": fake.url, "rpm": 0, "backoff": 0.01, "retries": 2, "timeout": 10} | options)


def request(ref: ModelRef, kind: str, params: dict[str, Any], inputs: tuple[Artifact, ...] = (),
            name: str = "s/a/x") -> Request:
    return Request(Task(name, kind, params), key="k", model=ref, inputs=inputs)


def run(ref: ModelRef, *requests: Request) -> list[Output | BaseException]:
    backend = NanoBananaBackend()
    handle = backend.load(ref)
    try:
        return backend.run(handle, list(requests))
    finally:
        backend.release(handle)


def image_file(tmp_path: Path, name: str, color: tuple[int, int, int], size: tuple[int, int] = (48, 64)) -> Artifact:
    path = tmp_path / f"{name}.png"
    Image.new("RGB", size, color).save(path)
    return Artifact(task_id=name, key=name, files={"image.png": path}, meta={"title": "Opening"})


def draft_params(**changes: Any) -> dict[str, Any]:
    return {"prompt": "mina pours coffee in a cozy cafe", "negative": "blurry", "size": [300, 400], "seed": 7,
            "index": 1, "cast": [MINA, JUN], "title": "Opening", "style": "warm film"} | changes


def pixels(output: Output) -> Image.Image:
    return Image.open(io.BytesIO(output.files["image.png"]))


def test_text_to_image_asks_the_nearest_ratio_and_size_and_fits_the_answer_exactly(fake: FakeGemini) -> None:
    [out] = run(model(fake), request(model(fake), "draft", draft_params(cast=[])))
    assert isinstance(out, Output), out
    [call] = fake.calls
    assert call.path == "/v1beta/models/gemini-3-pro-image:generateContent"
    assert call.image_config == {"aspectRatio": "3:4", "imageSize": "1K"}
    assert call.generation["responseModalities"] == ["IMAGE"] and call.generation["seed"] == 7
    assert "mina pours coffee" in call.text and "Avoid: blurry" in call.text and call.images == []
    assert pixels(out).size == (300, 400)
    assert out.meta["model"] == "gemini-3-pro-image" and out.meta["model_version"] == MODEL_VERSION
    assert out.meta["size_mapping"] == {"aspect_ratio": "3:4", "image_size": "1K", "received": [96, 128],
                                        "fitted": [300, 400]}


def test_refine_sends_the_picked_draft_then_the_cast_sheets(fake: FakeGemini, tmp_path: Path) -> None:
    draft = image_file(tmp_path, "draft-2", (200, 30, 40))
    sheet = Artifact("characters/mina/sheet", "s", {"image.png": image_file(tmp_path, "m", (9, 9, 9)).main}, {})
    params = {"prompt": "mina pours coffee", "negative": "", "size": [600, 800], "seed": 7, "strength": 0.4,
              "mode": "img2img"}
    [out] = run(model(fake), request(model(fake), "refine", params, (draft, sheet)))
    assert isinstance(out, Output), out
    [(mime, data), (_, sent)] = fake.calls[0].images
    assert mime == "image/png" and data == draft.main.read_bytes() and sent == sheet.main.read_bytes()
    assert "40%" in fake.calls[0].text and "Image 2 is the character sheet of mina" in fake.calls[0].text
    assert out.meta["references"] == ["the draft to refine", "character sheet of mina"]
    assert pixels(out).size == (600, 800) and out.meta["strength"] == 0.4 and out.meta["title"] == "Opening"


def test_draft_sends_the_cast_sheets_as_reference_images(fake: FakeGemini, tmp_path: Path) -> None:
    sheets = (image_file(tmp_path, "characters/mina/sheet".replace("/", "-"), (250, 0, 0)),
              image_file(tmp_path, "jun-sheet", (0, 250, 0)))
    [out] = run(model(fake), request(model(fake), "draft", draft_params(), sheets))
    assert isinstance(out, Output), out
    sent = [Image.open(io.BytesIO(data)).convert("RGB").getpixel((0, 0)) for _, data in fake.calls[0].images]
    assert sent == [(250, 0, 0), (0, 250, 0)]
    assert "Image 1 is the character sheet of mina" in fake.calls[0].text
    assert "Image 2 is the character sheet of jun" in fake.calls[0].text
    assert out.meta["references"] == ["character sheet of mina", "character sheet of jun"]


def test_edit_sends_the_source_then_the_sheets_with_the_instruction(fake: FakeGemini, tmp_path: Path) -> None:
    source = image_file(tmp_path, "refine", (10, 10, 10), (60, 80))
    sheet = Artifact("characters/mina/sheet", "s", {"image.png": image_file(tmp_path, "m", (9, 9, 9)).main}, {})
    params = {"op": "background", "prompt": "a rainy street", "scene_prompt": "mina at work", "negative": "",
              "size": [300, 400], "seed": 3}
    [out] = run(model(fake), request(model(fake), "edit", params, (source, sheet)))
    assert isinstance(out, Output), out
    assert [data for _, data in fake.calls[0].images] == [source.main.read_bytes(), sheet.main.read_bytes()]
    assert "replace the background with a rainy street" in fake.calls[0].text
    assert "Image 2 is the character sheet of mina" in fake.calls[0].text


def test_more_images_than_the_model_takes_fail_naming_the_limit(fake: FakeGemini, tmp_path: Path) -> None:
    sheets = tuple(image_file(tmp_path, f"sheet-{i}", (i, i, i)) for i in range(3))
    [out] = run(model(fake, max_images=2), request(model(fake, max_images=2), "draft", draft_params(), sheets))
    assert isinstance(out, TaskError) and "at most 2" in str(out) and "options.max_images" in str(out)
    assert fake.calls == []


def test_rate_limited_call_is_retried_and_then_succeeds_without_logging_the_key(
        fake: FakeGemini, caplog: pytest.LogCaptureFixture) -> None:
    fake.script = ["429", "503"]
    with caplog.at_level(logging.DEBUG):
        [out] = run(model(fake), request(model(fake), "sheet", draft_params()))
    assert isinstance(out, Output), out
    assert len(fake.calls) == 3 and out.meta["attempts"] == 3
    assert "retrying" in caplog.text and KEY not in caplog.text


def test_retry_waits_as_long_as_the_server_asks(fake: FakeGemini) -> None:
    fake.script, fake.retry_delay = ["429"], "0.3s"
    [out] = run(model(fake), request(model(fake), "sheet", draft_params()))
    assert isinstance(out, Output), out
    first, second = (call.at for call in fake.calls)
    assert second - first >= 0.3


def test_retries_give_up_after_the_configured_number(fake: FakeGemini) -> None:
    fake.script = ["429"] * 5
    [out] = run(model(fake, retries=1), request(model(fake, retries=1), "sheet", draft_params()))
    assert isinstance(out, TaskError) and "429" in str(out) and "options.retries" in str(out)
    assert len(fake.calls) == 2


def test_blocked_image_fails_only_its_own_task_with_the_reason(fake: FakeGemini) -> None:
    fake.choose = lambda call: "safety" if "forbidden" in call.text else None
    ref = model(fake)
    blocked, fine = run(ref, request(ref, "draft", draft_params(prompt="a forbidden scene"), name="s/a/draft-1"),
                        request(ref, "draft", draft_params(), name="s/a/draft-2"))
    assert isinstance(blocked, TaskError) and "IMAGE_SAFETY" in str(blocked) and "s/a/draft-1" in str(blocked)
    assert isinstance(fine, Output)


def test_call_without_answer_times_out_naming_the_setting(fake: FakeGemini) -> None:
    fake.script = ["stall"]
    ref = model(fake, timeout=0.5, retries=0)
    [out] = run(ref, request(ref, "sheet", draft_params()))
    assert isinstance(out, TaskError) and "options.timeout" in str(out) and fake.url in str(out)


def test_unreachable_endpoint_is_an_error_naming_the_base_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ref = ModelRef("nanobanana", "gemini-3-pro-image", options={"base_url": f"http://127.0.0.1:{port}", "retries": 0})
    [out] = run(ref, request(ref, "sheet", draft_params()))
    assert isinstance(out, TaskError) and "options.base_url" in str(out) and str(port) in str(out)


def test_missing_key_is_an_error_naming_the_environment_variables(fake: FakeGemini,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY")
    with pytest.raises(PluginError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        NanoBananaBackend().load(model(fake))


def test_key_in_the_options_is_refused(fake: FakeGemini) -> None:
    with pytest.raises(SettingError, match=r"\] api_key: the nanobanana backend never reads the API key"):
        NanoBananaBackend().identity(model(fake, api_key="x"))


def test_calls_are_spaced_by_the_requests_per_minute_limit(fake: FakeGemini) -> None:
    ref = model(fake, rpm=120, concurrency=4)
    results = run(ref, *(request(ref, "sheet", draft_params(), name=f"s/a/{i}") for i in range(4)))
    assert all(isinstance(r, Output) for r in results), results
    times = sorted(call.at for call in fake.calls)
    assert len(times) == 4
    # Sent 60 s / 120 = 0.5 s apart, so 4 calls span at least 1.5 s (less the arrival jitter of a busy machine);
    # without the limit all 4 go out at once.
    assert times[-1] - times[0] >= 1.2


def test_scene_sizes_map_to_the_nearest_supported_ratio_and_smallest_covering_size() -> None:
    pro = KNOWN["gemini-3-pro-image"]
    assert (choose((1920, 1080), pro).aspect_ratio, choose((1920, 1080), pro).image_size) == ("16:9", "2K")
    assert (choose((1080, 1350), pro).aspect_ratio, choose((1080, 1350), pro).image_size) == ("4:5", "2K")
    assert choose((3000, 3000), pro).image_size == "4K" and choose((9000, 9000), pro).image_size == "4K"
    assert choose((800, 100), pro).aspect_ratio == "21:9"
    assert choose((800, 100), KNOWN["gemini-nano-banana-2.1"]).aspect_ratio == "8:1"


def test_importing_the_plugin_does_not_import_the_sdk() -> None:
    code = "import sys, zflow_nanobanana; assert 'google.genai' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rejected_key_is_an_error_naming_where_the_key_comes_from(fake: FakeGemini,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "a-wrong-key")
    [out] = run(model(fake), request(model(fake), "sheet", draft_params()))
    assert isinstance(out, TaskError) and "API key not valid" in str(out) and "GEMINI_API_KEY" in str(out)
    assert len(fake.calls) == 1
