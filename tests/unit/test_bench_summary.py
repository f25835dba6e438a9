"""`make bench` ends with the table each results file leads with."""

from __future__ import annotations

from bench.__main__ import headline


def test_the_headline_is_the_first_table_and_only_it() -> None:
    markdown = "# Title\n\nProse.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nMore.\n\n| c |\n|---|\n"

    assert headline(markdown) == ["| a | b |", "|---|---|", "| 1 | 2 |"]


def test_a_file_without_a_table_has_no_headline() -> None:
    assert headline("# Title\n\nOnly prose.\n") == []
