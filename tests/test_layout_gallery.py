"""Layouts in the live gallery, in a real headless Chromium: a scene shows its layout variants (with links to their
maps) and its control map beside the render; a click on a layout picks it and rebuilds only that scene."""
from __future__ import annotations

import json

import pytest

from helpers.browser import browser, click, gallery, loaded, serve, wait  # noqa: F401  (fixtures)
from helpers.layouts import LAYOUT_RECIPE
from helpers.project import ProjectDir
from helpers.watch import ran

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def test_a_click_on_a_layout_picks_it_and_rebuilds_only_its_scene(project: ProjectDir, browser, gallery) -> None:
    from selenium.webdriver.common.by import By

    project.write("recipes/r.py", LAYOUT_RECIPE)
    proc = gallery(project).proc
    shown = ["s/a/layout-1", "s/a/layout-2", "s/a/layout-3", "s/b/layout-1", "s/b/layout-2", "s/a/control-pose",
             "s/a/draft-1", "s/a/refine", "s/b/draft-1"]
    wait(browser, lambda d: all(loaded(d, t) for t in shown), "the layouts, the control map and drafts to load")
    first = {t: loaded(browser, t) for t in shown}
    assert first["s/a/layout-1"].startswith("/files/s/a/layout-1/image.png")  # the frame, not a map
    maps = browser.find_elements(By.CSS_SELECTOR, 'figure.layout[data-scene="s/a"][data-layout="2"] a.map')
    assert sorted(a.text for a in maps) == ["canny", "depth", "pose"]
    assert browser.find_elements(By.CSS_SELECTOR, 'figure.layout.picked[data-scene="s/a"][data-layout="1"]')
    control = browser.find_element(By.CSS_SELECTOR, 'figure.control[data-id="s/a/control-pose"]')
    assert "control: pose" in control.text
    browser.execute_script("window.notReloaded = true")

    click(browser, 'figure.layout[data-scene="s/a"][data-layout="2"] img', "a click on layout 2 of s/a")
    events = proc.rebuild()
    assert ran(events) == {"s/a/control-pose", "s/a/draft-1", "s/a/draft-2", "s/a/contact", "s/a/refine"}
    wait(browser, lambda d: loaded(d, "s/a/draft-1") != first["s/a/draft-1"], "the draft to follow layout 2")
    wait(browser, lambda d: loaded(d, "s/a/control-pose") != first["s/a/control-pose"], "the new pose map")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, 'figure.layout.picked[data-scene="s/a"]'
                                            '[data-layout="2"]'), "layout 2 to show as picked")
    assert json.loads((project.root / "picks.json").read_text()) == {"s/a#layout": 2}
    for task in ("s/b/draft-1", "s/b/layout-1", "s/a/layout-1", "s/a/layout-2"):
        assert loaded(browser, task) == first[task]
    assert browser.execute_script("return window.notReloaded") is True
