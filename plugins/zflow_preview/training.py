"""A train task on the preview backend: nothing is trained; a marked placeholder adapter records the dataset and
settings, so a recipe that trains a character runs end to end before any GPU (and the frames that apply it say so)."""
from __future__ import annotations

import io
import json
import struct
from typing import Any, Mapping

from PIL import Image, ImageDraw

from zflow.contracts import Output, Request
from zflow.contracts.adapters import LORA_FILE

from .text import Fonts, preview_mark

#: The safetensors metadata key that marks a placeholder adapter.
MARK = "zflow_placeholder"


def placeholder_lora(fonts: Fonts, request: Request) -> Output:
    """A safetensors file with no tensors whose metadata marks it a preview placeholder and holds the dataset (each
    image's file or source task and key, and caption) and settings; the same record as ``dataset.json``; and a card
    saying what a real backend would train (what the gallery shows)."""
    p = request.params
    keys = {artifact.task_id: artifact.key for artifact in request.inputs}
    images = []
    for image in p["images"]:
        if "task" in image and image["task"] not in keys:
            raise ValueError(f"training image {image['task']} is not among the task's inputs")
        images.append({**image, **({"key": keys[image["task"]]} if "task" in image else {})})
    record = {"character": p["name"], "trigger": p["trigger"], "base": p["base"], "settings": p["settings"],
              "training_adapters": p.get("training_adapters", []), "images": images}
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, indent=1)
    header = json.dumps({"__metadata__": {MARK: "preview backend: untrained", "zflow_dataset": text}},
                        sort_keys=True, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)  # safetensors pads its header to 8 bytes
    meta = {"role": "lora", "placeholder": True, "backend": "preview", "model": "preview", "stage": "train",
            "character": p["name"], "trigger": p["trigger"], "images": len(images), "steps": 0,
            "settings": p["settings"]}
    return Output(files={LORA_FILE: struct.pack("<Q", len(header)) + header, "card.png": card(fonts, record),
                         "dataset.json": text.encode() + b"\n"}, meta=meta)


def card(fonts: Fonts, record: Mapping[str, Any], size: tuple[int, int] = (480, 270)) -> bytes:
    """A PNG naming the untrained LoRA, its trigger word, dataset size and settings, with the PREVIEW mark."""
    image = Image.new("RGB", size, (30, 30, 60))
    draw = ImageDraw.Draw(image)
    s = record["settings"]
    lines = [(f"LoRA {record['character']} (untrained)", 26), (f"trigger: {record['trigger']}", 18),
             (f"{len(record['images'])} images, {s['steps']} steps", 18),
             (f"rank {s['rank']}, lr {s['lr']:g}, {s['resolution']} px", 18)]
    y = 40
    for text, px in lines:
        draw.text((24, y), text, font=fonts(px, text), fill=(220, 220, 255))
        y += px + 18
    preview_mark(draw, size, fonts)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
