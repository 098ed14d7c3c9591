"""Unit tests of the data quality helpers the pipelines share."""

from __future__ import annotations

from common.quality import check_freshness, check_not_null, check_row_count, check_unique, summarize

ROWS = [{"id": 1, "email": "a@example.com"}, {"id": 2, "email": None}, {"id": 2, "email": "c@example.com"}]


def test_row_count_needs_the_minimum():
    assert check_row_count("orders", 10).passed
    assert not check_row_count("orders", 0).passed


def test_not_null_counts_missing_values():
    result = check_not_null("customers", ROWS, "email")
    assert not result.passed
    assert result.detail == "1 null values"


def test_unique_counts_duplicates():
    assert check_unique("customers", ROWS, "id").detail == "1 duplicates"


def test_freshness_allows_a_day_and_a_bit():
    assert check_freshness("orders", 25.0).passed
    assert not check_freshness("orders", 30.0).passed


def test_summary_lists_what_failed():
    summary = summarize([check_row_count("orders", 0), check_freshness("orders", 1.0)])
    assert summary["failed"] == ["row_count:orders"]
    assert not summary["passed"]
