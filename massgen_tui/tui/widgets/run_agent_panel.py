"""One agent's panel in the Run tab: its streamed text, tool calls with status and results, and the
output of its commands (ANSI colours rendered, control sequences dropped, bounded per command).

The panel is fed whole batches of events (see ``run_controller``): complete lines go to a bounded
``RichLog``; the line still being streamed is shown below it and moves into the log when it ends.
"""

from __future__ import annotations

import json
import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import RichLog

from massgen_tui.agents import events as ev

MAX_LINES = 2000  # per panel (older lines scroll away)
MAX_COMMAND_LINES = 200  # per command; the rest is counted, the full result is in the saved run
MAX_RESULT_LINES = 4
MAX_LINE_CHARS = 400

# Escape sequences that are not colours (cursor moves, OSC titles...) and other control characters.
_NON_SGR = re.compile(r"\x1b\[[0-?]*[ -/]*[@-ln-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
                      r"|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]")

STATUS_STYLE = {
    "ok": ("✓", "green"),
    "tool_error": ("✗", "red"),
    "error": ("✗", "red"),
    "denied": ("⊘", "yellow"),
    "timeout": ("⏱", "red"),
    "cancelled": ("⊘", "yellow"),
}


def clean_line(line: str) -> Text:
    """A line of command output as styled text: colours kept, other escapes and controls removed, a
    carriage-return progress line reduced to its last state, very long lines cut."""
    if "\r" in line:
        line = line.rstrip("\r").rsplit("\r", 1)[-1]
    line = _NON_SGR.sub("", line.expandtabs(4))
    text = Text.from_ansi(line) if "\x1b" in line else Text(line)
    if len(text) > MAX_LINE_CHARS:
        text.truncate(MAX_LINE_CHARS - 1)
        text.append("…", style="dim")
    return text


_ANY_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
                         r"|[\x00-\x08\x0b-\x1f\x7f]")


def plain(text: str) -> str:
    """Text with every escape sequence and control character removed (newlines and tabs kept)."""
    return _ANY_ESCAPE.sub("", text) if ("\x1b" in text or any(c < " " for c in text)) else text


def rich_block(text: str) -> Text:
    """A multi-line block (a final answer) with colours rendered and other escapes removed."""
    return Text("\n").join(clean_line(line) for line in text.split("\n"))


def short(value: object, limit: int = 120) -> str:
    """One line: escapes removed, whitespace collapsed, cut at ``limit``."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(plain(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_call(tool: str, arguments: dict[str, object]) -> Text:
    if tool == "execute_command":
        return Text.assemble(("$ ", "bold cyan"), (short(arguments.get("command", ""), 300), "cyan"))
    if tool == "new_answer":
        return Text.assemble(("✎ new answer", "bold magenta"))
    if tool == "vote":
        return Text.assemble(("☑ vote ", "bold magenta"), (short(arguments.get("agent_id", "")), "magenta"))
    if tool.startswith("mcp__"):
        _, server, name = [*tool.split("__", 2), "", ""][:3]
        return Text.assemble(("⚙ ", "bold blue"), (f"{server}/{name} ", "bold blue"), (short(arguments), "dim"))
    return Text.assemble(("⚙ ", "bold blue"), (f"{tool} ", "bold blue"), (short(arguments), "dim"))


class PartialLine(Widget):
    """The line the model is still writing: one row, redrawn without a layout pass."""

    def __init__(self) -> None:
        super().__init__(classes="run-agent-partial")
        self.text = ""

    def render(self) -> Text:
        return Text(self.text[-MAX_LINE_CHARS:], no_wrap=True, overflow="ellipsis") if self.text \
            else Text("")

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()


class AgentPanel(Vertical):
    """Streams one agent. ``frozen_times`` hides durations (for deterministic screenshots)."""

    can_focus = False
    ALLOW_MAXIMIZE = True  # z in the Run tab zooms the panel holding the focus

    def __init__(self, agent_id: str, subtitle: str = "", *, frozen_times: bool = False):
        super().__init__(classes="run-agent", id=f"run-agent-{agent_id}")
        self.agent_id = agent_id
        self.model = subtitle
        self.frozen_times = frozen_times
        self._partial = ""
        self._command_partial: dict[str, str] = {}
        self._command_lines: dict[str, int] = {}
        self._streamed_calls: set[str] = set()
        self.status = "waiting"
        self.lines_written = 0

    def compose(self) -> ComposeResult:
        log = RichLog(max_lines=MAX_LINES, min_width=10, wrap=True, markup=False, highlight=False, auto_scroll=True,
                      classes="run-agent-log")
        log.can_focus = True
        yield log
        yield PartialLine()

    def on_mount(self) -> None:
        self.border_title = f"{self.agent_id}" + (f" · {self.model}" if self.model else "")
        self.set_status("waiting")

    @property
    def log_widget(self) -> RichLog:
        return self.query_one(RichLog)

    def set_status(self, status: str, detail: str = "") -> None:
        self.status = status
        self.border_subtitle = status + (f": {detail}" if detail else "")
        self.set_class(status == "stopped", "-stopped")
        self.set_class(status == "presenting", "-presenting")
        if self.is_mounted:  # the streaming row is only needed while the agent can still write
            self.query_one(PartialLine).display = status not in ("done", "stopped")

    # -- writing ---------------------------------------------------------------------------------
    def _write(self, text: Text | str) -> None:
        self.log_widget.write(text, expand=True)
        self.lines_written += 1

    def _flush_partial(self) -> None:
        if self._partial:
            self._write(self._partial)
            self._partial = ""
            self.query_one(PartialLine).set_text("")

    def _text(self, text: str) -> None:
        buffer = self._partial + text
        *lines, rest = buffer.split("\n")
        for line in lines:
            self._write(line)
        self._partial = rest
        self.query_one(PartialLine).set_text(rest)

    def _command_output(self, event: ev.CommandOutput) -> None:
        self._streamed_calls.add(event.call_id)
        buffer = self._command_partial.get(event.call_id, "") + event.text
        *lines, rest = buffer.split("\n")
        self._command_partial[event.call_id] = rest
        for line in lines:
            self._command_line(event.call_id, line, event.stream)

    def _command_line(self, call_id: str, line: str, stream: str) -> None:
        count = self._command_lines.get(call_id, 0) + 1
        self._command_lines[call_id] = count
        if count > MAX_COMMAND_LINES:
            return
        prefix = ("│ ", "red dim") if stream == "stderr" else ("│ ", "dim")
        self._write(Text.assemble(prefix, clean_line(line)))

    def _finish_call(self, event: ev.ToolCallFinished) -> None:
        rest = self._command_partial.pop(event.call_id, "")
        if rest:
            self._command_line(event.call_id, rest, "stdout")
        hidden = self._command_lines.pop(event.call_id, 0) - MAX_COMMAND_LINES
        if hidden > 0:
            self._write(Text(f"│ … {hidden} more line(s) not shown", style="dim italic"))
        mark, style = STATUS_STYLE.get(event.status, ("•", ""))
        took = "" if self.frozen_times else f" {event.duration_s:.1f}s"
        line = Text.assemble((f"{mark} {event.status}", f"bold {style}"), (took, "dim"))
        streamed = event.call_id in self._streamed_calls
        self._streamed_calls.discard(event.call_id)
        if event.tool in ("new_answer", "vote") and event.status == "ok":
            return  # the answer or vote line says it
        if event.status != "ok" or not streamed:
            result_lines = [ln for ln in event.result.splitlines() if ln.strip()]
            if result_lines:
                line.append(": ")
                line.append_text(clean_line(result_lines[0]))
            self._write(line)
            for extra in result_lines[1:MAX_RESULT_LINES]:
                self._write(Text.assemble(("  ", ""), clean_line(extra)))
            if len(result_lines) > MAX_RESULT_LINES:
                self._write(Text(f"  … {len(result_lines) - MAX_RESULT_LINES} more line(s)", style="dim italic"))
        else:
            self._write(line)

    def apply(self, event: ev.RunEvent) -> None:
        if isinstance(event, ev.TextDelta):
            self._text(event.text)
            if self.status in ("waiting", "tool"):
                self.set_status("thinking")
            return
        if isinstance(event, ev.CommandOutput):
            self._command_output(event)
            return
        if isinstance(event, ev.UsageReported):
            return
        self._flush_partial()
        if isinstance(event, ev.RoundStarted):
            sees = ", ".join(event.sees) or "no answers yet"
            self._write(Text(f"── round {event.round} · sees {sees}", style="dim"))
            if self.status != "presenting":
                self.set_status("thinking", f"round {event.round}")
        elif isinstance(event, ev.PhaseChanged) and event.phase == "presentation":
            self._write(Text("── presenting the final answer", style="bold magenta"))
            self.set_status("presenting")
        elif isinstance(event, ev.ToolCallStarted):
            self._write(describe_call(event.tool, event.arguments))
            if self.status != "presenting":
                self.set_status("tool", event.tool)
        elif isinstance(event, ev.ToolCallFinished):
            self._finish_call(event)
            if self.status == "tool":
                self.set_status("thinking")
        elif isinstance(event, ev.AnswerPosted):
            self._write(Text.assemble(("★ answer ", "bold magenta"), (event.label, "magenta"), (": ", ""),
                                      (short(event.content, 200), "")))
            self.set_status("answered", event.label)
        elif isinstance(event, ev.VoteCast):
            self._write(Text.assemble(("☑ voted for ", "bold magenta"), (event.voted_for, "magenta"),
                                      (f": {short(event.reason, 200)}" if event.reason else "", "")))
            self.set_status("voted", event.voted_for)
        elif isinstance(event, ev.AgentError):
            label = "error (agent stopped)" if event.fatal else "error"
            self._write(Text.assemble((f"{label}: ", "bold red"), (event.message, "red")))
            if event.fatal:
                self.set_status("stopped")
        elif isinstance(event, ev.Notice):
            self._write(Text(f"note: {event.message}", style="yellow"))
        elif isinstance(event, ev.FinalAnswer):
            self._write(Text("★ presented the final answer", style="bold green"))
        elif isinstance(event, ev.RunFinished) and self.status != "stopped":
            self.set_status("done")
