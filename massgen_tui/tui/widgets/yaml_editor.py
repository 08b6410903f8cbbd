"""The raw YAML in a code editor (tree-sitter YAML highlighting; JSON highlighting crashes, see DESIGN.md)."""

from __future__ import annotations

from textual.widgets import TextArea


class YamlEditor(TextArea):
    def __init__(self, text: str = "", *, id: str | None = None, blink: bool = True):
        super().__init__(text, language="yaml", id=id, show_line_numbers=True, tab_behavior="indent",
                         soft_wrap=False)
        self.indent_width = 2
        self.cursor_blink = blink

    def replace_all(self, text: str) -> None:
        """Load new text from the forms, keeping the cursor where it was (clamped)."""
        if text == self.text:
            return
        row, col = self.cursor_location
        with self.prevent(TextArea.Changed):
            self.load_text(text)
        last = max(0, self.document.line_count - 1)
        row = min(row, last)
        col = min(col, len(self.document.get_line(row)))
        self.cursor_location = (row, col)

    def goto(self, line: int, column: int | None = None) -> None:
        row = max(0, min(line - 1, self.document.line_count - 1))
        col = max(0, (column or 1) - 1)
        col = min(col, len(self.document.get_line(row)))
        self.cursor_location = (row, col)
        self.scroll_cursor_visible(center=True)
        self.focus()
