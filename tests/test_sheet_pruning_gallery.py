"""Pruning a turnaround set in the live gallery, in a real headless Chromium: a click on a sheet's drop button
records the drop in picks.json, retrains the character and rebuilds only the scene casting it; restore undoes it,
taking the entry out of picks.json again."""
from __future__ import annotations

import json

import pytest

from helpers.browser import browser, click, gallery, loaded, serve, wait  # noqa: F401  (fixtures)
from helpers.project import ProjectDir
from helpers.pruning import RECIPE, SHEET
from helpers.watch import ran

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def test_a_click_on_drop_prunes_the_sheet_and_retrains_only_its_character(project: ProjectDir, browser, gallery) -> None:
    from selenium.webdriver.common.by import By

    project.write("recipes/r.py", RECIPE)
    before = '{\n  "s/barista": 1\n}\n'  # a pick made earlier, as the gallery writes it
    project.write("picks.json", before)
    proc = gallery(project).proc
    wait(browser, lambda d: loaded(d, SHEET) and loaded(d, "s/dog/draft-1"), "the sheets and drafts to load")
    first = {t: loaded(browser, t) for t in ("s/dog/draft-1", "s/barista/draft-1", SHEET)}
    first_dataset = dataset_url(browser)
    assert first_dataset and "?v=" in first_dataset
    button = f'figure[data-id="{SHEET}"] button.drop'
    assert browser.find_element(By.CSS_SELECTOR, button).text == "drop"
    assert not browser.find_elements(By.CSS_SELECTOR, 'figure[data-id="characters/momo/train"] button.drop')

    click(browser, button, "a click on drop of turnaround 2")
    events = proc.rebuild()
    assert ran(events) == {"characters/momo/train", "s/dog/draft-1", "s/dog/contact", "s/dog/refine"}
    assert json.loads((project.root / "picks.json").read_text()) == {"s/barista": 1, SHEET + "#drop": 1}
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f'figure.dropped[data-id="{SHEET}"]'),
         "the sheet to show as dropped")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, button).text == "restore", "the button to offer restore")
    wait(browser, lambda d: dataset_url(d) != first_dataset, "the new training set on the page")
    assert loaded(browser, "s/barista/draft-1") == first["s/barista/draft-1"]
    assert loaded(browser, SHEET) == first[SHEET]  # still shown, to restore

    click(browser, button, "a click on restore of turnaround 2")
    events = proc.rebuild()
    assert ran(events) == set()  # the first training and draft, from the store
    assert (project.root / "picks.json").read_text() == before  # the drop's entry removed, nothing else changed
    wait(browser, lambda d: dataset_url(d) == first_dataset, "the first training set back on the page")


def dataset_url(driver) -> str | None:
    """The versioned URL of momo's training set (dataset.json) as the page has it."""
    return driver.execute_script(
        "const t = window.zflowState.characters.find((c) => c.id === 'characters/momo/train');"
        "const f = t && t.files.find((f) => f.name === 'dataset.json'); return f ? f.url : null;")


def test_a_sheet_the_recipe_drops_is_shown_marked_and_only_an_edit_of_the_recipe_restores_it(
        project: ProjectDir, browser, gallery) -> None:
    from selenium.webdriver.common.by import By

    third = "characters/momo/turnaround-03"
    project.write("recipes/r.py", RECIPE.replace("Sheets(n=3)", "Sheets(n=3, drop=[3])"))
    proc = gallery(project).proc
    wait(browser, lambda d: loaded(d, third) and loaded(d, SHEET), "the sheets, the dropped one too, to load")
    shown = browser.find_element(By.CSS_SELECTOR, f'figure.dropped.recipe-dropped[data-id="{third}"]')
    why = "dropped by the recipe at recipes/r.py:2: take 3 out of its Sheets(drop=[...]) there to restore it"
    assert "turnaround-03 · dropped" in shown.text and why in shown.text
    restore = shown.find_element(By.CSS_SELECTOR, "button.drop")
    assert restore.text == "restore" and not restore.is_enabled()
    assert not browser.find_elements(By.CSS_SELECTOR, f'figure.recipe-dropped[data-id="{SHEET}"]')
    assert dataset_images(browser) == ["characters/momo/turnaround-01", SHEET]

    browser.execute_script("drop(arguments[0], false)", third)  # what an enabled button would send: refused
    wait(browser, lambda d: d.find_element(By.ID, "status").text == f"{third} is {why}", "the refusal on the page")
    click(browser, f'figure[data-id="{SHEET}"] button.drop', "a click on drop of turnaround 2")
    proc.rebuild()
    assert json.loads((project.root / "picks.json").read_text()) == {SHEET + "#drop": 1}  # both drops combine
    wait(browser, lambda d: dataset_images(d) == ["characters/momo/turnaround-01"], "training on sheet 1 alone")
    browser.execute_script("drop(arguments[0], true)", "characters/momo/turnaround-01")
    wait(browser, lambda d: "is the last sheet momo trains on" in d.find_element(By.ID, "status").text,
         "the last sheet's drop refused")

    project.write("recipes/r.py", RECIPE)  # drop= taken out of the recipe: sheet 3 trains again
    events = proc.rebuild()
    assert ran(events) == {"characters/momo/train", "s/dog/draft-1", "s/dog/contact", "s/dog/refine"}  # not the sheet
    wait(browser, lambda d: dataset_images(d) == ["characters/momo/turnaround-01", third], "sheet 3 trained on")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, f'figure[data-id="{third}"] button.drop').text == "drop",
         "sheet 3's button to offer drop")
    assert not browser.find_elements(By.CSS_SELECTOR, ".recipe-dropped")


def dataset_images(driver) -> list[str] | None:
    """The sheets momo's training set (dataset.json, as the page links it) trains on."""
    import urllib.request

    url = dataset_url(driver)
    if url is None:
        return None
    with urllib.request.urlopen(driver.current_url.split("#")[0].rstrip("/") + url, timeout=30) as response:
        return [image["task"] for image in json.loads(response.read())["images"]]
