"""How an instruction names the reference images a task sends with it (character sheets, a scene's reference images),
so that every backend that takes reference images words them alike."""
from __future__ import annotations

from typing import Sequence

from .work import Artifact


def reference_role(artifact: Artifact, names: Sequence[str], index: int) -> str:
    """What the ``index``-th reference image is: a scene's reference image, or the character sheet of the
    ``index``-th of ``names`` (a draft's cast), else of the character its task id names."""
    if artifact.task_id.startswith("references/"):
        return f"reference image {artifact.meta.get('source', artifact.task_id)}"
    return f"character sheet of {_name(artifact, names, index)}"


def reference_text(roles: Sequence[str], first: int) -> str:
    """The text that names each reference image by its number (``first`` is the first one's), and asks for the
    characters to be kept as their sheets show them; empty without references."""
    if not roles:
        return ""
    lines = [f"Image {first + i} is the {role}." for i, role in enumerate(roles)]
    return " ".join(lines) + " Keep every character's face, hair and clothes exactly as in their sheet.\n"


def refine_text(strength: float) -> str:
    """What a model that takes images is asked to do with image 1, a draft, to refine it at ``strength``."""
    return (f"Image 1 is a draft. Redraw it as a finished, detailed, high-quality image, keeping its composition, "
            f"poses, characters and colours; change about {strength:.0%} of it.\n")


def _name(artifact: Artifact, names: Sequence[str], index: int) -> str:
    """A character's name: the draft's cast entry, else the sheet's task id (``characters/<name>/sheet``)."""
    if index < len(names) and names[index]:
        return names[index]
    parts = artifact.task_id.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "characters" else artifact.task_id
