"""The bundled cafe-diaries schedule through `zflow schedule --once` on real dates: a week with no calendar row skips
its exports (reported, not failed), a week with rows builds them; on the simulated clock and on the real one."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[1]
EXPORTS = {"cafe-diaries/export/sns", "cafe-diaries/export/webtoon", "cafe-diaries/export/blog"}


@pytest.fixture
def cafe(project):
    """A project holding the repository's bundled recipes (small images: base_pixels from the test config)."""
    shutil.copytree(REPO / "recipes", project.root / "recipes")
    project.write("recipes/product_batch.py", "")  # only the cafe recipe declares a schedule; keep the test short
    return project


def once(project, *at: str):
    return project.zflow("schedule", "--once", "--json", *(("--at", at[0]) if at else ()), "recipes/cafe_diaries.py")


def exported(project) -> set[str]:
    return {name.split("/")[2] for name in project.out_files() if name.startswith("cafe-diaries/export/")}


def test_a_week_with_no_calendar_row_skips_the_exports_and_the_run_succeeds(cafe):
    result = once(cafe, "2026-12-01T12:00+09:00")  # the missed fire of Monday 2026-11-30: no row is due that week
    assert result.code == 0, result.stdout + result.stderr
    assert not result.ids("task-failed")
    assert {e["id"] for e in result.events if e["event"] == "export-empty"} == EXPORTS
    assert all("no scenes of cafe-diaries" in e["reason"] for e in result.events if e["event"] == "export-empty")
    summary = next(e for e in result.events if e["event"] == "summary")
    assert summary["empty_exports"] == sorted(EXPORTS) and summary["failed"] == 0
    done = [e for e in result.events if e["event"] == "run-done"]
    assert [(e["job"], e["outcome"]) for e in done] == [("cafe-diaries", "ok")]
    assert exported(cafe) == set()


def test_the_human_output_says_what_had_nothing_to_export(cafe):
    result = cafe.zflow("schedule", "--once", "--at", "2026-12-01T12:00+09:00", "recipes/cafe_diaries.py")
    assert result.code == 0, result.stderr
    for export in EXPORTS:
        assert f"nothing to export {export}: no scenes of cafe-diaries in this run" in " ".join(result.stderr.split())
    assert "cafe-diaries: run #1 ok" in result.stderr and "failed cafe-diaries" not in result.stderr


@pytest.mark.parametrize("at, episode", [("2026-12-07T09:30+09:00", "ep01"), ("2026-12-29T08:00+09:00", "ep04")])
def test_a_week_with_a_due_row_builds_its_exports(cafe, at, episode):
    result = once(cafe, at)
    assert result.code == 0, result.stdout + result.stderr
    assert not [e for e in result.events if e["event"] == "export-empty"]
    assert exported(cafe) == {"sns", "webtoon", "blog"}
    assert {name.split("/")[1] for name in cafe.out_files() if name.startswith("cafe-diaries/ep")} == {episode}


def test_an_empty_week_after_a_full_one_keeps_the_earlier_exports(cafe):
    assert once(cafe, "2026-12-29T08:00+09:00").code == 0  # Monday 12-28: episode 4 is due
    before = {k: v for k, v in cafe.out_files().items() if k.startswith("cafe-diaries/export/")}
    assert before
    later = once(cafe, "2027-01-05T10:00+09:00")  # Monday 2027-01-04: the calendar has ended
    assert later.code == 0, later.stdout + later.stderr
    assert {e["id"] for e in later.events if e["event"] == "export-empty"} == EXPORTS
    assert {k: v for k, v in cafe.out_files().items() if k.startswith("cafe-diaries/export/")} == before


def test_the_real_clock_run_never_fails_for_want_of_scenes(cafe):
    """Whatever today is: the due fire (if any) runs ok, and each export is either built or reported empty."""
    result = once(cafe)
    assert result.code == 0, result.stdout + result.stderr
    assert not result.ids("task-failed")
    done = [e for e in result.events if e["event"] == "run-done"]
    if not done:
        assert [e["event"] for e in result.events] == ["nothing-due"]
        return
    assert [e["outcome"] for e in done] == ["ok"]
    empty = {e["id"].rsplit("/", 1)[1] for e in result.events if e["event"] == "export-empty"}
    assert empty | exported(cafe) == {"sns", "webtoon", "blog"} and not empty & exported(cafe)


def test_a_build_of_a_series_with_no_scenes_reports_its_export_instead_of_failing(project):
    project.write("recipes/empty.py", """\
        from zflow import Series, blog, sns
        s = Series("s", size="64x64", prompt="{{ action }}")
        sns(s, "x_post")
        blog(s, title="Nothing yet")
        """)
    result = project.build()
    assert result.code == 0, result.stdout + result.stderr
    assert result.summary["empty_exports"] == ["s/export/blog", "s/export/sns"]
    again = project.build()  # the no-op fast path reports them too
    assert again.code == 0 and again.summary["empty_exports"] == ["s/export/blog", "s/export/sns"]
    human = project.zflow("build")
    assert "nothing to export s/export/sns: no scenes of s in this run" in " ".join(human.stderr.split())
