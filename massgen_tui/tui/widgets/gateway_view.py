"""The Gateway view of the Safety tab: the safety gateway run inside the app, with its live calls.

``g`` starts it for the config being edited (saved or not): one MCP server over streamable HTTP on
loopback that re-exposes the config's MCP servers, every call through the safety gate. Calls that
need a human open the app's approval dialog (wherever the user is in the app); decisions and audit
go to the same store as everywhere else. The token is the one the CLI uses (``gateway.token`` in
massgen-tui's data folder), so a client configured once works with both. ``g`` again stops it: the
listener closes and the upstream servers are shut down. The gateway lives in one worker: leaving
the app cancels it, which closes everything.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.worker import Worker

from massgen_tui.tui.widgets.plain_table import PlainTable

DEFAULT_LISTEN = "127.0.0.1:8765"  # as `massgen-tui gateway --listen`
COLUMNS = ("When", "Tool", "Verdict", "Decision", "By", "Result", "ms", "Arguments")
MAX_ROWS = 500  # live calls kept on screen (the audit log keeps them all)

RESULT_STYLE = {"ok": "green", "denied": "bold yellow", "tool_error": "red", "error": "bold red",
                "timeout": "bold red", "cancelled": "yellow", "running": "cyan"}


class GatewayView(Vertical):
    """``document()`` gives the config (or None); ``approver()`` the gate's approver (None: deny)."""

    DEFAULT_CSS = """
    GatewayView { height: 1fr; }
    GatewayView #gateway-status { height: auto; max-height: 4; padding: 0 1; }
    GatewayView DataTable { height: 1fr; }
    """

    def __init__(self, document: Callable[[], Any], approver: Callable[[], Any], *,
                 store_path: Path | None = None, listen: str = DEFAULT_LISTEN, token_file: Path | None = None) -> None:
        super().__init__(id="gateway-view")
        self.document = document
        self.approver = approver
        self.store_path = store_path
        self.listen = listen
        self.token_file = token_file
        self.url: str | None = None
        self.gateway: Any = None  # the running Gateway (its gate, store, routes)
        self.worker: Worker[None] | None = None
        self.calls: dict[str, float] = {}  # call id -> when it started (rows on screen)

    def compose(self) -> ComposeResult:
        yield Static(self._stopped_text(), id="gateway-status")
        yield PlainTable(id="safety-gateway", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)  # keyed by name: a call's end updates cells by column name

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.is_running

    def toggle(self) -> None:
        if self.running:
            assert self.worker is not None
            self.worker.cancel()
            self._status(Text("Stopping the gateway...", style="yellow"))
        else:
            self._status(Text("Starting the gateway: connecting the config's MCP servers...", style="cyan"))
            self.worker = self._serve()

    # ------------------------------------------------------------------ the gateway's worker
    @work(group="gateway", exclusive=True, exit_on_error=False)
    async def _serve(self) -> None:
        from massgen_tui.gateway import (
            GatewayError,
            ListenAddress,
            load_or_create_token,
            open_gateway,
            plan_document,
        )
        from massgen_tui.gateway.setup import safety_settings

        try:
            doc = self.document()
            if doc is None:
                raise GatewayError("the config has a YAML error: fix it first")
            plan = plan_document(doc)
            safety_settings(plan)  # a bad safety section is said before anything starts
            address = ListenAddress.parse(self.listen)
            address.check(allow_remote=False)
            token, created = load_or_create_token(self.token_file)
            approver = self.approver()
            if approver is None:
                from massgen_tui.safety.approval import DenyingApprover

                approver = DenyingApprover("no approval dialog in this window: calls that need a human are denied")
            workspace = Path(doc.path).parent if getattr(doc, "path", None) else Path.cwd()
            async with open_gateway(plan, approver, store_path=self.store_path, workspace=workspace) as gateway:
                listener = await gateway.start_http(address, token)
                stream = gateway.events()
                try:
                    self.gateway, self.url = gateway, listener.url
                    self._show_running(gateway, created)
                    async for event in stream:
                        self._on_event(event)
                finally:
                    stream.close()
                    self.gateway, self.url = None, None
                    await listener.aclose()
        except asyncio.CancelledError:
            self._status(self._stopped_text())
            raise
        except Exception as exc:  # GatewayError and anything the servers or the store raise: say it here
            self._status(Text(f"The gateway could not start: {exc}", style="bold red"))
            self.app.notify(str(exc), title="Gateway", severity="error", timeout=8)

    def _status(self, text: Text) -> None:
        if self.is_mounted:
            self.query_one("#gateway-status", Static).update(text)

    def _stopped_text(self) -> Text:
        return Text.assemble(("Gateway stopped. ", "bold"), "g serves this config's MCP servers to any MCP client "
                             "(Claude Code, Codex, MassGen) through the safety gate; calls that need a human open "
                             "the approval dialog here.")

    def _show_running(self, gateway: Any, created: bool) -> None:
        from massgen_tui.gateway import default_token_path

        token_path = self.token_file or default_token_path()
        states = gateway.status()
        ready = [name for name, state in states.items() if state.ready]
        down = [f"{name}: {state.reason or state.status}" for name, state in states.items() if not state.ready]
        line = Text.assemble(("● listening ", "bold green"), (str(self.url), "bold"),
                             f"  {len(gateway.routes())} tools of {', '.join(ready) or 'no server'}  ",
                             ("g stop", "dim"))
        line.append(f"\nclients send 'Authorization: Bearer <token>'; the token is in {token_path}"
                    + (" (new)" if created else ""))
        if down:
            line.append("\nnot served: " + "; ".join(down), style="red")
        self._status(line)

    # ------------------------------------------------------------------ live calls
    def _on_event(self, event: Any) -> None:
        from massgen_tui.mcp.events import CallEnded, CallFailed, CallStarted
        from massgen_tui.safety.redaction import redact

        table = self.query_one(DataTable)
        if isinstance(event, CallStarted):
            args = json.dumps(redact(dict(event.arguments)), ensure_ascii=False, default=str)  # secrets masked
            table.add_row(time.strftime("%H:%M:%S", time.localtime(event.at)), f"{event.server}/{event.tool}",
                          "…", "…", "", Text("running", style=RESULT_STYLE["running"]), "", args[:80],
                          key=event.call_id)
            self.calls[event.call_id] = event.at
            while len(self.calls) > MAX_ROWS:
                oldest = next(iter(self.calls))
                del self.calls[oldest]
                table.remove_row(oldest)
            if table.row_count:
                table.move_cursor(row=table.row_count - 1)  # follow the newest call
        elif isinstance(event, CallEnded | CallFailed) and event.call_id in self.calls:
            gate = getattr(self.gateway, "gate", None)
            verdict = gate.last_verdicts.get(event.call_id) if gate is not None else None
            if verdict is not None:
                irreversible = verdict.classification.verdict == "irreversible"
                values = {"Verdict": Text(verdict.classification.verdict, style="red" if irreversible else "green"),
                          "Decision": Text(verdict.action, style="bold yellow" if verdict.action == "deny" else ""),
                          "By": verdict.decider}
            else:  # refused before the gate (a filtered tool, a server down)
                values = {"Verdict": "-", "Decision": "-", "By": getattr(event, "decided_by", "") or "-"}
            values["Result"] = Text(event.status, style=RESULT_STYLE.get(event.status, ""))
            values["ms"] = f"{event.duration_s * 1000:.0f}"
            for name, value in values.items():
                table.update_cell(event.call_id, name, value, update_width=True)
