"""The Safety tab: every tool of every MCP server in the config with its verdict, confidence and source,
the stored decisions (revoke, edit), verdict overrides, LLM (re)classification on demand, the audit
log of gated calls, and the Gateway view (the safety gateway run in the app, with its live calls).
Servers are started in a worker only to list their tools, then closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from massgen_tui.tui.keymap import SAFETY_BINDINGS
from massgen_tui.tui.widgets.gateway_view import GatewayView
from massgen_tui.tui.widgets.plain_table import PlainTable

SORTS = ("server", "verdict", "confidence", "source")


@dataclass
class ToolRow:
    server: str
    identity: str
    tool: str
    verdict: str
    confidence: float
    source: str
    reason: str
    decisions: str
    definition_hash: str
    info: Any


def source_of(classification: Any) -> str:
    """Which evidence decided: an override, the LLM, the server's annotations, or the rules."""
    if classification.overridden_by:
        return "override"
    if not classification.signals:
        return "rules"
    strongest = max(classification.signals, key=lambda s: s.weight).source
    return {"llm": "LLM", "annotation": "annotations", "override": "override"}.get(strongest, "rules")


class SafetyReview(Vertical):
    """``document()`` returns the current ConfigDocument (or None); ``store_path`` None = the default store."""

    DEFAULT_CSS = """
    SafetyReview { height: 1fr; }
    SafetyReview #safety-status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    SafetyReview #safety-filter { display: none; height: 1; border: none; padding: 0 1; }
    SafetyReview #safety-filter.-shown { display: block; }
    SafetyReview #safety-views { height: 1fr; }
    SafetyReview DataTable { height: 1fr; }
    SafetyReview #safety-detail { height: 3; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = SAFETY_BINDINGS

    def __init__(self, document: Callable[[], Any], *, store_path: Path | None = None, autoload: bool = True,
                 id: str | None = "safety-review", gateway_options: dict[str, Any] | None = None) -> None:
        super().__init__(id=id)
        self.document = document
        self.gateway_options = gateway_options or {}  # GatewayView's listen= and token_file=
        self.store_path = store_path
        self.autoload = autoload
        self.tools: list[ToolRow] = []
        self.decisions: list[Any] = []
        self.audit: list[Any] = []
        self.filter_text = ""
        self.sort_index = 0
        self.loading = False
        self.loaded = False
        self.settings: Any = None

    def compose(self) -> ComposeResult:
        yield Static("Press u to list the tools of this config's MCP servers.", id="safety-status")
        yield Input(placeholder="filter (server, tool, verdict, source...)", id="safety-filter")
        with TabbedContent(id="safety-views", initial="tools"):
            with TabPane("1 Tools", id="tools"):
                yield PlainTable(id="safety-tools", cursor_type="row")
            with TabPane("2 Decisions", id="decisions"):
                yield PlainTable(id="safety-decisions", cursor_type="row")
            with TabPane("3 Audit", id="audit"):
                yield PlainTable(id="safety-audit", cursor_type="row")
            with TabPane("4 Gateway", id="gateway"):
                yield GatewayView(self.document, lambda: getattr(self.app, "approver", None),
                                  store_path=self.store_path, **self.gateway_options)
        yield Static("", id="safety-detail")

    def on_mount(self) -> None:
        self.query_one("#safety-filter", Input).can_focus = False  # until / shows it
        self.query_one("#safety-tools", DataTable).add_columns("Server", "Tool", "Verdict", "Conf", "Source",
                                                               "Decisions", "Why")
        self.query_one("#safety-decisions", DataTable).add_columns("#", "Action", "Scope", "Server", "Tool",
                                                                   "By", "When", "Reason")
        self.query_one("#safety-audit", DataTable).add_columns("When", "Agent", "Server/tool", "Event", "Action",
                                                               "Decider", "Result", "Arguments")
        if self.autoload:
            self.call_after_refresh(self.action_reload)

    # ------------------------------------------------------------------ loading
    async def _open_store(self) -> Any:
        from massgen_tui.safety import DecisionStore

        return await DecisionStore.open(self.store_path)

    def action_reload(self) -> None:
        if self.loading:
            return
        self.loading = True
        self._status("Starting the config's MCP servers to list their tools...")
        self._load()

    @work(group="safety-load", exclusive=True, exit_on_error=False)
    async def _load(self, llm: bool = False) -> None:
        try:
            await self._load_inner(llm)
        except Exception as exc:
            self._status(f"Could not load: {exc}", error=True)
        finally:
            self.loading = False

    async def _load_inner(self, llm: bool) -> None:
        import logging

        from massgen_tui.commands.safety import _load_settings
        from massgen_tui.mcp import MCPServerError, MCPServerSpec, ServerManager
        from massgen_tui.safety import SafetyGate

        doc = self.document()
        if doc is None:
            self._status("The config has a YAML error: fix it first.", error=True)
            return
        self.settings = _load_settings(doc)
        logging.getLogger("mcp").setLevel(logging.CRITICAL)
        tools: list[Any] = []
        identities: dict[str, str] = {}
        failed: list[str] = []
        seen: set[tuple[str, str]] = set()
        for entry in doc.agent_entries():
            try:
                specs = [s for s in MCPServerSpec.from_backend(entry.backend) if (s.name, s.identity) not in seen]
            except MCPServerError as exc:
                failed.append(f"{entry.id}: {exc}")
                continue
            seen.update((s.name, s.identity) for s in specs)
            if not specs:
                continue
            self._status(f"Listing tools of {', '.join(s.name for s in specs)} ({entry.id})...")
            async with ServerManager(specs, agent=entry.id) as manager:
                for name, state in manager.status().items():
                    if state.ready:
                        tools += manager.tools(name)
                    else:
                        failed.append(f"{entry.id}/{name} did not start ({state.reason})")
            for spec in specs:
                identities[spec.name] = spec.identity
        store = await self._open_store()
        try:
            if llm:
                if self.settings.llm is None:
                    self.app.notify("No safety.llm in this config: the rules classify alone.", severity="warning")
                else:
                    from massgen_tui.safety.llm import LLMClassifier, endpoint_from_settings

                    self._status(f"Asking the LLM about {len(tools)} tool(s)...")
                    result = await LLMClassifier(endpoint_from_settings(self.settings.llm, doc.data), store).classify(tools)
                    if result.error:
                        self.app.notify(result.error, title="LLM", severity="error", timeout=8)
            gate = SafetyGate(self.settings, store)
            classes = await gate.review(tools, identities)
            self.decisions = await store.list(include_revoked=False)
            self.audit = list(reversed(await store.audit(limit=1000)))
        finally:
            await store.close()
        by_tool: dict[tuple[str, str], list[str]] = {}
        for d in self.decisions:
            what = d.action if d.kind == "permission" else f"mark {d.verdict}"
            by_tool.setdefault((d.server_identity, d.tool), []).append(f"#{d.id} {what} {d.scope}")
        self.tools = []
        for info, c in zip(tools, classes, strict=True):
            identity = identities.get(info.server, "")
            self.tools.append(ToolRow(info.server, identity, info.name, c.verdict, c.confidence, source_of(c),
                                      c.reasons[0] if c.reasons else "", ", ".join(by_tool.get((identity, info.name), [])),
                                      c.definition_hash, info))
        self.loaded = True
        self.render_tables()
        irr = sum(1 for t in self.tools if t.verdict == "irreversible")
        note = f"; {len(failed)} problem(s): {'; '.join(failed)}" if failed else ""
        self._status(f"{len(self.tools)} tool(s), {irr} irreversible; {len(self.decisions)} decision(s); "
                     f"{len(self.audit)} audit entries{note}", error=bool(failed))

    def _status(self, text: str, error: bool = False) -> None:
        self.query_one("#safety-status", Static).update(Text(text, style="bold red" if error else ""))

    # ------------------------------------------------------------------ tables
    def _match(self, *fields: object) -> bool:
        return not self.filter_text or any(self.filter_text in str(f).lower() for f in fields)

    def render_tables(self) -> None:
        tools_table = self.query_one("#safety-tools", DataTable)
        tools_table.clear()
        key = SORTS[self.sort_index]
        ordered = sorted(self.tools, key=lambda t: {
            "server": (t.server, t.tool), "verdict": (t.verdict != "irreversible", t.server, t.tool),
            "confidence": (-t.confidence, t.tool), "source": (t.source, t.tool)}[key])
        for t in ordered:
            if self._match(t.server, t.tool, t.verdict, t.source, t.decisions):
                verdict = Text(t.verdict, style="bold red" if t.verdict == "irreversible" else "green")
                tools_table.add_row(t.server, t.tool, verdict, f"{t.confidence:.2f}", t.source, t.decisions or "-",
                                    t.reason[:80], key=f"{t.server}/{t.tool}")
        decisions = self.query_one("#safety-decisions", DataTable)
        decisions.clear()
        for d in self.decisions:
            if self._match(d.server_name, d.tool, d.action, d.verdict, d.scope, d.reason):
                decisions.add_row(str(d.id), d.action or f"mark {d.verdict}", d.scope, d.server_name or d.server_identity,
                                  d.tool, d.created_by, time.strftime("%Y-%m-%d %H:%M", time.localtime(d.created_at)),
                                  d.reason[:60], key=str(d.id))
        audit = self.query_one("#safety-audit", DataTable)
        audit.clear()
        for a in self.audit:
            args = ", ".join(f"{k}={v}" for k, v in a.arguments.items())[:60]
            if self._match(a.agent, a.server, a.tool, a.event, a.action, a.decider, a.result, args):
                audit.add_row(time.strftime("%m-%d %H:%M:%S", time.localtime(a.ts)), a.agent or "-",
                              f"{a.server}/{a.tool}", a.event, a.action or "-", a.decider or "-", a.result or "-",
                              args, key=str(a.id))

        self._keep_focus()

    def _keep_focus(self) -> None:
        """After a dialog or a reload, keys must still reach this pane when it is what the user sees."""
        if self.app.focused is not None or self.app.screen is not self.screen:
            return
        node: Any = self
        while node is not None and hasattr(node, "display"):
            if not node.display:
                return
            node = node.parent
        self.query_one(f"#safety-{self.view}", DataTable).focus()

    @on(DataTable.RowHighlighted, "#safety-tools")
    def tool_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self._tool(str(event.row_key.value))
        if row is not None:
            self.query_one("#safety-detail", Static).update(Text(
                f"{row.server}/{row.tool}: {row.verdict} ({row.confidence:.2f}, {row.source}). {row.reason}"))

    def _tool(self, key: str | None) -> ToolRow | None:
        return next((t for t in self.tools if f"{t.server}/{t.tool}" == key), None)

    def _selected_key(self, table_id: str) -> str | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @property
    def view(self) -> str:
        return self.query_one("#safety-views", TabbedContent).active

    def action_gateway(self) -> None:
        """Start or stop the gateway (and show its view)."""
        self.action_view("gateway")
        self.query_one(GatewayView).toggle()

    def action_view(self, name: str) -> None:
        self.query_one("#safety-views", TabbedContent).active = name
        self.query_one(f"#safety-{name}", DataTable).focus()

    def action_filter(self) -> None:
        box = self.query_one("#safety-filter", Input)
        box.can_focus = True
        box.add_class("-shown")
        box.value = self.filter_text
        box.focus()

    @on(Input.Submitted, "#safety-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.filter_text = event.value.strip().lower()
        if not self.filter_text:
            event.input.remove_class("-shown")
            event.input.can_focus = False
        self.render_tables()
        self.query_one(f"#safety-{self.view}", DataTable).focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.render_tables()
        self.app.notify(f"Tools sorted by {SORTS[self.sort_index]}", timeout=2)

    def action_classify_llm(self) -> None:
        if not self.loading:
            self.loading = True
            self._status("Reclassifying with the LLM...")
            self._load(llm=True)

    # ------------------------------------------------------------------ changes to the store
    def action_override(self) -> None:
        row = self._tool(self._selected_key("#safety-tools")) if self.view == "tools" else None
        if row is None:
            self.app.notify("Pick a tool in the Tools view first (1).", severity="warning", timeout=3)
            return
        if not row.identity:
            self.app.notify("This server has no identity to store a decision for.", severity="error")
            return
        from massgen_tui.tui.screens.dialogs import ConfirmModal

        new = "reversible" if row.verdict == "irreversible" else "irreversible"

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(lambda store: store.add(
                    kind="classification", scope="user", server_identity=row.identity, server_name=row.server,
                    tool=row.tool, verdict=new, definition_hash=row.definition_hash,
                    reason="overridden in the Safety tab", created_by="human"), f"{row.tool} marked {new}")

        self.app.push_screen(ConfirmModal("Override the verdict?", f"Mark {row.server}/{row.tool} {new} for you "
                                          "everywhere (until you revoke it in Decisions)?", yes="y override", no="n keep"),
                             answered)

    def _decision(self) -> Any:
        key = self._selected_key("#safety-decisions") if self.view == "decisions" else None
        found = next((d for d in self.decisions if str(d.id) == key), None)
        if found is None:
            self.app.notify("Pick a decision in the Decisions view first (2).", severity="warning", timeout=3)
        return found

    def action_revoke(self) -> None:
        d = self._decision()
        if d is None:
            return
        from massgen_tui.tui.screens.dialogs import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(lambda store: store.revoke(d.id), f"revoked #{d.id}")

        self.app.push_screen(ConfirmModal("Revoke decision?", d.describe(), yes="y revoke", no="n keep"), answered)

    def action_edit(self) -> None:
        """Flip a permission (allow <-> deny) or an override (reversible <-> irreversible): the old one is
        revoked and a new one with the same scope is stored."""
        d = self._decision()
        if d is None:
            return

        async def flip(store: Any) -> Any:
            await store.revoke(d.id)
            if d.kind == "permission":
                return await store.add(kind="permission", scope=d.scope, server_identity=d.server_identity,
                                       server_name=d.server_name, tool=d.tool,
                                       action="deny" if d.action == "allow" else "allow", scope_key=d.scope_key,
                                       arg_pattern=d.arg_pattern, definition_hash=d.definition_hash,
                                       reason=f"edited from #{d.id}", created_by="human")
            return await store.add(kind="classification", scope=d.scope, server_identity=d.server_identity,
                                   server_name=d.server_name, tool=d.tool, scope_key=d.scope_key,
                                   verdict="reversible" if d.verdict == "irreversible" else "irreversible",
                                   definition_hash=d.definition_hash, reason=f"edited from #{d.id}", created_by="human")

        self._change(flip, f"#{d.id} flipped")

    @work(group="safety-change", exit_on_error=False)
    async def _change(self, change: Callable[[Any], Any], done: str) -> None:
        try:
            store = await self._open_store()
            try:
                await change(store)
            finally:
                await store.close()
        except Exception as exc:
            self.app.notify(f"Not changed: {exc}", severity="error", timeout=8)
            return
        self.app.notify(done, title="Safety", timeout=3)
        self.action_reload()
