"""The measuring tools' shared pieces: one way to print a Markdown table."""

from __future__ import annotations

from rrsis.training.tool_args import markdown_table


def test_a_markdown_table_has_a_header_its_rule_and_a_line_per_row() -> None:
    lines = markdown_table(["group", "n", "oIoU"], [["roads", 18, "44.6"], ["all", 130, ""]])
    assert lines == ["| group | n | oIoU |", "|---|---|---|", "| roads | 18 | 44.6 |",
                     "| all | 130 | |"]     # an empty cell stays one space wide
    assert markdown_table(["a"], []) == ["| a |", "|---|"]
