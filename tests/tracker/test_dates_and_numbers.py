"""Dates and numbers read correctly in every language, Arabic included (issue 13): one date format
per language for dates and date-times, values isolated inside sentences, no doubled punctuation."""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format

from tests.factories import CommitmentFactory, ProgressUpdateFactory

LANGUAGES = ["en", "fr", "es", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_time_is_the_date_followed_by_the_time(language):
    moment = datetime.datetime(2026, 11, 29, 18, 5)
    with translation.override(language):
        day = date_format(moment.date(), "DATE_FORMAT")
        when = date_format(moment, "DATETIME_FORMAT")
        short_day = date_format(moment.date(), "SHORT_DATE_FORMAT")
        short_when = date_format(moment, "SHORT_DATETIME_FORMAT")
    assert when.startswith(day) and when.endswith("18:05"), (day, when)
    assert short_when.startswith(short_day) and short_when.endswith("18:05")


def test_arabic_dates_use_the_arabic_comma_and_month_names():
    with translation.override("ar"):
        when = date_format(datetime.datetime(2026, 11, 29, 18, 5), "DATETIME_FORMAT")
    assert when == "29 نوفمبر، 2026، 18:05"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_last_changed_line_isolates_its_dates_and_ends_each_sentence_once(client, db, language):
    ProgressUpdateFactory(commitment=CommitmentFactory())
    client.cookies["django_language"] = language
    body = client.get("/").content.decode()
    line = re.search(r'<p class="last-changed note">(.*?)</p>', body, re.S).group(1)
    assert line.count("<bdi>") == 2
    text = re.sub(r"<[^>]+>", "", line)
    assert not re.search(r"[.،,]\s*\.", text), text  # "p.m.." / "2026،." never
    assert "a.m." not in text and "p.m." not in text
