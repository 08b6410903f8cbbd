"""A DataTable whose string cells are shown as they are.

Textual's DataTable reads a ``str`` cell as Rich markup: ``[redacted]`` vanishes and ``[/x]`` (a path,
an argument, a tool description) raises a MarkupError while drawing. Every table here shows strings
that come from agents, MCP servers or the engine, so they go in as plain ``Text``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable


def _plain(value: Any) -> Any:
    return Text(value) if isinstance(value, str) else value


class PlainTable(DataTable[Any]):
    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        return super().add_row(*(_plain(cell) for cell in cells), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, _plain(value), **kwargs)
