"""zflow's zimage backend: Z-Image Turbo/Base/Omni (or any diffusers text-to-image model) through diffusers.

A stage's model (zflow.toml ``[stages.<stage>]``) is a hub id (``Tongyi-MAI/Z-Image-Turbo``, with ``revision``) or a
local folder holding a diffusers pipeline (``model_index.json``). torch and diffusers are imported at first use only
(``pip install 'zflow[zimage]'``). Options (``ModelRef.options``), all optional:

Options that change pixels (part of every task key, with the weights' commit or folder fingerprint):
- ``pipeline``: a diffusers pipeline class name, or ``"auto"`` (default: the folder's model_index class).
- ``steps``, ``guidance``, ``negative``: defaults by model flavour: a "turbo" model (or, for an unnamed folder, the
  sheet/draft kinds) 9 steps, guidance 0.0, no negative; Z-Image Base (refine, edit) 40 steps, guidance 4.0 and a
  stock negative prompt. Other diffusers models use their pipeline's own defaults. A refine's ``steps``/``guidance``
  params override them.
- ``strength``: img2img/inpaint strength when the task's params carry none (refine 0.6, restyle 0.6, masked edits 1.0).
- ``cfg_normalization`` (Z-Image; false for stylised, true for realism), ``max_sequence_length`` (prompt tokens).
- ``dtype``: ``"auto"`` (bfloat16 on CUDA, float32 on CPU), ``"bfloat16"``, ``"float32"``, ``"float16"``.
- ``batch_size`` (images per pipeline call, default 4; smaller after out-of-memory) with ``exact_batches`` (default
  true): every call is padded to ``batch_size`` with copies of its last image (dropped afterwards), so the kernels
  see one shape and an image is bit-for-bit the one made alone, whatever shares its call; the batch size is then
  part of the task keys. ``exact_batches = false`` saves the padded work; images then vary by ~1e-6 (at most one
  8-bit step) with the batch they were made in. After an out-of-memory retry at a smaller size the same holds.

Options that only change speed or memory:
- ``device``: ``"auto"``, ``"cpu"``, ``"cuda"``, ``"mps"``; ``cpu_offload`` (bool); ``attention`` (a diffusers
  attention backend: ``"flash"``, ``"_flash_3"``, ``"sage"``, ...); ``compile`` (torch.compile of the repeated
  transformer blocks, CUDA only).

Edit ops: ``inpaint`` (region: a named region ``face``/``subject`` taken from the input's meta ``faces``/``focus``
or a default box, a 0-1 box, or ``{"file": path}``), ``background`` (the inverted subject ellipse), ``outpaint``
(input fitted and centred on the new canvas, border regenerated), ``restyle`` (img2img). Masked edits keep the
original pixels outside the mask. With a Z-Image Omni/Edit model, restyle and other whole-image ops, and drafts of a
cast with character sheets, are reference-image edits. Sizes are rounded to the model's multiple for generation
(meta ``generated_size``/``rounded_from``) and the image is resized back to the asked size. Every image's meta and
PNG (``parameters`` text as A1111 writes it, and ``zflow`` JSON) record model, revision, stage, prompt, negative,
seed, steps, guidance, strength and size.
"""
from __future__ import annotations

from zflow.hookspecs import hookimpl

from .backend import ZImageBackend


@hookimpl
def register_backends(register):
    register(ZImageBackend())
