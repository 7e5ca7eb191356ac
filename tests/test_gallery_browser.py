"""The live gallery in a real headless Chromium: it shows the drafts, updates without a reload as files change,
shows a recipe error with file:line, and a click on a draft picks it so the refined image updates."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import BASIC_RECIPE, ProjectDir
from test_watch import TIMEOUT, WatchProcess

CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--disable-dev-shm-usage")


def missing_browser() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install selenium)"
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        return "no Chromium (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "no chromedriver (apt-get install chromium-driver)"
    return None


@pytest.fixture
def browser(tmp_path: Path):
    reason = missing_browser()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the gallery browser test must run in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_window_size(1400, 2000)
    yield driver
    driver.quit()


def loaded(driver, task_id: str) -> str | None:
    """The URL of the image the page last finished loading for ``task_id``."""
    entry = driver.execute_script("return window.zflowLoaded[arguments[0]] || null", task_id)
    return entry and entry["url"]


def wait(driver, condition, what: str):
    """Wait for ``condition`` on a page that re-renders as updates arrive (an element found a moment ago may be
    gone: the condition is then tried again on the new one)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)
                         ).until(lambda d: condition(d), message=what)


def click(driver, selector: str, what: str) -> None:
    """Click an element of the live page (found again if an update replaced it before the click landed)."""
    from selenium.webdriver.common.by import By

    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True, what)


def test_gallery_shows_drafts_updates_live_shows_errors_and_picks_on_click(basic: ProjectDir, browser) -> None:
    from selenium.webdriver.common.by import By

    proc = WatchProcess(basic, "--serve", "--port", "0")
    try:
        url = proc.until(lambda e: e["event"] == "serving")[-1]["url"]
        proc.until(lambda e: e["event"] == "watching")
        browser.get(url)
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
    finally:
        assert proc.stop() == 0
