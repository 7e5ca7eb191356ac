"""The ``[executors.ray]`` settings: where the cluster is, how many GPU workers, timeouts, and a test cluster's shape."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

from zflow.contracts.settings import Setting, located, nonempty


@dataclass(frozen=True, slots=True)
class RayOptions:
    """Resolved settings of the Ray executor (every time is in seconds)."""

    #: ``"local"`` starts a Ray instance in this process; anything else (``"auto"``, ``host:port``, ``ray://...``)
    #: is handed to ``ray.init(address=...)``.
    address: str = "local"
    #: GPU workers (one actor per GPU); 0 means every GPU the cluster has.
    actors: int = 0
    #: GPUs each actor holds.
    gpus_per_actor: float = 1.0
    #: How long joining the cluster, starting an actor (import plugins, get a GPU) or fetching a result may take.
    start_timeout: float = 300.0
    #: The longest one batch may run on a worker before it counts as hung.
    task_timeout: float = 3600.0
    #: Tries of a batch whose worker died under it.
    retries: int = 2
    #: A local Ray instance only: GPUs to declare (fake ones for CPU-only test machines), CPUs, object store size
    #: in MiB (0 leaves each to Ray's default), and the address it binds.
    fake_gpus: int = 0
    num_cpus: int = 0
    object_store_mb: int = 0
    node_ip: str = "127.0.0.1"


def _setting(default: Any) -> Setting:
    if isinstance(default, str):
        return Setting(str, default, check=nonempty)
    if isinstance(default, float):
        return Setting(float, default, above=0)
    return Setting(int, default, low=0)


SETTINGS = {f.name: _setting(f.default) for f in fields(RayOptions)}


def parse_options(options: Mapping[str, Any]) -> RayOptions:
    """Validate ``[executors.ray]``; a wrong name or value is a SettingError naming its zflow.toml line."""
    return RayOptions(**located(options, "executors.ray").read(SETTINGS))
