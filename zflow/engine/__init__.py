"""The engine: plan, explain, schedule and run tasks through an executor, emitting events."""
from .plan import Plan, Planned, make_plan
from .project import Loaded, Project
from .runtime import Runtime

__all__ = ["Loaded", "Plan", "Planned", "Project", "Runtime", "make_plan"]
