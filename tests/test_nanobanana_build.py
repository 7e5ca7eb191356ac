"""A recipe built through `zflow build` with its draft stage on nanobanana (a fake Gemini API on 127.0.0.1), and the
estimated cost and budget cap of `zflow plan` / `zflow build`."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from helpers.gemini import KEY, FakeGemini

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ZFLOW = str(Path(sys.executable).with_name("zflow"))
RECIPE = '''
from zflow import Character, Series

mina = Character("mina", looks="25-year-old barista, short black bob, round glasses")
cafe = Series("cafe", seed=7, prompt="{{ cast }} pours coffee in a cozy cafe")
cafe.scene("ep01/opening", cast=[mina], size="3:4", drafts=2)
'''


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    server = FakeGemini()
    yield server
    server.close()


def project(tmp_path: Path, fake: FakeGemini, extra: str = "") -> Path:
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "cafe.py").write_text(RECIPE, encoding="utf-8")
    (tmp_path / "zflow.toml").write_text(f'''{extra}
[stages.draft]
backend = "nanobanana"
model = "gemini-3-pro-image"
options = {{ base_url = "{fake.url}", rpm = 0, retries = 1, backoff = 0.01, timeout = 20 }}
''', encoding="utf-8")
    return tmp_path


def zflow(root: Path, *args: str, key: str | None = KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_GENAI_USE_VERTEXAI")}
    if key is not None:
        env["GEMINI_API_KEY"] = key
    return subprocess.run([ZFLOW, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_recipe_builds_with_its_draft_stage_on_nanobanana_and_the_key_is_written_nowhere(
        tmp_path: Path, fake: FakeGemini) -> None:
    root = project(tmp_path, fake)
    done = zflow(root, "build", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert KEY not in done.stdout + done.stderr
    sheet_calls = [c for c in fake.calls if not c.images]
    draft_calls = [c for c in fake.calls if c.images]
    assert len(sheet_calls) == 1 and len(draft_calls) == 2
    sheet = next(p for p in (root / "out").rglob("*.png") if "characters" in p.parts)
    for call in draft_calls:
        [(mime, data)] = call.images
        assert Image.open(io.BytesIO(data)).tobytes() == Image.open(sheet).tobytes()
        assert "character sheet of mina" in call.text
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["failed"] == 0 and summary["ran"] >= 3
    for path in root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    again = zflow(root, "build", "--json")
    assert json.loads(again.stdout.splitlines()[-1])["ran"] == 0 and len(fake.calls) == 3


def test_plan_shows_the_estimated_cost_of_stale_tasks_on_priced_models(tmp_path: Path, fake: FakeGemini) -> None:
    root = project(tmp_path, fake)
    shown = zflow(root, "plan")
    assert shown.returncode == 0, shown.stderr
    assert "estimated cost: $0.40 for 3 tasks on priced models" in shown.stdout  # 3 Pro images at $0.134
    (root / "zflow.toml").write_text('[prices]\n"gemini-3-pro-image" = 0.5\n' +
                                     (root / "zflow.toml").read_text(encoding="utf-8"), encoding="utf-8")
    priced = json.loads(zflow(root, "plan", "--json").stdout)["cost"]
    assert priced == {"total": 1.5, "priced": 3, "unpriced": 0, "budget": None}
    assert fake.calls == []


def test_budget_stops_a_build_that_would_exceed_it_before_anything_runs(tmp_path: Path, fake: FakeGemini) -> None:
    root = project(tmp_path, fake, "budget = 0.25")
    done = zflow(root, "build")
    assert done.returncode == 2
    assert "budget" in done.stderr and "$0.40" in done.stderr and "$0.25" in done.stderr
    assert fake.calls == []


def test_missing_key_fails_the_tasks_naming_the_environment_variable(tmp_path: Path, fake: FakeGemini) -> None:
    done = zflow(project(tmp_path, fake), "build", key=None)
    assert done.returncode == 1
    assert "GEMINI_API_KEY" in done.stdout + done.stderr
    assert fake.calls == []


def test_endpoint_and_limit_options_do_not_make_built_tasks_stale(tmp_path: Path, fake: FakeGemini) -> None:
    root = project(tmp_path, fake)
    assert zflow(root, "build").returncode == 0
    config = root / "zflow.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("rpm = 0, retries = 1", "rpm = 30, retries = 3"),
                      encoding="utf-8")
    assert json.loads(zflow(root, "plan", "--json").stdout)["stale"] == 0
    config.write_text(config.read_text(encoding="utf-8").replace("rpm = 30", 'aspect_ratios = ["1:1"]'),
                      encoding="utf-8")
    assert json.loads(zflow(root, "plan", "--json").stdout)["stale"] == 5


def test_a_scenes_extra_reference_images_are_sent_with_the_character_sheets(tmp_path: Path, fake: FakeGemini) -> None:
    root = project(tmp_path, fake)
    (root / "refs").mkdir()
    Image.new("RGB", (40, 30), (10, 200, 90)).save(root / "refs/cup.png")
    recipe = root / "recipes" / "cafe.py"
    recipe.write_text(RECIPE.replace('drafts=2)', 'drafts=1, references=["../refs/cup.png"])'), encoding="utf-8")
    done = zflow(root, "build", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [draft] = [c for c in fake.calls if len(c.images) == 2]
    sent = Image.open(io.BytesIO(draft.images[1][1])).convert("RGB")
    assert sent.size == (40, 30) and sent.getpixel((5, 5)) == (10, 200, 90)
    assert "character sheet of mina" in draft.text and "reference image refs/cup.png" in draft.text
    Image.new("RGB", (40, 30), (200, 10, 90)).save(root / "refs/cup.png")
    again = zflow(root, "build", "--json")
    ran = {json.loads(line)["id"] for line in again.stdout.splitlines() if '"task-done"' in line}
    assert ran == {"references/refs-cup", "cafe/ep01/opening/draft-1", "cafe/ep01/opening/contact",
                   "cafe/ep01/opening/refine"}


def test_an_upscale_on_the_refine_stage_asks_gemini_for_its_4k_tier_and_fits_the_answer(tmp_path: Path,
                                                                                     fake: FakeGemini) -> None:
    """Nano Banana's own 4K upscale: the upscale stage takes the refine stage's model; "4K" is one tier for both."""
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "poster.py").write_text(
        'from zflow import Series, Upscale\n'
        's = Series("s", prompt="a lighthouse at dawn", size="64x48", drafts=1, refine=False,\n'
        '           upscale=Upscale(size="4K", strength=0.2))\n'
        's.scene("poster")\n', encoding="utf-8")
    (tmp_path / "zflow.toml").write_text(f'''base_pixels = 4096
[stages.refine]
backend = "nanobanana"
model = "gemini-3-pro-image"
options = {{ base_url = "{fake.url}", rpm = 0, retries = 1, backoff = 0.01, timeout = 20 }}
''', encoding="utf-8")
    done = zflow(tmp_path, "build", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [call] = fake.calls
    assert call.image_config == {"aspectRatio": "4:3", "imageSize": "4K"}
    [(_, sent)] = call.images
    with Image.open(tmp_path / "out/s/poster/draft-1.png") as draft:
        assert Image.open(io.BytesIO(sent)).tobytes() == draft.tobytes()
    assert "high resolution (4096x3072)" in call.text and "about 20%" in call.text
    with Image.open(tmp_path / "out/s/poster/upscale.png") as made:
        assert made.size == (4096, 3072)
