"""Preprocessors that turn an image into a control map: Canny through OpenCV; OpenPose, MiDaS depth, HED and MLSD
through controlnet-aux, loaded once from detector weights on disk (``[stages.control] options.annotators``)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from PIL import Image

from .annotators import DETECTORS, MissingDetector, folder_of, load

#: Canny thresholds (controlnet-aux's CannyDetector defaults).
CANNY_LOW, CANNY_HIGH = 100, 200


class Detectors:
    """The preprocessors of one build, each loaded on first use; ``annotators`` is the weights folder (relative
    to the project root) or None."""

    def __init__(self, annotators: str | None, device: str, loaded: Callable[[str, float], None]):
        self.annotators = annotators
        self.device = device
        self.loaded = loaded
        self._models: dict[str, Any] = {}

    def detect(self, kind: str, image: Image.Image, root: Path) -> Image.Image:
        """The ``kind`` map of ``image`` (RGB, white or coloured lines on black, or depth)."""
        if kind == "canny":
            import cv2
            import numpy as np

            edges = cv2.Canny(np.asarray(image.convert("L")), CANNY_LOW, CANNY_HIGH)
            return Image.fromarray(edges).convert("RGB")
        detector = self._models.get(kind) or self._load(kind, root)
        side = min(image.size)
        return detector(image, detect_resolution=min(512, side), image_resolution=side, output_type="pil")

    def model_of(self, kind: str) -> str:
        """What makes ``kind`` maps, for provenance."""
        return f"opencv Canny {CANNY_LOW}/{CANNY_HIGH}" if kind == "canny" else f"controlnet-aux {DETECTORS[kind][1]}"

    def release(self) -> None:
        self._models.clear()

    def _load(self, kind: str, root: Path) -> Any:
        _, name, files = DETECTORS[kind]
        wanted = ", ".join(files)
        fix = (f"download {wanted} from the hub repository lllyasviel/Annotators into a folder and name it in "
               f'zflow.toml: [stages.control] options = {{ annotators = "weights/annotators" }}; controlnet-aux must '
               f"be installed too (pip install controlnet-aux)")
        if not self.annotators:
            raise MissingDetector(f"{kind} maps from an image need controlnet-aux's {name} weights, and no "
                                  f"annotators folder is set: {fix}")
        folder = folder_of(self.annotators, root)
        missing = [f for f in files if not (folder / f).is_file()]
        if missing:
            raise MissingDetector(f"{kind} maps need {', '.join(missing)} in the annotators folder {folder}, "
                                  f"which has no such file: {fix}")
        started = time.perf_counter()
        model = load(kind, folder, self.device)
        self.loaded(name, time.perf_counter() - started)
        self._models[kind] = model
        return model
