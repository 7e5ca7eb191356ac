"""Cafe Diaries: a weekly webtoon-style character series driven by a CSV content calendar."""
from zflow import Character, Edit, Schedule, Series, blog, narrate, say, sns, webtoon

from _brand import toon

mina = Character("mina", looks="25-year-old barista, short black bob, round glasses, green apron")
jun = Character("jun", looks="regular customer, grey hoodie, messy hair, always carries a sketchbook")

# `zflow schedule` builds it every Monday 09:00 Seoul time, rendering only the episodes dated in the next 7 days.
cafe = Series("cafe-diaries", style=toon, seed=7,
              prompt="{{ cast }} {{ action }}, {{ place }}, {{ mood }}, {{ style }}",
              schedule=Schedule("0 9 * * MON", tz="Asia/Seoul", missed="run-once"))

for ep in cafe.rows("data/episodes.csv", due="date"):
    cast = [mina, jun] if ep.n == 3 else [mina]
    cafe.scene(f"ep{ep.n:02}/opening", cast=cast, action=ep.action, place=ep.place, mood=ep.mood,
               size="3:4", drafts=4, title=ep.title, alt=f"{ep.title}: Mina {ep.action}",
               balloons=[narrate(f"Episode {ep.n}: {ep.title}"), say(ep.line, who=mina)],
               edits=[Edit.inpaint("face", "a warm, confident smile", strength=0.8)])

sns(cafe, "ig_portrait", "ig_story", "x_post", "og_image")
webtoon(cafe, preset="webtoon-canvas")
blog(cafe, title="Cafe Diaries: the first month")
