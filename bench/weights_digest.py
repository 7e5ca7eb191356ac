"""Benchmark: what keying a pose map's detector weights costs a build, in two fresh processes one after the other:
the first reads the weight file (sha256) and keeps its digest in the project store's index, the second finds it
there by size and mtime. Times ``weights_identity`` inside each process (the `zflow` start-up is not counted), plus
a plain sha256 of the file for comparison. Ends with one JSON line.

Usage: python bench/weights_digest.py [--mb 200] [--repeats 3]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from zflow.store import Store

#: Run in a fresh process: the seconds ``weights_identity`` takes for the pose detector of the project at argv[1].
PROBE = """
import sys, time
from pathlib import Path
from zflow.contracts.settings import Located
from zflow_control.annotators import weights_identity
root = Path(sys.argv[1])
options = Located({"annotators": "weights"}, "stages.control.options", str(root / "zflow.toml"), None)
started = time.perf_counter()
identity = weights_identity(options, "pose")
print(time.perf_counter() - started, identity)
"""


def key_seconds(root: Path) -> tuple[float, str]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, check=True)
    seconds, identity = done.stdout.split()
    return float(seconds), identity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the weight file (the pose model is 199 MB)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    firsts, seconds, plain = [], [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "zflow.toml").write_text("")
            Store(root, root / "out").close()  # the store a project's first build makes
            weights = root / "weights" / "body_pose_model.pth"
            weights.parent.mkdir()
            weights.write_bytes(os.urandom(args.mb << 20))
            started = time.perf_counter()
            hashlib.sha256(weights.read_bytes()).hexdigest()
            plain.append(time.perf_counter() - started)
            first, identity = key_seconds(root)
            second, again = key_seconds(root)
            assert identity == again, (identity, again)
            firsts.append(first)
            seconds.append(second)
    print(json.dumps({"bench": "weights_digest", "mb": args.mb, "repeats": args.repeats,
                      "first_build_key_s": round(statistics.median(firsts), 4),
                      "second_build_key_s": round(statistics.median(seconds), 5),
                      "plain_sha256_s": round(statistics.median(plain), 4),
                      "python": platform.python_version(), "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
