"""Pose, HED and MLSD maps from a photograph through controlnet-aux's real detectors, with random-weight files of
the real formats in an annotators folder, through the `zflow` command: the maps, their keys following the weight
files, a corrupt file and depth without timm named; controlnet-aux imported without torchvision."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from helpers.annotators import ENV, setup, write_detector
from helpers.layouts import built, key_of, pixels

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DETECTOR = {"pose": "OpenposeDetector", "hed": "HEDdetector", "mlsd": "MLSDdetector"}


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """One annotators folder with random pose, HED and MLSD weights for the module's builds."""
    folder = tmp_path_factory.mktemp("annotators")
    for kind in DETECTOR:
        write_detector(kind, folder)
    return folder


@pytest.mark.parametrize("kind", sorted(DETECTOR))
def test_a_detector_map_from_a_photograph_is_rgb_at_the_scene_size(project, weights, kind):
    setup(project, kind, weights)
    result = project.build(env=ENV)
    assert result.code == 0, result.stderr
    assert pixels(project.root / f"out/s/a/control-{kind}.png").shape == (64, 96, 3)
    meta, _ = built(project.root, f"s/a/control-{kind}")
    assert meta["model"] == f"controlnet-aux {DETECTOR[kind]}" and meta["role"] == "control"
    loads = [e["model"] for e in result.events if e["event"] == "model-load" and e["backend"] == "control"]
    assert DETECTOR[kind] in loads


def test_a_new_detector_file_rebuilds_only_the_maps_it_makes(project):
    setup(project, "hed", "weights")
    write_detector("hed", project.root / "weights", seed=0)
    assert project.build(env=ENV).code == 0
    hed, canny = key_of(project.root, "s/a/control-hed"), key_of(project.root, "s/b/control-canny")
    before = pixels(project.root / "out/s/a/control-hed.png")
    write_detector("hed", project.root / "weights", seed=1)
    result = project.build(env=ENV)
    assert result.code == 0, result.stderr
    assert (pixels(project.root / "out/s/a/control-hed.png") != before).any()  # the new weights drew it
    assert key_of(project.root, "s/a/control-hed") != hed and "s/a/control-hed" in result.ids("task-done")
    assert key_of(project.root, "s/b/control-canny") == canny and "s/b/control-canny" not in result.ids("task-done")


def failed_map(project, kind: str, file: str) -> dict:
    """The one failure of a build whose annotators folder holds only ``file``, of bytes that are no weights; the
    Canny map beside it is made."""
    setup(project, kind, "weights")
    (project.root / "weights").mkdir()
    (project.root / "weights" / file).write_bytes(b"not a torch file")
    result = project.build(env=ENV)
    assert result.code == 1 and "s/b/control-canny" in result.ids("task-done")
    [failed] = [e for e in result.events if e["event"] == "task-failed"]
    assert failed["id"] == f"s/a/control-{kind}"
    return failed


def test_a_corrupt_detector_file_fails_its_map_naming_the_file(project):
    failed = failed_map(project, "hed", "ControlNetHED.pth")
    assert f"hed detector weights {project.root / 'weights/ControlNetHED.pth'}: not HEDdetector weights" \
        in failed["error"]


@pytest.mark.skipif(importlib.util.find_spec("timm") is not None, reason="timm is installed: MiDaS can import")
def test_depth_without_timm_names_what_to_install(project):
    failed = failed_map(project, "depth", "dpt_hybrid-midas-501f0c75.pt")
    assert "MissingDetector" in failed["error"] and "MidasDetector" in failed["error"]
    assert "needs timm and a torchvision build matching torch" in failed["error"]
    assert "pip install timm torchvision" in failed["error"]


def test_detectors_import_without_torchvision_and_leave_no_stand_in_behind():
    code = ("import sys\nfrom zflow_control.annotators import detector_module\n"
            "mods = [detector_module(k) for k in ('pose', 'hed', 'mlsd')]\n"
            "print([m.__name__ for m in mods])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torchvision', 'controlnet_aux')\n"
            "             and m.count('.') < 1))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [
        "['controlnet_aux.open_pose', 'controlnet_aux.hed', 'controlnet_aux.mlsd']", "[]"]
