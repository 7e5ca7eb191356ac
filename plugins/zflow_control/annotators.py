"""controlnet-aux's OpenPose, MiDaS, HED and MLSD detectors, loaded from weight files in the annotators folder.
Each detector's module is imported alone, without controlnet-aux's package ``__init__`` (which imports all of its
eighteen detectors, some needing timm or mediapipe), and against zflow_notorchvision's stand-in when torchvision
cannot be imported. MiDaS needs timm and a real torchvision; without them depth is a clear error."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Mapping

from zflow.contracts.digests import file_digest
from zflow.contracts.settings import Located
from zflow.errors import PluginError
from zflow_notorchvision import standing_in

#: Per control type: controlnet-aux's module, its detector class, and the files of lllyasviel/Annotators it loads
#: (OpenPose's body model only: zflow draws bodies, not hands or faces).
DETECTORS = {
    "pose": ("open_pose", "OpenposeDetector", ("body_pose_model.pth",)),
    "depth": ("midas", "MidasDetector", ("dpt_hybrid-midas-501f0c75.pt",)),
    "hed": ("hed", "HEDdetector", ("ControlNetHED.pth",)),
    "mlsd": ("mlsd", "MLSDdetector", ("mlsd_large_512_fp32.pth",)),
}
PACKAGE = "controlnet_aux"


class MissingDetector(Exception):
    """A control type's preprocessor cannot run here: its package or weights are not installed."""


def folder_of(annotators: str, root: Path) -> Path:
    """The annotators folder, relative to the project root (``root``) when not absolute."""
    folder = Path(annotators).expanduser()
    return folder if folder.is_absolute() else root / folder


def weights_identity(options: Mapping[str, Any], kind: str) -> str:
    """What keys a ``kind`` map's detector: the sha256 of its weight files (relative to zflow.toml's folder), or
    ``missing`` when the folder or a file is absent (the build then fails on that map, naming what to download). A
    file is read only when its size or mtime changed since the project last hashed it (``file_digest``)."""
    annotators = options.get("annotators")
    source = options.source if isinstance(options, Located) else None
    if not annotators or not source:
        return "missing"
    root = Path(source).parent
    folder, digests = folder_of(annotators, root), []
    for name in DETECTORS[kind][2]:
        if not (folder / name).is_file():
            return "missing"
        digests.append(file_digest(folder / name, root))
    joined = digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()
    return joined[:16]


def load(kind: str, folder: Path, device: str) -> Any:
    """The ``kind`` detector with the weights in ``folder``, on ``device``; a file it cannot load is a PluginError
    naming it."""
    _, name, files = DETECTORS[kind]
    module = detector_module(kind)
    try:
        if kind == "pose":
            return module.OpenposeDetector(module.Body(str(folder / files[0])).to(device))
        return getattr(module, name).from_pretrained(str(folder)).to(device)
    except Exception as exc:
        raise PluginError(f"{kind} detector weights {folder / files[0]}: not {name} weights controlnet-aux can "
                          f"load ({type(exc).__name__}: {exc}); download {files[0]} again from lllyasviel/Annotators"
                          ) from None


def detector_module(kind: str) -> ModuleType:
    """controlnet-aux's module for ``kind``; MissingDetector naming what to install when it does not import."""
    module_name, name, _ = DETECTORS[kind]
    if importlib.util.find_spec(PACKAGE) is None:
        raise MissingDetector(f"{kind} maps need the controlnet-aux package, which is not installed: pip install "
                              f"--no-deps controlnet-aux (beside a pinned torch), then einops, scipy, scikit-image, "
                              f"huggingface_hub and opencv-python-headless")
    try:
        with standing_in(), _bare_package():
            return importlib.import_module(f"{PACKAGE}.{module_name}")
    except ImportError as exc:
        need = "timm and a torchvision build matching torch" if kind == "depth" else exc.name or str(exc)
        raise MissingDetector(f"{kind} maps need controlnet-aux's {name}, which needs {need} (import failed: {exc}): "
                              f"pip install {'timm torchvision' if kind == 'depth' else exc.name}") from None


@contextmanager
def _bare_package() -> Iterator[None]:
    """controlnet_aux as a package whose ``__init__`` has not run, while one of its modules imports (unless the
    whole package is already imported)."""
    if PACKAGE in sys.modules:
        yield
        return
    spec = importlib.util.find_spec(PACKAGE)
    sys.modules[PACKAGE] = importlib.util.module_from_spec(spec)
    try:
        yield
    finally:
        sys.modules.pop(PACKAGE, None)
