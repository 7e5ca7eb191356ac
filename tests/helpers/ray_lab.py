"""The test session's real Ray cluster on this machine: a head without GPUs and a node with fake GPUs, in a
network namespace where only loopback exists (the ``lab`` fixture of conftest.py starts it once per session)."""
from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

CLONE_NEWNET = 0x40000000
GPUS = 2
MB = 2**20


@contextlib.contextmanager
def loopback_only() -> Iterator[None]:
    """This process, and every process it starts, in a new network namespace where only ``lo`` is up."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        if libc.unshare(CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) needs root (CAP_SYS_ADMIN)")
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        yield
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(home)


@dataclass
class Lab:
    """The session's Ray cluster: a head without GPUs and one node holding the (fake) GPUs."""

    cluster: Any
    gpu_node: Any

    def add_gpu_node(self) -> None:
        self.gpu_node = self.cluster.add_node(num_cpus=0, num_gpus=GPUS, object_store_memory=80 * MB,
                                              node_ip_address="127.0.0.1")


@contextlib.contextmanager
def started_lab() -> Iterator[Lab]:
    """Start the cluster, connect this process to it, and take it down after."""
    import ray
    from ray.cluster_utils import Cluster

    with pytest.MonkeyPatch.context() as env, loopback_only():
        env.setenv("RAY_USAGE_STATS_ENABLED", "0")
        cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 1, "num_gpus": 0, "include_dashboard": False, "object_store_memory": 80 * MB,
            "node_ip_address": "127.0.0.1"})
        lab = Lab(cluster, None)
        lab.add_gpu_node()
        ray.init(address=cluster.address, log_to_driver=False)
        try:
            yield lab
        finally:
            ray.shutdown()
            cluster.shutdown()
