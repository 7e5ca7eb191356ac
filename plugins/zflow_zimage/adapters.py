"""LoRA adapters on a loaded pipeline: each loaded once per (model, adapter) under its own name, checked against the
model first; before each pipeline call exactly the call's set is active at its weights (none: LoRA disabled).
Weights are never fused, so no adapter leaks into a call that does not ask for it. Serves any diffusers pipeline with
a LoRA loader (Z-Image, SD3, SDXL, FLUX)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Sequence

from zflow.contracts import Adapter
from zflow.contracts.digests import file_digest
from zflow.errors import PluginError

from .loading import hub_offline

#: Name of the attribute, on the module LoRAs load into, that maps an adapter's identity to its adapter name.
_LOADED = "_zflow_adapters"


def activate(pipe: Any, adapters: Sequence[Adapter], root: Path, model: str) -> None:
    """Make ``adapters`` (at their weights) the only active ones on ``pipe``; load those not loaded yet."""
    loaded = _registry(pipe)
    if not adapters:
        if loaded:
            pipe.disable_lora()
        return
    if not hasattr(pipe, "load_lora_weights"):
        raise PluginError(f"{type(pipe).__name__} ({model}) does not load LoRA adapters; remove the adapters "
                          f"({', '.join(a.label for a in adapters)}) or use a model that does")
    names = []
    for adapter in adapters:
        identity = _identity(adapter, root)
        name = loaded.get(identity)
        if name is None:
            name = f"zflow{len(loaded)}_{hashlib.sha256(repr(identity).encode()).hexdigest()[:10]}"
            _load(pipe, adapter, root, model, name)
            loaded[identity] = name
        names.append(name)
    pipe.enable_lora()
    pipe.set_adapters(names, adapter_weights=[a.weight for a in adapters])


def _registry(pipe: Any) -> dict[tuple, str]:
    """The adapters loaded into the pipeline's LoRA target, kept on that module (shared by ``from_pipe`` variants)."""
    module = _target(pipe)
    if module is None:
        return {}
    found = getattr(module, _LOADED, None)
    if found is None:
        found = {}
        object.__setattr__(module, _LOADED, found)
    return found


def _target(pipe: Any) -> Any:
    names = getattr(pipe, "_lora_loadable_modules", None) or ["transformer", "unet"]
    for name in names:
        module = getattr(pipe, name, None)
        if module is not None:
            return module
    return None


def _identity(adapter: Adapter, root: Path) -> tuple:
    """A file adapter by its content's digest (a changed file loads anew), a hub adapter by id, file and revision."""
    path = adapter.path(root)
    if path is None:
        return "hub", adapter.hub, adapter.weight_name, adapter.revision
    try:
        return "file", file_digest(path, root)
    except OSError:
        raise PluginError(f"LoRA file {path} not found") from None


def _load(pipe: Any, adapter: Adapter, root: Path, model: str, name: str) -> None:
    """Check the adapter fits the model, then load it under ``name``."""
    path = adapter.path(root)
    source = str(path) if path is not None else str(adapter.hub)
    what = f"LoRA {path if path is not None else adapter.hub}"
    kwargs = {k: v for k, v in (("weight_name", adapter.weight_name), ("revision", adapter.revision)) if v}
    if path is None and hub_offline():
        kwargs["local_files_only"] = True
    try:
        state = pipe.lora_state_dict(source, **kwargs)
    except Exception as exc:
        raise PluginError(f"{what} cannot be read for {model}: {type(exc).__name__}: {exc}") from exc
    misfit = first_misfit(pipe, state[0] if isinstance(state, tuple) else state)
    if misfit:
        raise PluginError(f"{what} does not fit {model} ({type(pipe).__name__}): {misfit}")
    try:
        pipe.load_lora_weights(source, adapter_name=name, **kwargs)
    except Exception as exc:
        raise PluginError(f"{what} does not load into {model}: {type(exc).__name__}: {exc}") from exc


def first_misfit(pipe: Any, state: dict) -> str:
    """The first LoRA key that names no layer of the model, or whose shape does not fit that layer ("" if none)."""
    modules = getattr(pipe, "_lora_loadable_modules", None) or []
    down = [k for k in state if k.endswith((".lora_A.weight", ".lora_down.weight"))]
    if not down:
        return f"no LoRA layers (lora_A/lora_down) among its {len(state)} keys" if state else "it holds no weights"
    default = _target(pipe)
    for key in down:
        prefix, _, rest = key.partition(".")
        named = prefix in modules and getattr(pipe, prefix, None) is not None
        component = getattr(pipe, prefix) if named else default
        path = (rest if named else key).rsplit(".", 2)[0]
        try:
            layer = component.get_submodule(path)
        except AttributeError:
            return f"key {key}: the model has no layer {path}"
        weight = getattr(layer, "weight", None)
        if weight is None:
            return f"key {key}: layer {path} has no weight to adapt"
        up = state.get(key.replace("lora_A", "lora_B").replace("lora_down", "lora_up"))
        if state[key].shape[1] != weight.shape[1] or (up is not None and up.shape[0] != weight.shape[0]):
            got = f"{state[key].shape[1]} in" + (f", {up.shape[0]} out" if up is not None else "")
            return (f"key {key}: layer {path} takes {weight.shape[1]} in, {weight.shape[0]} out; the LoRA has "
                    f"{got}")
    return ""
