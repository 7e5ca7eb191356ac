"""Where a pipeline runs: device and dtype choice, guarded offload/attention/compile, out-of-memory handling."""
from __future__ import annotations

import gc
import logging

from zflow.errors import PluginError

from .options import Settings, setting

log = logging.getLogger(__name__)


def choose(settings: Settings, stage: str) -> tuple[str, str]:
    """``(device, dtype name)``: bf16 on CUDA, fp32 on CPU (fp16 gives NaN with Z-Image, bf16 on CPU is ~50x slower)."""
    import torch

    device = settings.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    elif device == "cuda" and not torch.cuda.is_available():
        build = ("a CPU-only build" if torch.version.cuda is None
                 else f"CUDA {torch.version.cuda}, but no GPU is visible")
        raise PluginError(f"{setting(stage, 'device')} = 'cuda', but this machine has no usable CUDA device (torch "
                          f"{torch.__version__}, {build}): set it to 'auto' or 'cpu'")
    elif device == "mps" and not torch.backends.mps.is_available():
        raise PluginError(f"{setting(stage, 'device')} = 'mps', but MPS is not available here: "
                          f"set it to 'auto' or 'cpu'")
    dtype = settings.dtype
    if dtype == "auto":
        dtype = "bfloat16" if device == "cuda" else "float32"
    return device, dtype


def torch_dtype(name: str):
    import torch

    return getattr(torch, name)


def place(pipe, settings: Settings, device: str) -> list[str]:
    """Move ``pipe`` to ``device`` with the optional offload, attention backend and compile; returns what was
    skipped."""
    skipped = []
    if settings.cpu_offload and device != "cpu":
        try:
            pipe.enable_model_cpu_offload(device=device)
        except (RuntimeError, ValueError) as exc:
            skipped.append(f"cpu_offload ({exc})")
            pipe.to(device)
    else:
        if settings.cpu_offload:
            skipped.append(f"cpu_offload: the models run on {device}, where they already are (offloading keeps "
                           f"weights in CPU memory between the uses of an accelerator)")
        pipe.to(device)
    denoiser = getattr(pipe, "transformer", None)
    denoiser = denoiser if denoiser is not None else getattr(pipe, "unet", None)
    if settings.attention and denoiser is not None:
        try:
            denoiser.set_attention_backend(settings.attention)
        except (AttributeError, ImportError, RuntimeError, ValueError) as exc:
            skipped.append(f"attention={settings.attention} ({exc})")
    if settings.compile and denoiser is not None:
        if device != "cuda":
            skipped.append("compile (only on CUDA)")
        elif getattr(denoiser, "_repeated_blocks", None):
            denoiser.compile_repeated_blocks(fullgraph=True)
        else:
            denoiser.compile(fullgraph=True)
    for what in skipped:
        log.warning("zimage: skipped %s", what)
    return skipped


def is_oom(exc: BaseException) -> bool:
    """Out of device (or host) memory, whatever the backend calls it."""
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


def free_memory() -> None:
    """Give cached allocator memory back after an out-of-memory error or a released model."""
    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def available_bytes(device: str) -> int | None:
    """Free memory on ``device`` (None when unknown)."""
    import torch

    if device.startswith("cuda"):
        return torch.cuda.mem_get_info()[0]
    if device == "cpu":
        try:
            import psutil
        except ImportError:
            return None
        return psutil.virtual_memory().available
    return None
