"""A real headless Chromium driven by selenium, the live gallery opened in it, and waits on a live page that
re-renders as updates arrive."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from helpers.ci import chromium, need_chromium
from helpers.project import ProjectDir
from helpers.watch import TIMEOUT, Served, serve  # noqa: F401  (serve is a fixture)

CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--disable-dev-shm-usage")


@pytest.fixture
def browser(tmp_path: Path):
    need_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_window_size(1400, 2000)
    yield driver
    driver.quit()


@pytest.fixture
def gallery(browser, serve) -> Callable[..., Served]:
    """``gallery(project, page="")`` serves the project (see ``serve``), waits for its first build and opens the
    gallery's URL (+ ``page``, e.g. ``"#reader"``) in ``browser``."""

    def open_page(proj: ProjectDir, page: str = "") -> Served:
        served = serve(proj)
        browser.get(served.url + page)
        return served

    return open_page


def loaded(driver, task_id: str) -> str | None:
    """The URL of the image the page last finished loading for ``task_id``."""
    entry = driver.execute_script("return window.zflowLoaded[arguments[0]] || null", task_id)
    return entry and entry["url"]


def wait(driver, condition, what: str):
    """Wait for ``condition`` on a page that re-renders as updates arrive (an element or frame found a moment ago
    may be gone: the condition is then tried again on the new one)."""
    from selenium.common.exceptions import NoSuchFrameException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    replaced = (StaleElementReferenceException, NoSuchFrameException)
    return WebDriverWait(driver, TIMEOUT, poll_frequency=0.05, ignored_exceptions=replaced
                         ).until(lambda d: condition(d), message=what)


def click(driver, selector: str, what: str) -> None:
    """Click an element of the live page (found again if an update replaced it before the click landed)."""
    from selenium.webdriver.common.by import By

    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True, what)
