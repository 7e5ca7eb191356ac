"""zflow's zimage backend: Z-Image Turbo/Base/Omni (or any diffusers text-to-image model) through diffusers.

Models, options and edit operations are documented in docs/zimage.md.
"""
from __future__ import annotations

from zflow.hookspecs import hookimpl

from .backend import ZImageBackend


@hookimpl
def register_backends(register):
    register(ZImageBackend())
