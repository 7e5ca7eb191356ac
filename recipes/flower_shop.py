"""Petal & Post: two recurring characters kept the same from scene to scene by an instruction-edit model that sees
their character sheets (no LoRA training). Every stage runs on the preview here; these zflow.toml lines, and nothing
in this file, switch it to the real models (docs/zimage.md, "Instruction edits and reference images"):

    [stages.draft]
    backend = "zimage"
    model = "Tongyi-MAI/Z-Image-Turbo"      # drafts the scenes and the character sheets
    [stages.edit]
    backend = "zimage"
    model = "Qwen/Qwen-Image-Edit-2509"     # Edit.instruct, with the cast's sheets as input images
    options = { cpu_offload = true }        # on a GPU with less than ~60 GB
"""
from zflow import Character, Edit, Series, say, webtoon

from _brand import toon

sora = Character("sora", looks="florist in her thirties, long auburn braid, freckles, mustard cardigan, canvas apron")
ren = Character("ren", looks="bicycle courier, short bleached hair, navy windbreaker, messenger bag with a pin")

petal = Series("petal-and-post", style=toon, seed=11, size="3:4", drafts=2, refine=False,
               prompt="{{ cast }} {{ action }}, {{ place }}, {{ style }}")

petal.scene("ep01/delivery", cast=[sora, ren], action="hands over a parcel across the counter",
            place="a small flower shop full of buckets of tulips", title="The delivery",
            balloons=[say("Signature here, please!", who=ren)],
            edits=[Edit.instruct("keep both faces, hair and clothes exactly as in their character sheets; "
                                 "make them smile at each other, keep everything else")])
petal.scene("ep01/bouquet", cast=[sora], action="ties a bouquet with twine", place="the shop's work table",
            title="For someone?", balloons=[say("Is this for someone special?", who=sora)],
            edits=[Edit.instruct("keep her face, braid and cardigan exactly as in her sheet; "
                                 "add the courier from image 3 waiting at the door", references=[ren])])
petal.scene("ep01/ride", cast=[ren], action="rides away with the bouquet in his bag", place="a sunny street",
            title="Off he goes",
            edits=[Edit.instruct("keep his face, hair and windbreaker exactly as in his sheet; "
                                 "put the mug from image 3 in his bike's cup holder", references=["assets/mug.png"])])

webtoon(petal, preset="webtoon-canvas")
