"""Strings from agents, servers and the engine are drawn as they are, never read as markup (a stray
"[/x]" would raise while drawing)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from massgen_tui.tui.widgets.plain_table import PlainTable
from tests.support.pilot import screen_text


class TableHost(App[None]):
    def compose(self) -> ComposeResult:
        yield PlainTable(id="t")


async def test_brackets_in_cells_are_shown_not_parsed() -> None:
    app = TableHost()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(PlainTable)
        table.add_columns("path", "token")
        table.add_row("[/etc] closes nothing", "token=[redacted]", key="r")  # as a str cell: MarkupError
        await pilot.pause()
        table.update_cell("r", list(table.columns)[1], "[bold]not bold[/bold]", update_width=True)
        await pilot.pause()
        shown = screen_text(app)
        assert "[/etc] closes nothing" in shown and "[bold]not bold[/bold]" in shown


async def test_a_dialog_body_with_brackets_is_shown_as_is() -> None:
    from massgen_tui.tui.screens.dialogs import ConfirmModal

    app = TableHost()
    async with app.run_test(size=(80, 20)) as pilot:
        app.push_screen(ConfirmModal("Revoke decision?", "#3 allow fs/write_file path=[/srv]/*", yes="y", no="n"))
        await pilot.pause()
        assert "path=[/srv]/*" in screen_text(app)
