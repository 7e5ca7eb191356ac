"""The live gallery in a real headless Chromium: it shows the drafts, updates without a reload as files change,
shows a recipe error with file:line, and a click on a draft picks it so the refined image updates."""
from __future__ import annotations

import json

import pytest

from helpers.browser import browser, click, gallery, loaded, serve, wait  # noqa: F401  (fixtures)
from helpers.project import BASIC_RECIPE, ProjectDir

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def test_gallery_shows_drafts_updates_live_shows_errors_and_picks_on_click(basic: ProjectDir, browser, gallery) -> None:
    from selenium.webdriver.common.by import By

    gallery(basic)
    drafts = [f"s/{scene}/draft-{n}" for scene in "ab" for n in (1, 2)]
    wait(browser, lambda d: all(loaded(d, t) for t in drafts), "the drafts to load")
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.draft img")) == 4
    first = {t: loaded(browser, t) for t in drafts + ["s/a/refine", "s/b/refine"]}
    browser.execute_script("window.notReloaded = true")

    basic.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours tea"))
    wait(browser, lambda d: loaded(d, "s/a/draft-1") != first["s/a/draft-1"], "the changed draft to show")
    assert browser.execute_script("return window.notReloaded") is True
    assert loaded(browser, "s/b/draft-1") == first["s/b/draft-1"]

    basic.write("recipes/basic.py", BASIC_RECIPE + "oops = (\n")
    error = wait(browser, lambda d: d.find_element(By.ID, "error").is_displayed()
                 and d.find_element(By.ID, "error").text, "the recipe error to show")
    assert "recipes/basic.py:8" in error and "never closed" in error
    assert browser.find_elements(By.CSS_SELECTOR, "figure.draft img"), "the last good drafts stay up"

    basic.write("recipes/basic.py", BASIC_RECIPE.replace("pours coffee", "pours tea"))
    wait(browser, lambda d: not d.find_element(By.ID, "error").is_displayed(), "the error to clear")

    click(browser, 'figure.draft[data-scene="s/b"][data-draft="2"] img', "a click on draft 2 of s/b")
    wait(browser, lambda d: loaded(d, "s/b/refine") != first["s/b/refine"], "the refined image to update")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, 'figure.draft.picked[data-scene="s/b"]'
                                            '[data-draft="2"]'), "draft 2 to show as picked")
    assert json.loads((basic.root / "picks.json").read_text()) == {"s/b": 2}
    assert loaded(browser, "s/b/draft-2") == first["s/b/draft-2"]
    assert browser.execute_script("return window.notReloaded") is True
