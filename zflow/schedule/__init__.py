"""Scheduled builds: jobs declared in recipes, their fire times, and the loop that runs them unattended."""
from .clock import Clock, SystemClock
from .fires import last_fire, next_fire, upcoming
from .jobs import Job, JobSource, jobs_of
from .loop import Backoff, RunResult, Runner, Scheduler
from .runner import ProjectRunner

__all__ = ["Backoff", "Clock", "Job", "JobSource", "ProjectRunner", "RunResult", "Runner", "Scheduler",
           "SystemClock", "jobs_of", "last_fire", "next_fire", "upcoming"]
