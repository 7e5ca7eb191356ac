"""The gallery's view of a project: each series' scenes with their images, style variants, exports, build progress
and the current error, as JSON-able state rebuilt from the last good load and the output manifest; and one image's
details (prompt, seed, model, steps, key parts) read from the store's index."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from ..contracts import Location
from ..engine.project import Loaded, Project
from ..events import BuildEvent, Error
from ..graph.training import recipe_drops
from ..store.index import Index

#: Suffixes the page shows as pictures; other exported files are listed as links.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")


class Gallery:
    """Tracks what the page shows; every change bumps ``rev``. Used from the session thread only."""

    def __init__(self, project: Project):
        self.project = project
        self.rev = 0
        self.loaded: Loaded | None = None
        self.error: Error | None = None
        self.files: dict[str, list[tuple[str, str]]] = {}
        self.running: set[str] = set()
        self.failed: dict[str, str] = {}
        self.build: dict[str, Any] = {"running": False, "total": 0, "done": 0, "changed": [], "last": None}

    # updates -----------------------------------------------------------------------------------------------------
    def show(self, loaded: Loaded) -> None:
        """A new good load: show its graph with what out/ holds now."""
        self.loaded = loaded
        self.error = None
        self.reread()

    def reread(self) -> None:
        """Re-read the output manifest (after a build, or when the project was reopened)."""
        files: dict[str, list[tuple[str, str]]] = {}
        for rel, row in sorted(self.project.store.outputs.manifest.items()):
            files.setdefault(row[1], []).append((rel, row[0]))
        self.files = files
        self.rev += 1

    def on_event(self, event: BuildEvent) -> None:
        """Follow a build event (task started, done, failed; build start and summary)."""
        kind = event.get("event")
        if kind == "build-start":
            self.build |= {"running": True, "total": event["stale"], "done": 0}
            self.running.clear()
            self.failed.clear()
        elif kind == "task-start":
            self.running.add(event["id"])
        elif kind in ("task-done", "task-failed", "task-skipped"):
            self.running.discard(event["id"])
            self.build["done"] += 1
            if kind == "task-done":
                self._update_files(event["id"], event.get("files", ()))
            else:
                self.failed[event["id"]] = event.get("error") or f"input {event.get('because')} failed"
        elif kind == "summary":
            self.running.clear()
            self.build |= {"running": False, "last": {k: event[k] for k in
                                                      ("ran", "cached", "failed", "skipped", "superseded", "seconds")}}
            self.reread()
            return
        else:
            return
        self.rev += 1

    def changed(self, paths: list[str]) -> None:
        self.build["changed"] = paths
        self.rev += 1

    def fail(self, error: Error) -> None:
        """A recipe (or project) error: shown on the page while the last good results stay up."""
        self.error = error
        self.build["running"] = False
        self.rev += 1

    def _update_files(self, task_id: str, written: Any) -> None:
        manifest = self.project.store.outputs.manifest
        known = dict(self.files.get(task_id, ()))
        for rel in written:
            row = manifest.get(rel)
            if row is not None:
                known[rel] = row[0]
        self.files[task_id] = sorted(known.items())

    # the state ---------------------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything the page renders, JSON-able."""
        loaded = self.loaded
        series: dict[str, list[dict[str, Any]]] = {}
        exports: list[dict[str, Any]] = []
        sheets: list[dict[str, Any]] = []
        if loaded is not None:
            graph, drops = loaded.graph, recipe_drops(loaded.recipe.characters)
            for scene in loaded.recipe.scenes:
                nodes = graph.scenes.get(scene.uid)
                if nodes is None:
                    continue
                series.setdefault(scene.series, []).append({
                    "uid": scene.uid, "id": scene.id, "series": scene.series, "title": scene.title or scene.id,
                    "pick": nodes.pick,
                    "layout_pick": nodes.layout_pick,
                    "layouts": [self.layout(t) for t in nodes.layouts],
                    "control": self.image(nodes.control) if nodes.control else None,
                    "drafts": [self.image(t) for t in nodes.drafts],
                    "contact": self.image(nodes.contact) if nodes.contact else None,
                    "refine": self.image(nodes.refine) if nodes.refine else None,
                    "edits": [self.image(t) for t in nodes.edits],
                    "final": nodes.final,
                })
            for task in graph.tasks.values():
                if task.kind == "export":
                    exports.append(self.image(task.id) | {"exporter": task.params.get("exporter", "")})
                elif task.id.startswith("characters/"):
                    sheets.append(self.image(task.id) | turnaround(graph.tasks, task.id, drops))
        return {
            "rev": self.rev, "project": self.project.root.name, "error": self.error,
            "build": dict(self.build, running_tasks=sorted(self.running)),
            "series": [{"name": name, "scenes": scenes} for name, scenes in series.items()],
            "variants": style_variants(series), "characters": sheets, "exports": exports,
        }

    def image(self, task_id: str) -> dict[str, Any]:
        """One task's files as URLs (versioned by content hash), with its state; ``url`` is its first image (a train
        task's loss curve or preview card), else its first file."""
        files = [{"name": rel.rsplit("/", 1)[-1], "path": rel, "url": f"/files/{quote(rel)}?v={sha[:16]}",
                  "image": rel.lower().endswith(IMAGE_SUFFIXES)} for rel, sha in self.files.get(task_id, ())]
        state = "running" if task_id in self.running else "failed" if task_id in self.failed else ""
        url = next((f["url"] for f in files if f["image"]), files[0]["url"] if files else None)
        return {"id": task_id, "files": files, "url": url, "state": state,
                "error": self.failed.get(task_id)}


    def layout(self, task_id: str) -> dict[str, Any]:
        """A layout task as :meth:`image` has it, its frame as the picture and its control maps by name."""
        shown = self.image(task_id)
        files = {f["name"].rsplit(".", 1)[0]: f["url"] for f in shown["files"] if f["image"]}
        return shown | {"url": files.pop("image", shown["url"]), "maps": files}


def turnaround(tasks: dict[str, Any], task_id: str, drops: dict[str, Location]) -> dict[str, Any]:
    """For a turnaround sheet, whether it is dropped from its character's training set (not an input of the
    train task) and, when the recipe's ``Sheets(drop=...)`` drops it, ``recipe_drop``: where, and that only an edit
    there restores it (the recipe wins over the gallery); {} for other character tasks."""
    name, _, view = task_id.removeprefix("characters/").rpartition("/")
    train = tasks.get(f"characters/{name}/train")
    if not view.startswith("turnaround-") or train is None:
        return {}
    where = drops.get(task_id)
    why = where and (f"dropped by the recipe at {where}: take {int(view.removeprefix('turnaround-'))} out of its "
                     f"Sheets(drop=[...]) there to restore it")
    return {"turnaround": True, "dropped": task_id not in train.inputs, "recipe_drop": why}


def style_variants(series: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Scenes that share an id across series (the same scene in style A and style B), for side-by-side viewing."""
    by_id: dict[str, list[str]] = {}
    for scenes in series.values():
        for scene in scenes:
            by_id.setdefault(scene["id"], []).append(scene["uid"])
    return [{"id": scene_id, "scenes": uids} for scene_id, uids in by_id.items() if len(uids) > 1]


class TaskDetails:
    """One task's last build as the details panel shows it: prompt, seed, model, steps, guidance, size and key parts.
    Opens its own connection to the index on first use, in the thread that asks (the server's)."""

    def __init__(self, index_path: Callable[[], Path]):
        self.index_path = index_path
        self._index: Index | None = None

    def __call__(self, task_id: str) -> dict[str, Any] | None:
        """The details of ``task_id``'s last build; None when it was never built."""
        if self._index is None:
            self._index = Index(self.index_path())
        key = self._index.last_keys().get(task_id)
        row = self._index.artifact_row(key) if key else None
        if row is None:
            return None
        _, files, meta = row
        parts = self._index.parts_of_last_build(task_id) or {}
        params, model = parts.get("params") or {}, parts.get("model") or {}
        options = model.get("options") or {} if isinstance(model, dict) else {}
        return {
            "id": task_id, "key": key, "kind": parts.get("kind"), "files": sorted(files),
            "prompt": meta.get("prompt", params.get("prompt")), "negative": meta.get("negative", ""),
            "seed": meta.get("seed", params.get("seed")),
            "model": meta.get("model") or (model.get("id") if isinstance(model, dict) else model),
            "backend": meta.get("backend"), "steps": meta.get("steps") or options.get("steps") or params.get("steps"),
            "guidance": meta.get("guidance", options.get("guidance", params.get("guidance"))),
            "size": meta.get("size") or params.get("size"), "parts": parts,
        }

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
