"""Small modal dialogs: confirm, quit with unsaved changes, save with diff, recover a draft.

Every dialog has a letter key for each choice: Escape is never the only way out (it is delayed in tmux).
"""

from __future__ import annotations

import re

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
    ]

    def __init__(self, title: str, body: str, yes: str = "y yes", no: str = "n no"):
        super().__init__()
        self.title_text, self.body, self.yes, self.no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(Text(self.body) if isinstance(self.body, str) else self.body, classes="dialog-body")
            yield Static(f"[b]{self.yes}[/]    [b]{self.no}[/]", classes="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class QuitModal(ModalScreen[str]):
    """Unsaved changes: save, discard, or stay. Returns "save", "discard" or "cancel"."""

    BINDINGS = [
        Binding("s,y", "answer('save')", "Save and quit", priority=True),
        Binding("d", "answer('discard')", "Discard and quit", priority=True),
        Binding("c,n,escape", "answer('cancel')", "Cancel", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Unsaved changes", classes="dialog-title")
            yield Static("The config has changes that are not on disk. A draft is kept either way until you "
                         "save or discard.", classes="dialog-body")
            yield Static("[b]s[/] save and quit    [b]d[/] discard and quit    [b]c[/] cancel", classes="dialog-keys")

    def action_answer(self, value: str) -> None:
        self.dismiss(value)


_KEY_VALUE = re.compile(r"^(?P<head>[-+ ]\s*(?:-\s+)?(?P<key>[\w.-]+):\s+)(?P<value>\S.*)$")


def mask_secrets(diff: str) -> str:
    """Hide values of secret-looking keys (tokens, API keys, passwords) in a diff shown on screen."""
    from massgen_tui.config.export import PLACEHOLDER_ONLY, is_secret_key

    out = []
    for line in diff.splitlines(keepends=True):
        match = _KEY_VALUE.match(line.rstrip("\n"))
        if match and is_secret_key(match["key"]) and not PLACEHOLDER_ONLY.match(match["value"].strip("'\"")):
            line = match["head"] + "••••••••" + ("\n" if line.endswith("\n") else "")
        out.append(line)
    return "".join(out)


class DiffModal(ModalScreen[bool]):
    """What a save will change on disk; y writes, n goes back."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Write", priority=True),
        Binding("n,escape", "answer(False)", "Cancel", priority=True),
    ]

    def __init__(self, path: str, diff: str, problems: str = ""):
        super().__init__()
        self.path, self.diff, self.problems = path, diff, problems

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(f"Save {self.path}?", classes="dialog-title")
            if self.problems:
                yield Static(Text(self.problems, style="yellow"), classes="dialog-body")
            with VerticalScroll(id="diff-view"):
                if self.diff:
                    yield Static(Syntax(mask_secrets(self.diff), "diff", theme="ansi_dark", word_wrap=True),
                                 id="diff-text")
                else:
                    yield Static("No changes: the file on disk already holds this text.", id="diff-text")
            yield Static("[b]y[/] write file    [b]n[/] cancel    ↑↓ scroll", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#diff-view").focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
