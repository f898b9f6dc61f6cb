"""The event date's direct readings agree with dateparser's, which they replace."""

from __future__ import annotations

import datetime as dt

import dateparser
import pytest

from realpolitik.events import polarity
from realpolitik.events.polarity import _DATE, _weekday_date, _written_date, event_date

SPELLINGS = ("Jan", "January", "Feb", "February", "Mar", "March", "Apr", "April", "May",
             "Jun", "June", "Jul", "July", "Aug", "August", "Sep", "Sept", "September",
             "Oct", "October", "Nov", "November", "Dec", "December")
DAYS = [str(d) for d in range(32)] + [f"0{d}" for d in range(10)] + ["32", "99"]


def dateparser_written(text: str) -> dt.date | None:
    parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed is not None else None


def written_forms(year: str) -> list[str]:
    forms = [f"{m}{dot} {d}{comma} {year}" for m in SPELLINGS for dot in ("", ".")
             for comma in ("", ",") for d in DAYS]
    return forms + [f"{d} {m} {year}" for m in SPELLINGS for d in DAYS]


@pytest.mark.parametrize("year", ["2025"])
def test_written_dates_agree_with_dateparser(year: str) -> None:
    for text in written_forms(year):
        assert _DATE.fullmatch(text), text
        assert _written_date(text) == dateparser_written(text), text


def test_leap_days_and_odd_years_agree_with_dateparser() -> None:
    texts = [f"{m} {d}, {y}" for m in ("Feb", "February") for d in ("28", "29", "30")
             for y in ("1900", "2000", "2024", "2025", "0999", "1000", "9999", "0000")]
    texts += [f"{d} February {y}" for d in ("29", "30") for y in ("1900", "2000", "2024")]
    for text in texts:
        assert _written_date(text) == dateparser_written(text), text


def test_weekdays_agree_with_dateparser() -> None:
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for offset in range(7):
        published = dt.date(2025, 1, 6) + dt.timedelta(days=offset)  # Monday .. Sunday
        base = dt.datetime.combine(published, dt.time(12))
        for name in names:
            for written in (name, name.title(), name.upper()):
                for prefer in ("past", "future"):
                    want = dateparser.parse(written, languages=["en"], settings={
                        "RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer}).date()
                    assert _weekday_date(written, published, prefer) == want, (
                        written, published, prefer)


def test_event_date_reads_sentences() -> None:
    friday = dt.date(2025, 3, 7)
    assert event_date("Chad and Niger met on Tuesday.", friday, "asserted") == dt.date(2025, 3, 4)
    assert event_date("They will meet on Tuesday.", friday, "planned") == dt.date(2025, 3, 11)
    assert event_date("On March 3, 2024, France sent aid.", friday, "asserted") \
        == dt.date(2024, 3, 3)
    assert event_date("Nothing dated here.", friday, "asserted") == friday
    assert event_date("Nothing dated here.", None, "asserted") is None
    # a non-ASCII case match of a weekday is read by dateparser, not dropped
    assert event_date("They met on \u017funday.", friday, "asserted") \
        == polarity._weekday_date("\u017funday", friday, "past")
