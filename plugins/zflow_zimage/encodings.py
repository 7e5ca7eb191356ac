"""Prompt encodings: each prompt goes through the text encoder once. They are kept in memory for the process and on
disk in the project's store (``.zflow/zimage-prompts/<hash>.safetensors``), keyed by the text encoder's identity
(the model's commit or folder fingerprint), its dtype and device, the encoding settings and the prompt, so a
rebuild that changes only seeds, steps or strength never runs the text encoder. Z-Image pipelines (text-to-image,
img2img, inpaint) take them as ``prompt_embeds``; the Omni pipeline and other families encode their own prompts."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

log = logging.getLogger(__name__)

#: Where the encodings live in a project: the store's folder (``zflow.store.STORE_DIR``) and a folder of their own.
STORE_DIR, FOLDER = ".zflow", "zimage-prompts"
#: The pipelines' own default prompt length (tokens) when ``max_sequence_length`` is not set.
DEFAULT_LENGTH = 512
#: Encodings kept in memory (a real Z-Image prompt is ~0.5 MB in bf16).
MEMORY = 256
#: Bump when the way an encoding is made changes, so old files are not reused.
FORMAT = 1

_MEMORY: OrderedDict[str, Any] = OrderedDict()
_LOCK = threading.Lock()


def serves(pipe) -> bool:
    """Whether ``pipe`` takes our encodings: a Z-Image pipeline other than Omni (whose prompts carry its images)."""
    name = type(pipe).__name__
    return name.startswith("ZImage") and name != "ZImageOmniPipeline" and hasattr(pipe, "encode_prompt")


class PromptEncodings:
    """The encodings of one model's prompts under one set of encoding settings."""

    def __init__(self, identity: str, root: Path | None, max_sequence_length: int | None, version: str,
                 device: str, dtype: str):
        self.identity, self.device, self.dtype = identity, device, dtype  # the loaded text encoder's
        store = root / STORE_DIR if root is not None else None
        self.folder = store / FOLDER if store is not None and store.is_dir() else None
        self.length = max_sequence_length or DEFAULT_LENGTH
        self.version = version
        self._digests: dict[str, str] = {}  # a batch's calls share prompts: each text is hashed once

    def embeds(self, pipe, texts: Sequence[str]) -> list:
        """One encoding per text, in order; each distinct text is looked up (memory, then disk) or encoded once."""
        found: dict[str, Any] = {}
        for text in dict.fromkeys(texts):
            digest = self._digest(text)
            tensor = self._remembered(digest)
            if tensor is None:
                tensor = self._read(digest)
            found[text] = tensor if tensor is not None else self._encode(pipe, text, digest)
        return [found[text] for text in texts]

    def _digest(self, text: str) -> str:
        digest = self._digests.get(text)
        if digest is None:
            parts = [FORMAT, self.version, self.identity, self.dtype, self.device.split(":")[0], self.length, text]
            digest = self._digests[text] = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()
                                                          ).hexdigest()[:32]
        return digest

    def _remembered(self, digest: str):
        with _LOCK:
            tensor = _MEMORY.get(digest)
            if tensor is not None:
                _MEMORY.move_to_end(digest)
            return tensor

    def _remember(self, digest: str, tensor) -> Any:
        with _LOCK:
            _MEMORY[digest] = tensor
            while len(_MEMORY) > MEMORY:
                _MEMORY.popitem(last=False)
        return tensor

    def _read(self, digest: str):
        if self.folder is None:
            return None
        path = self.folder / f"{digest}.safetensors"
        if not path.is_file():
            return None
        from safetensors.torch import load_file

        try:
            tensor = load_file(path, device=self.device)["embeds"]
        except Exception as exc:  # a damaged file is made again
            log.warning("zimage: prompt encoding %s unreadable (%s); encoding again", path.name, exc)
            return None
        return self._remember(digest, tensor)

    def _encode(self, pipe, text: str, digest: str):
        import torch

        with torch.no_grad():
            [tensor], _ = pipe.encode_prompt([text], device=torch.device(self.device),
                                             do_classifier_free_guidance=False, max_sequence_length=self.length)
        tensor = tensor.contiguous()
        self._write(digest, tensor)
        return self._remember(digest, tensor)

    def _write(self, digest: str, tensor) -> None:
        """Save atomically (a temporary file renamed into place); a store that cannot be written only costs speed."""
        if self.folder is None:
            return
        from safetensors.torch import save_file

        temporary = None
        try:
            self.folder.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{digest}.", suffix=".tmp", dir=self.folder)  # as the
            os.close(handle)  # store's own temporaries: a killed writer's are swept
            save_file({"embeds": tensor.to("cpu")}, temporary)
            os.replace(temporary, self.folder / f"{digest}.safetensors")
        except OSError as exc:
            log.warning("zimage: could not keep the prompt encoding in %s: %s", self.folder, exc)
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
