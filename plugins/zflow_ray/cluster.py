"""Reaching the Ray cluster: start a local instance or connect to an address, and size the GPU workers."""
from __future__ import annotations

import logging
import os
import socket
from typing import Any

from zflow.errors import PluginError, UsageError

from .options import RayOptions

#: Default ports: the Ray client server (``ray://``) and the GCS.
_PORTS = {True: 10001, False: 6379}


def connect(ray: Any, options: RayOptions, source: str) -> None:
    """Start or join the cluster unless this process is already connected to one."""
    if ray.is_initialized():
        return
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if options.address == "local":
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(address="local", num_cpus=options.num_cpus or None, num_gpus=options.fake_gpus or None,
                 object_store_memory=options.object_store_mb * 2**20 or None, include_dashboard=False,
                 _node_ip_address=options.node_ip, **quiet)
        return
    if options.address != "auto":
        _probe(options.address, options.start_timeout, source)
    try:
        ray.init(address=options.address, **quiet)
    except Exception as exc:
        raise PluginError(f"{source}: [executors.ray] address = {options.address!r}: cannot join the Ray cluster: "
                          f"{type(exc).__name__}: {exc}") from None


def _probe(address: str, timeout: float, source: str) -> None:
    """Fail fast (ray.init retries for minutes) when nothing listens at the cluster's address."""
    host_port = address.removeprefix("ray://").split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    if not host:
        host, port = host_port, str(_PORTS[address.startswith("ray://")])
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return
    except (OSError, ValueError) as exc:
        raise PluginError(f"{source}: [executors.ray] address = {address!r}: nothing answers there within "
                          f"{timeout:g} s (start_timeout): {exc}") from None


def worker_count(ray: Any, options: RayOptions, source: str) -> int:
    """How many GPU workers to start; more than the cluster's GPUs is an error (Ray would wait forever)."""
    gpus = float(ray.cluster_resources().get("GPU", 0))
    fits = int(gpus // options.gpus_per_actor)
    wanted = options.actors or fits
    if wanted == 0 or wanted > fits:
        hint = " (a CPU-only test cluster can declare some with fake_gpus)" if options.address == "local" else ""
        raise UsageError(f"{source}: [executors.ray] asks for {options.actors or 'all'} workers of "
                         f"{options.gpus_per_actor:g} GPU, but the Ray cluster has {gpus:g} GPU(s){hint}")
    return wanted
