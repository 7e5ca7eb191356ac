"""What a build would cost: the stale tasks priced by their backends, and the budget that refuses a build."""
from __future__ import annotations

from typing import Any

from ..config import Config
from ..contracts import CostEstimate
from ..errors import UsageError
from .plan import Plan
from .runtime import Runtime


def estimate(plan: Plan, runtime: Runtime, config: Config) -> dict[str, Any]:
    """Estimated cost of the plan's stale tasks on backends with ``estimate_cost(model, tasks, prices)``:
    ``total`` dollars, ``priced`` and ``unpriced`` task counts, and the ``budget`` set in zflow.toml (or None)."""
    groups: dict[tuple[str, str], tuple[Any, Any, list]] = {}
    for item in plan.stale:
        runner = runtime.runners.get(item.runner)
        if isinstance(runner, CostEstimate):
            groups.setdefault((item.runner, item.model.group), (runner, item.model, []))[2].append(item.task)
    total, priced, unpriced = 0.0, 0, 0
    for runner, model, tasks in groups.values():
        each = runner.estimate_cost(model, tasks, config.extra.get("prices", {}))
        if each is None:
            unpriced += len(tasks)
        else:
            total, priced = total + each, priced + len(tasks)
    budget = config.extra.get("budget")  # checked when zflow.toml was read
    return {"total": round(total, 4), "priced": priced, "unpriced": unpriced, "budget": budget}


def check_budget(cost: dict[str, Any], source: str) -> None:
    """Refuse a build whose stale tasks would cost more than the budget, or cannot be priced under one."""
    budget = cost["budget"]
    if budget is not None and cost["unpriced"]:
        raise UsageError(f"budget in {source}: {cost['unpriced']} stale tasks run on models with no "
                         "price; give their models a price in [prices]")
    if budget is not None and cost["total"] > budget:
        raise UsageError(f"budget in {source}: the stale tasks would cost about ${cost['total']:.2f}, "
                         f"over the ${budget:.2f} budget; nothing was run")
