"""What a training tells as it goes and leaves behind: ``train-progress`` events (a few per second at most, and
at each checkpoint) and the loss-curve PNG beside the LoRA."""
from __future__ import annotations

import io
import time
from typing import Sequence

from PIL import Image, ImageDraw

from zflow.events import Emit, TrainProgress


class Reporter:
    """Sends a task's progress events: the first and last step, each checkpoint, and otherwise at most one every
    ``every`` seconds."""

    def __init__(self, emit: Emit, task_id: str, steps: int, every: float = 0.5):
        self.emit, self.task_id, self.steps, self.every = emit, task_id, steps, every
        self.last = 0.0

    def step(self, step: int, loss: float, rate: float, checkpoint: bool = False, first: bool = False) -> None:
        now = time.monotonic()
        if not (first or checkpoint or step == self.steps or now - self.last >= self.every):
            return
        self.last = now
        self.emit(TrainProgress(event="train-progress", id=self.task_id, step=step, steps=self.steps,
                                loss=round(loss, 6), it_s=round(rate, 3), checkpoint=checkpoint))


def loss_curve(losses: Sequence[float], size: tuple[int, int] = (640, 360)) -> bytes:
    """A PNG of the loss per step (grey) and its moving average (blue), with the steps and loss range written."""
    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = 56, 16, width - 12, height - 28
    draw.rectangle((left, top, right, bottom), outline=(160, 160, 160))
    if losses:
        low, high = min(losses), max(losses)
        span = (high - low) or 1.0

        def point(i: int, value: float) -> tuple[float, float]:
            x = left + (right - left) * (i / max(1, len(losses) - 1))
            return x, bottom - (bottom - top) * (value - low) / span

        draw.line([point(i, v) for i, v in enumerate(losses)], fill=(190, 190, 190), width=1)
        draw.line([point(i, v) for i, v in enumerate(moving_average(losses))], fill=(30, 90, 200), width=2)
        draw.text((4, top), f"{high:.4g}", fill="black")
        draw.text((4, bottom - 10), f"{low:.4g}", fill="black")
    draw.text((left, bottom + 8), f"loss over {len(losses)} steps", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def moving_average(values: Sequence[float], window: int = 0) -> list[float]:
    """Each value averaged with those before it in a window of about a twentieth of the run."""
    window = window or max(1, len(values) // 20)
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out
