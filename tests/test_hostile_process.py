"""The zflow process under hostile conditions: a recipe that leaves a thread running, a reader that closes the pipe,
a full disk and a read-only output folder. Each ends with a documented exit code and a message, no traceback."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from helpers.project import BASIC_RECIPE, CONFIG, ZFLOW, ProjectDir

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_thread_the_recipe_left_running_does_not_keep_zflow_alive(basic):
    basic.write("recipes/basic.py", BASIC_RECIPE + "import threading, time\n"
                "threading.Thread(target=time.sleep, args=(3600,), name='recipe-sleeper').start()\n")
    started = time.monotonic()
    result = basic.zflow("build", "--json", timeout=120)
    assert time.monotonic() - started < 100
    assert result.code == 0 and result.summary["event"] == "summary" and result.summary["failed"] == 0
    assert "'recipe-sleeper'" in result.stderr and "not waiting for 1 thread" in result.stderr


def test_a_recipe_thread_does_not_change_zflows_exit_code(basic):
    basic.write("recipes/basic.py", BASIC_RECIPE + "import threading, time\n"
                "threading.Thread(target=time.sleep, args=(3600,), name='sleeper').start()\n"
                "s.scene('c', action='x', drafts=0)\n")
    result = basic.zflow("build", "--json", timeout=120)
    assert result.code == 2 and result.events[-1]["line"] == 10 and "'sleeper'" in result.stderr


def _many_scenes(project: ProjectDir) -> None:
    project.write("recipes/many.py", 'from zflow import Series\ns = Series("s", prompt="{{ a }}", size="32x32")\n'
                  'for n in range(600):\n    s.scene(f"scene-{n:04}", a=f"a scene number {n}")\n')


@pytest.mark.parametrize("command", [["graph"], ["graph", "--format", "dot"], ["plan", "--json"]])
def test_a_reader_that_closes_the_pipe_ends_zflow_quietly(project, command):
    _many_scenes(project)
    proc = subprocess.Popen([ZFLOW, *command], cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(100)
    proc.stdout.close()  # like `zflow graph | head -1`
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr


def _run(project: ProjectDir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ZFLOW, *args], cwd=project.root, capture_output=True, text=True, timeout=120)


def _mount(*args: str) -> bool:
    return os.geteuid() == 0 and subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _changed(project: ProjectDir) -> None:
    recipe = project.root / "recipes/basic.py"
    recipe.write_text(recipe.read_text().replace("pours coffee", "pours tea").replace("reads a book", "naps"))


def test_a_full_disk_is_exit_3_with_advice_and_the_next_build_resumes(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk))
    try:
        project = ProjectDir(disk / "proj")
        project.write("zflow.toml", CONFIG)
        project.write("recipes/basic.py", BASIC_RECIPE)
        assert _run(project, "build").returncode == 0
        _changed(project)
        filler = disk / "filler"
        objects = project.root / ".zflow/objects"
        if mounted:  # leave too little room for the changed scenes' images
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            filler.write_bytes(b"\0" * max(0, free - 6 * 1024))
        else:  # not root: the store's object folders refuse writes instead (EACCES), at the same boundary
            for folder in [objects, *objects.iterdir()]:
                folder.chmod(0o555)
        result = _run(project, "build")
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr and "the disk refused a write to" in result.stderr
        assert ("disk is full" if mounted else "permission denied") in result.stderr
        assert "next build goes on from them" in result.stderr
        filler.unlink(missing_ok=True)
        for folder in [objects, *objects.iterdir()]:
            folder.chmod(0o755)
        again = _run(project, "build", "--json")
        assert again.returncode == 0, again.stderr
        resumed = project.out_files()
        shutil.rmtree(project.root / "out")
        shutil.rmtree(project.root / ".zflow")
        assert _run(project, "build").returncode == 0
        assert resumed == project.out_files()  # what a clean build makes
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_read_only_output_folder_is_exit_3_with_advice(basic):
    assert basic.build().code == 0
    out = basic.root / "out"
    mounted = _mount("--bind", str(out), str(out)) and _mount("-o", "remount,ro,bind", str(out))
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("cannot make a read-only bind mount here")
        for folder in [out, *out.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o555)
    try:
        before = basic.out_files()
        _changed(basic)
        result = basic.build()
        assert result.code == 3, result.stderr
        assert "Traceback" not in result.stderr and "the disk refused a write to" in result.stderr
        assert str(Path("out/s")) in result.stderr
        assert ("read-only" if mounted else "permission denied") in result.stderr
        error = result.events[-1]
        assert error["event"] == "error" and error["kind"] == "StorageError"
        assert basic.out_files() == before
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(out)], check=False)
        for folder in [out, *out.rglob("*")]:
            if folder.is_dir():
                folder.chmod(0o755)
    assert basic.build().code == 0


def test_a_real_ctrl_c_while_a_recipe_loads_is_still_an_interrupt(project):
    project.write("recipes/slow.py", "import time\nprint('loading', flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen([ZFLOW, "build"], cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr.readline().strip() == "loading"  # what a recipe prints goes to stderr
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert "zflow: interrupted" in proc.stderr.read()
