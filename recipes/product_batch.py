"""Product thumbnails: every product drawn in two styles (A/B) for a YouTube and shop campaign."""
from zflow import Edit, Series, sns, thumbnail

from _brand import neon, studio

PRODUCTS = [
    ("mug", "a speckled ceramic coffee mug with steam", "This Mug Changed My Mornings"),
    ("headphones", "matte black over-ear headphones", "Worth It? 30 Days Later"),
    ("sneakers", "white running sneakers with orange soles", "Best Runners of 2026"),
]

batch = Series("product-ab", prompt="{{ product }}, hero shot, {{ style }}", size="16:9", drafts=3,
               negative="people, hands")

for slug, product, title in PRODUCTS:
    for variant, style in (("a", studio), ("b", neon)):
        scene = batch.scene(f"{slug}/{variant}", product=product, style=style, title=title,
                            alt=f"{product} ({style.name})",
                            edits=[Edit.outpaint("2:1")] if variant == "b" else [])
        thumbnail(scene, title=title, name=f"thumb-{slug}-{variant}")

# A real product photo, restyled and put on a new background: no drafts, no refine.
photo = batch.scene("mug/photo", photo="assets/mug.png", product="the mug from the shop photo",
                    title="From the shop", edits=[Edit.background("a cozy wooden kitchen table, morning light"),
                                                   Edit.restyle("warm watercolor illustration", strength=0.5)])

sns(batch, "yt_thumbnail", "ig_square", "pinterest_pin")
