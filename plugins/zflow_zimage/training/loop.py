"""The flow-matching training loop of a LoRA on a Z-Image transformer, matching the pipeline's conventions: the
transformer sees ``timestep = 1 - sigma`` and predicts ``-(noise - x0)``; ``x_t = (1 - sigma) x0 + sigma noise``,
sigma drawn per image from a logit-normal ("sigmoid") density; AdamW with a constant rate after a warm-up.
Every random draw comes from one generator whose state is checkpointed, so a resumed run continues exactly."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

#: What a LoRA adapts: attention and feed-forward projections of every block.
TARGETS = ["to_q", "to_k", "to_v", "to_out.0", "w1", "w2", "w3"]
ADAPTER = "zflow_train"


@dataclass(slots=True)
class Progress:
    """Where a training is: the next step's number (0-based count of steps done), the loss of each step done."""

    step: int = 0
    losses: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Plan:
    """The settings of one training, from the task's params."""

    steps: int
    rank: int
    alpha: float
    lr: float
    batch_size: int
    seed: int
    checkpoint_every: int

    @classmethod
    def of(cls, settings: dict[str, Any]) -> "Plan":
        return cls(int(settings["steps"]), int(settings["rank"]), float(settings["alpha"]), float(settings["lr"]),
                   int(settings["batch_size"]), int(settings["seed"]), int(settings["checkpoint_every"]))

    @property
    def warmup(self) -> int:
        return max(1, min(100, self.steps // 10))


class Trainer:
    """A LoRA being trained on ``transformer`` from cached ``latents`` and ``embeds``."""

    def __init__(self, transformer: Any, latents: list, embeds: list, plan: Plan, device: str, autocast: Any):
        import torch
        from peft import LoraConfig

        self.transformer, self.plan, self.device, self.autocast = transformer, plan, device, autocast
        self.latents, self.embeds = latents, embeds
        transformer.requires_grad_(False)
        with torch.random.fork_rng(devices=[]):  # peft draws lora_A from the global generator: seeded, and put back
            torch.manual_seed(plan.seed)
            transformer.add_adapter(LoraConfig(r=plan.rank, lora_alpha=plan.alpha, init_lora_weights="gaussian",
                                               target_modules=TARGETS), adapter_name=ADAPTER)
        self.params = [p for p in transformer.parameters() if p.requires_grad]
        for p in self.params:
            p.data = p.data.float()  # trainable weights in float32 whatever the model's dtype
        self.optimizer = torch.optim.AdamW(self.params, lr=plan.lr, weight_decay=0.01)
        self.generator = torch.Generator().manual_seed(plan.seed)
        self.progress = Progress()

    # state ---------------------------------------------------------------------------------------------------------
    def lora_state(self) -> dict[str, Any]:
        """The trained weights with peft's names (``layers.0.attention.to_q.lora_A.weight``), on the CPU."""
        from peft import get_peft_model_state_dict

        state = get_peft_model_state_dict(self.transformer, adapter_name=ADAPTER)
        return {k: v.detach().float().cpu().clone() for k, v in state.items()}

    def state(self) -> dict[str, Any]:
        """Everything a resumed run needs: LoRA weights, optimizer, step, losses and the random generator."""
        return {"lora": self.lora_state(), "optimizer": self.optimizer.state_dict(), "step": self.progress.step,
                "losses": list(self.progress.losses), "generator": self.generator.get_state()}

    def restore(self, state: dict[str, Any]) -> None:
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(self.transformer, state["lora"], adapter_name=ADAPTER)
        self.optimizer.load_state_dict(state["optimizer"])
        self.generator.set_state(state["generator"])
        self.progress = Progress(int(state["step"]), list(state["losses"]))

    # training ------------------------------------------------------------------------------------------------------
    def run(self, save: Callable[[dict[str, Any]], None], on_step: Callable[[Progress, float, bool], None]) -> None:
        """Train to ``plan.steps``: ``save(state)`` every ``checkpoint_every`` steps (not after the last: the
        finished LoRA is the task's artifact), then ``on_step(progress, steps_per_second, saved)`` after each."""
        self.transformer.train()
        plan, progress = self.plan, self.progress
        started, first = time.perf_counter(), progress.step
        while progress.step < plan.steps:
            progress.losses.append(self.step())
            progress.step += 1
            saved = progress.step % plan.checkpoint_every == 0 and progress.step < plan.steps
            if saved:
                save(self.state())
            on_step(progress, (progress.step - first) / max(time.perf_counter() - started, 1e-9), saved)
        self.transformer.eval()

    def step(self) -> float:
        """One optimizer step on a batch; returns its loss."""
        import torch

        plan, g = self.plan, self.generator
        for group in self.optimizer.param_groups:
            group["lr"] = plan.lr * min(1.0, (self.progress.step + 1) / plan.warmup)
        picks = torch.randint(len(self.latents), (plan.batch_size,), generator=g).tolist()
        x0 = [self.latents[i] for i in picks]
        noise = [torch.randn(x.shape, generator=g) for x in x0]
        sigmas = torch.sigmoid(torch.randn(plan.batch_size, generator=g))
        noisy = [((1 - s) * x + s * n).to(self.device) for x, n, s in zip(x0, noise, sigmas)]
        dtype = self.transformer.dtype
        with self.autocast():
            out = self.transformer([x.unsqueeze(1).to(dtype) for x in noisy], (1 - sigmas).to(self.device, dtype),
                                   [self.embeds[i].to(self.device, dtype) for i in picks], return_dict=False)[0]
        losses = [torch.nn.functional.mse_loss(-o.squeeze(1).float(), (n - x).to(self.device))
                  for o, n, x in zip(out, noise, x0)]
        loss = torch.stack(losses).mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()
        return float(loss.detach())
