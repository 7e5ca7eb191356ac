"""The store: atomic artifacts, the project lock, kill -9 at any moment and resume, a consistent index."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess

import pytest

from helpers.project import ZFLOW, BASIC_TASKS
from zflow.store.lock import ProjectLock
from zflow.errors import StoreError

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SLOW_BACKEND = '''\
"""A backend that takes a while per image, so a build can be killed in the middle of one."""
import io, time
from PIL import Image
from zflow import hookimpl
from zflow.contracts import Output


class Slow:
    name = "slow"
    version = "1"
    kinds = frozenset({"sheet", "draft", "refine", "edit"})

    def identity(self, model):
        return "slow"

    def load(self, model):
        return None

    def run(self, handle, requests):
        out = []
        for r in requests:
            time.sleep(0.15)
            buf = io.BytesIO()
            Image.new("RGB", tuple(r.params["size"]), (r.params.get("seed", 1) % 251, 9, 9)).save(buf, "PNG")
            out.append(Output({"image.png": buf.getvalue()}, {"faces": [[2, 2, 9, 9]], "focus": [1, 1, 20, 20]}))
        return out

    def release(self, handle):
        pass


@hookimpl
def register_backends(register):
    register(Slow())
'''

SLOW_CONFIG = 'base_pixels = 4096\nbatch_size = 1\n[stages.draft]\nbackend = "slow"\n[stages.refine]\nbackend = "slow"\n'


def check_indexed_blobs(root):
    """Every indexed blob exists with the content its name says."""
    db = sqlite3.connect(root / ".zflow/index.sqlite")
    for (files,) in db.execute("SELECT files FROM artifacts"):
        for sha in json.loads(files).values():
            blob = root / ".zflow/objects" / sha[:2] / sha[2:]
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha
    db.close()


def check_store_consistent(root):
    """Every indexed blob exists with the content its name says; no temporary files are left."""
    check_indexed_blobs(root)
    assert not list((root / ".zflow/objects").glob("*/.*.tmp"))
    for path in (root / "out").rglob("*"):
        assert not path.name.endswith(".tmp")


@pytest.mark.parametrize("kill_after", [1, 4, 7])
def test_kill_9_mid_build_leaves_no_corrupt_artifact_and_resume_runs_only_the_rest(basic, kill_after):
    basic.write("plugins/slow.py", SLOW_BACKEND)
    basic.write("zflow.toml", SLOW_CONFIG)
    proc = subprocess.Popen([ZFLOW, "build", "--json"], cwd=basic.root, stdout=subprocess.PIPE, text=True)
    done = []
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "task-done":
            done.append(event["id"])
            if len(done) == kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    check_store_consistent(basic.root)
    db = sqlite3.connect(basic.root / ".zflow/index.sqlite")
    stored = {tid for (tid,) in db.execute("SELECT task_id FROM artifacts")}
    db.close()
    assert stored >= set(done) and stored != BASIC_TASKS
    result = basic.build()
    assert result.code == 0
    assert result.ids("task-done") == BASIC_TASKS - stored
    assert result.summary["cached"] == len(stored)
    check_store_consistent(basic.root)
    assert basic.build().summary["ran"] == 0


NOISY_BACKEND = '''\
"""A fast backend of large noisy images: a build killed anywhere is likely killed while it writes files."""
import io, random
from PIL import Image
from zflow import hookimpl
from zflow.contracts import Output


class Noisy:
    name = "noisy"
    version = "1"
    kinds = frozenset({"sheet", "draft", "refine", "edit"})

    def identity(self, model):
        return "noisy"

    def load(self, model):
        return None

    def run(self, handle, requests):
        out = []
        for r in requests:
            pixels = random.Random(r.params.get("seed", 1)).randbytes(320 * 320 * 3)
            buf = io.BytesIO()
            Image.frombytes("RGB", (320, 320), pixels).save(buf, "PNG", compress_level=1)
            out.append(Output({"image.png": buf.getvalue()}, {}))
        return out

    def release(self, handle):
        pass


@hookimpl
def register_backends(register):
    register(Noisy())
'''


def _whole_or_temporary(root) -> None:
    """What a killed build may leave: temporary files, and whole files only, each an indexed artifact's bytes."""
    check_indexed_blobs(root)
    db = sqlite3.connect(root / ".zflow/index.sqlite")
    made = {sha for (files,) in db.execute("SELECT files FROM artifacts") for sha in json.loads(files).values()}
    db.close()
    for path in (root / "out").rglob("*"):
        if path.is_file() and not path.name.endswith(".tmp"):
            assert hashlib.sha256(path.read_bytes()).hexdigest() in made, path


@pytest.mark.parametrize("kill_after", [2, 9, 17])
def test_kill_9_while_a_batch_is_written_leaves_only_whole_files_and_the_next_build_completes(project, kill_after):
    project.write("plugins/noisy.py", NOISY_BACKEND)
    project.write("zflow.toml", 'base_pixels = 4096\nbatch_size = 4\n[stages.draft]\nbackend = "noisy"\n'
                                '[stages.refine]\nbackend = "noisy"\n')
    project.write("recipes/many.py", 'from zflow import Series\ns = Series("s", prompt="{{ a }}", size="64x64", '
                                     'drafts=6)\nfor n in range(4):\n    s.scene(f"c{n}", a=f"scene {n}")\n')
    proc = subprocess.Popen([ZFLOW, "build", "--json"], cwd=project.root, stdout=subprocess.PIPE, text=True)
    done = 0
    for line in proc.stdout:
        done += json.loads(line)["event"] == "task-done"
        if done == kill_after:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    _whole_or_temporary(project.root)
    result = project.build()
    assert result.code == 0 and result.summary["failed"] == 0
    check_store_consistent(project.root)
    db = sqlite3.connect(project.root / ".zflow/index.sqlite")
    manifest = dict(db.execute("SELECT path, sha FROM outputs"))
    db.close()
    placed = {str(p.relative_to(project.root / "out")): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (project.root / "out").rglob("*") if p.is_file()}
    assert placed == manifest and len(placed) == 4 * 6 + 4 * 2  # drafts, contact sheets and refines
    assert project.build().summary["ran"] == 0


def test_second_build_fails_clearly_while_the_project_is_locked(basic):
    with ProjectLock(basic.root / ".zflow/lock"):
        result = basic.build()
    assert result.code == 2
    assert f"(pid {os.getpid()})" in result.stderr and "--wait" in result.stderr
    assert not (basic.root / "out").exists()


def test_second_build_waits_for_the_lock_with_wait(basic):
    lock = ProjectLock(basic.root / ".zflow/lock").__enter__()
    proc = subprocess.Popen([ZFLOW, "build", "--json", "--wait", "60"], cwd=basic.root, stdout=subprocess.PIPE,
                            text=True)
    with pytest.raises(subprocess.TimeoutExpired):
        proc.wait(timeout=1.5)  # still blocked on the lock, not failed
    lock.__exit__(None, None, None)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert json.loads(out.splitlines()[-1])["ran"] == len(BASIC_TASKS)


def test_lock_is_exclusive_between_holders(tmp_path):
    with ProjectLock(tmp_path / "lock"):
        with pytest.raises(StoreError, match="is locked"):
            ProjectLock(tmp_path / "lock").__enter__()
    with ProjectLock(tmp_path / "lock"):
        pass


def test_output_path_taken_by_a_user_file_is_not_overwritten(basic):
    (basic.root / "out/s/a").mkdir(parents=True)
    (basic.root / "out/s/a/refine.png").write_bytes(b"my own drawing")
    result = basic.build()
    assert result.code == 1
    assert result.ids("task-failed") == {"s/a/refine"}
    assert "was not written by zflow" in [e for e in result.events if e["event"] == "task-failed"][0]["error"]
    assert (basic.root / "out/s/a/refine.png").read_bytes() == b"my own drawing"


def test_objects_are_content_addressed_and_shared(basic):
    basic.build()
    db = sqlite3.connect(basic.root / ".zflow/index.sqlite")
    rows = db.execute("SELECT task_id, files FROM artifacts").fetchall()
    assert {r[0] for r in rows} == BASIC_TASKS
    blobs = {sha for _, files in rows for sha in json.loads(files).values()}
    on_disk = {p.parent.name + p.name for p in (basic.root / ".zflow/objects").rglob("*") if p.is_file()}
    assert blobs == on_disk


def test_a_long_lived_store_sees_what_another_process_wrote_and_keeps_its_cache_otherwise(tmp_path):
    """Watch mode keeps one Store open across builds: refresh() re-reads the index only after another
    connection (another `zflow build`, `zflow gc`) committed to it."""
    from zflow.contracts import Output
    from zflow.store import Finished, Store

    session = Store(tmp_path, tmp_path / "out")
    assert session.keys() == set()
    cached = session.keys()
    session.put([Finished("s/a/draft-1", "draft", "k1", {}, Output({"image.png": b"one"}, {}), 0.0, 0.1)])
    session.refresh()
    assert session.keys() is cached and cached == {"k1"}  # its own write: nothing to re-read

    other = Store(tmp_path, tmp_path / "out")
    other.put([Finished("s/b/draft-1", "draft", "k2", {}, Output({"image.png": b"two"}, {}), 0.0, 0.1)])
    session.refresh()
    assert session.keys() == {"k1", "k2"}

    other.refresh()
    other.gc(keep={"k2"})
    session.refresh()
    assert session.keys() == {"k2"}
    other.close()
    session.close()


def test_a_build_reads_the_files_of_its_own_artifacts_only_whether_few_or_many(tmp_path):
    """materialize looks up the files of the tasks it places, not every artifact the store ever kept: a few keys
    by lookups, many (more than SQLite's variables per query) in one pass; keys without an artifact are left out,
    and each artifact comes with its own files."""
    from zflow.contracts import Output
    from zflow.store import Finished, Store

    store = Store(tmp_path, tmp_path / "out")
    store.put([Finished(f"s/{i}/draft-1", "draft", f"k{i}", {}, Output({"image.png": f"image {i}".encode()}, {}),
                        0.0, 0.1) for i in range(2000)])
    for wanted in ([f"k{i}" for i in range(0, 20, 2)], [f"k{i}" for i in range(0, 2000, 2)]):
        found = store.index.files_of([*wanted, "no-such-key", wanted[-1]])
        assert set(found) == set(wanted)
        last = int(wanted[-1][1:])
        assert found[wanted[-1]] == {"image.png": hashlib.sha256(f"image {last}".encode()).hexdigest()}
    store.close()
