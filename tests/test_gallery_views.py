"""The gallery's views in a real headless Chromium: drafts and style A/B variants side by side, the webtoon reader
as one continuous strip, an image's details on click (served from the store's index), the blog post previewed live,
the error state in the banner and the status bar, images below the fold loaded, zoom and keyboard navigation."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from helpers.browser import browser, click, loaded, serve, wait  # noqa: F401  (fixtures)
from helpers.project import ProjectDir

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

RECIPE = '''\
from zflow import Character, Series, Style, blog, webtoon

mina = Character("mina", looks="barista, green apron")
ink = Series("ink", style=Style("ink", "ink comic"), prompt="{{ cast }} {{ action }}, {{ style }}", size="64x64",
             drafts=2, refine=False)
pop = Series("pop", style=Style("pop", "flat pop poster"), prompt="{{ cast }} {{ action }}, {{ style }}",
             size="64x64", drafts=2, refine=False)
episode = [ink.scene(f"ep{n}", cast=[mina], action=f"pours coffee {n}", title=f"Episode {n}") for n in range(1, 9)]
pop.scene("ep1", cast=[mina], action="pours coffee 1", title="Episode 1")
webtoon(episode[:2], name="episode-1")
blog(ink, title="TITLE")
'''


@pytest.fixture
def views(project: ProjectDir, serve):
    project.write("recipes/views.py", RECIPE.replace("TITLE", "Ink diaries"))
    served = serve(project)
    return project, served.proc, served.url


def drafts_of(scenes: range) -> list[str]:
    return [f"ink/ep{n}/draft-{d}" for n in scenes for d in (1, 2)]


def test_images_below_the_fold_load_in_a_tall_page(views, browser) -> None:
    project, proc, url = views
    browser.set_window_size(1000, 700)
    browser.get(url)
    wait(browser, lambda d: all(loaded(d, t) for t in drafts_of(range(1, 9))), "every draft to load")
    height = browser.execute_script("return document.body.scrollHeight")
    assert height > 2 * 700, "the page runs well below the fold"
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    widths = wait(browser, lambda d: all(d.execute_script(
        "return [...document.querySelectorAll('#gallery img')].map((i) => i.naturalWidth)")) and d.execute_script(
        "return [...document.querySelectorAll('#gallery img')].map((i) => i.naturalWidth)"), "images to load")
    assert len(widths) >= 18 and all(w > 0 for w in widths)


def test_compare_shows_a_scenes_drafts_and_the_style_variants_side_by_side(views, browser) -> None:
    from selenium.webdriver.common.by import By

    project, proc, url = views
    browser.get(url)
    wait(browser, lambda d: loaded(d, "pop/ep1/draft-1") and loaded(d, "ink/ep1/draft-2"), "the drafts")
    click(browser, 'section[data-scene="ink/ep1"] button.compare', "compare drafts of ink/ep1")
    wait(browser, lambda d: d.execute_script("return location.hash") == "#compare/scene:ink/ep1", "the compare view")
    figures = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#compare .side-by-side figure img"),
                   "the compared drafts")
    assert [f.get_attribute("data-task") for f in figures] == ["ink/ep1/draft-1", "ink/ep1/draft-2"]
    first, second = (f.rect for f in figures)
    assert abs(first["y"] - second["y"]) < 2 and second["x"] >= first["x"] + first["width"]
    assert first["width"] > 300, "compared images are shown large"
    assert browser.find_element(By.ID, "gallery").is_displayed() is False

    click(browser, "#views a[data-view=gallery]", "back to the gallery")
    click(browser, 'button.compare[data-compare="styles:ep1"]', "compare the style variants of ep1")
    variants = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#compare .side-by-side figure.variant img"),
                    "the style variants")
    assert sorted(v.get_attribute("data-task") for v in variants) == ["ink/ep1/draft-1", "pop/ep1/draft-1"]
    a, b = (v.rect for v in variants)
    assert abs(a["y"] - b["y"]) < 2 and a["x"] != b["x"]
    wait(browser, lambda d: all(d.execute_script("return arguments[0].naturalWidth", v) for v in variants),
         "the variants to load")


def test_the_webtoon_reader_shows_the_episode_as_one_continuous_strip(views, browser) -> None:
    from selenium.webdriver.common.by import By

    project, proc, url = views
    browser.get(url + "#reader")
    slices = sorted(name for name in project.out_files() if "/export/episode-1/" in name
                    and "/thumbnails/" not in name and name.endswith(".jpg"))
    assert len(slices) >= 2
    strip = wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#reader .strip img")) == len(slices)
                 and d.find_elements(By.CSS_SELECTOR, "#reader .strip img"), "the strip")
    wait(browser, lambda d: all(d.execute_script("return arguments[0].naturalWidth", i) for i in strip),
         "every slice to load")
    rects = [i.rect for i in strip]
    for upper, lower in zip(rects, rects[1:]):
        assert abs(upper["y"] + upper["height"] - lower["y"]) < 1.5, "slices join without a gap"
        assert upper["x"] == lower["x"] and upper["width"] == lower["width"]
    assert [i.get_attribute("alt") for i in strip] == [s.rsplit("/", 1)[-1] for s in slices]


def test_details_panel_shows_prompt_seed_model_steps_and_key_parts(views, browser) -> None:
    from selenium.webdriver.common.by import By

    project, proc, url = views
    browser.get(url)
    wait(browser, lambda d: loaded(d, "ink/ep3/draft-2"), "the draft")
    click(browser, 'figure[data-id="ink/ep3/draft-2"] button.info', "the details button")
    panel = wait(browser, lambda d: d.find_element(By.ID, "details").is_displayed()
                 and d.find_elements(By.CSS_SELECTOR, "#details dd.prompt") and d.find_element(By.ID, "details"),
                 "the details panel")
    served = json.loads(urllib.request.urlopen(url + "api/details?task=ink/ep3/draft-2", timeout=10).read())
    text = {dd.get_attribute("class"): dd.text for dd in panel.find_elements(By.CSS_SELECTOR, "dd")}
    assert text["prompt"] == served["prompt"] == "mina (barista, green apron) pours coffee 3, ink comic"
    assert text["seed"] == str(served["seed"]) and text["model"] == "preview" and text["size"] == "64×64"
    parts = json.loads(panel.find_element(By.CSS_SELECTOR, "pre.parts").text)
    assert parts["params"]["seed"] == served["seed"] and parts["impl"].startswith("preview@")
    zoomable = panel.find_element(By.CSS_SELECTOR, "img.zoomable")
    before = zoomable.rect["width"]
    zoomable.click()
    wait(browser, lambda d: "zoomed" in zoomable.get_attribute("class"), "the zoom")
    assert zoomable.rect["width"] != before
    browser.find_element(By.TAG_NAME, "body").send_keys("\ue00c")  # Escape
    wait(browser, lambda d: not d.find_element(By.ID, "details").is_displayed(), "the panel to close")


def test_details_api_answers_from_the_store_and_refuses_what_was_never_built(views) -> None:
    project, proc, url = views
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url + "api/details?task=ink/ep99/draft-1", timeout=10)
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(url + "api/details", timeout=10)
    assert bad.value.code == 400
    found = json.loads(urllib.request.urlopen(url + "api/details?task=ink/ep1/draft-1", timeout=10).read())
    assert found["kind"] == "draft" and found["files"] == ["image.png"] and len(found["key"]) == 64


def test_the_blog_post_is_previewed_live(views, browser) -> None:
    from selenium.webdriver.common.by import By

    project, proc, url = views
    browser.get(url + "#blog")

    def title(d) -> str:
        frame = d.find_element(By.CSS_SELECTOR, "#blog iframe")
        d.switch_to.frame(frame)
        try:
            return d.find_element(By.TAG_NAME, "h1").text
        finally:
            d.switch_to.default_content()

    wait(browser, lambda d: title(d) == "Ink diaries", "the post in the frame")
    project.write("recipes/views.py", RECIPE.replace("TITLE", "Ink diaries, revised"))
    wait(browser, lambda d: title(d) == "Ink diaries, revised", "the post to update")


def test_the_status_bar_shows_the_error_state_during_an_error(views, browser) -> None:
    from selenium.webdriver.common.by import By

    project, proc, url = views
    browser.get(url)
    wait(browser, lambda d: "ran" in d.find_element(By.ID, "status").text, "the build status")
    project.write("recipes/views.py", RECIPE + "oops = (\n")
    status = wait(browser, lambda d: d.find_element(By.ID, "error").is_displayed()
                  and d.find_element(By.ID, "status").text, "the error")
    assert status.startswith(f"error in recipes/views.py:{RECIPE.count(chr(10)) + 1}")
    assert "failing" in browser.find_element(By.TAG_NAME, "header").get_attribute("class")
    project.write("recipes/views.py", RECIPE.replace("TITLE", "Ink diaries"))
    wait(browser, lambda d: not d.find_element(By.ID, "error").is_displayed()
         and not d.find_element(By.ID, "status").text.startswith("error"), "the error to clear")
    assert "failing" not in browser.find_element(By.TAG_NAME, "header").get_attribute("class")


def test_keyboard_moves_through_drafts_picks_and_zooms(views, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    project, proc, url = views
    browser.get(url)
    wait(browser, lambda d: loaded(d, "ink/ep2/draft-2"), "the drafts")
    body = browser.find_element(By.TAG_NAME, "body")

    def focused(d) -> str | None:
        return d.execute_script("const f = document.querySelector('figure.draft.focused'); return f && f.dataset.id")

    body.send_keys(Keys.ARROW_RIGHT)
    assert wait(browser, focused, "a focused draft") == "ink/ep1/draft-1"
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_DOWN)
    wait(browser, lambda d: focused(d) == "ink/ep2/draft-2", "draft 2 of the next scene")
    body.send_keys(Keys.ENTER)
    wait(browser, lambda d: (project.root / "picks.json").exists()
         and json.loads((project.root / "picks.json").read_text()) == {"ink/ep2": 2}, "the pick")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, 'figure.draft.picked[data-id="ink/ep2/draft-2"]'),
         "draft 2 to show as picked")
    thumbnail = 'figure[data-id="ink/ep2/draft-1"] img'
    # The pick's rebuild may re-render the page between finding the image and reading its size: read both at once.
    width = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, thumbnail).rect["width"], "the thumbnail's width")
    assert width >= 200, "thumbnails are larger than before (150 px)"
    body.send_keys("+")
    body.send_keys("+")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, thumbnail).rect["width"] == width + 40,
         "the thumbnails to grow")
    body.send_keys("i")
    wait(browser, lambda d: d.find_element(By.ID, "details").is_displayed()
         and "ink/ep2/draft-2" in d.find_element(By.ID, "details").text, "the details of the focused draft")
