"""What the gallery may pick: a scene's draft or layout, or a turnaround sheet to drop from (or restore to) its
character's training set; each check says why not, for the server's 400."""
from __future__ import annotations

from typing import Any


def pick_problem(state: dict[str, Any], scene: Any, number: Any, what: str = "draft") -> str | None:
    """Why a pick of a draft (or a layout) cannot be made (unknown scene, not one of its drafts); None when it
    can."""
    if not isinstance(scene, str) or isinstance(number, bool) or not isinstance(number, int):
        return f"scene must be text and {what} a whole number"
    for series in state.get("series", ()):
        for item in series["scenes"]:
            if item["uid"] == scene:
                count = len(item[f"{what}s"])
                if not 1 <= number <= count:
                    return f"scene {scene} has {what}s 1 to {count}, not {number}" if count else \
                        f"scene {scene} has no {what}s"
                return None
    return f"no scene {scene!r} in the gallery"


def drop_problem(state: dict[str, Any], sheet: Any, drop: Any) -> str | None:
    """Why a turnaround sheet cannot be dropped (or restored): not a sheet in the gallery, not true or false, the
    last one kept, dropped in the recipe (only an edit there restores it); None when it can."""
    if not isinstance(sheet, str) or not isinstance(drop, bool):
        return "sheet must be text and drop true or false"
    turnarounds = [c for c in state.get("characters", ()) if c.get("turnaround")]
    found = next((c for c in turnarounds if c["id"] == sheet), None)
    if found is None:
        return f"no turnaround sheet {sheet!r} in the gallery"
    if found.get("recipe_drop"):
        return f"{sheet} is {'already ' if drop else ''}{found['recipe_drop']}"
    character = sheet.rsplit("/", 1)[0]
    kept = {c["id"] for c in turnarounds if c["id"].rsplit("/", 1)[0] == character and not c["dropped"]}
    if drop and kept <= {sheet}:
        return f"{sheet} is the last sheet {character.split('/')[-1]} trains on: keep at least one"
    return None
