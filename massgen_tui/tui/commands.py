"""The command palette's provider: every app action under a namespaced title ("config: save")."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class AppCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        run = app.run_action
        return [
            ("config: validate", "Validate the whole document now and summarise", partial(run, "validate")),
            ("config: save", "Show what changes on disk, then write the file", partial(run, "save")),
            ("config: check (dry run)", "API keys, MCP servers, Docker images, paths", partial(run, "check")),
            ("config: new from wizard", "Start a new config step by step", partial(run, "new_config")),
            ("config: add agent", "Append an agent to the Agents list", partial(run, "add_agent")),
            ("config: show YAML", "Open the YAML editor", partial(run, "show_yaml")),
            ("config: go to problems", "Focus the problems panel", partial(run, "focus_problems")),
            ("config: recover draft", "Load the draft kept for this file, if any", partial(run, "recover_draft")),
            ("view: config", "The config studio", partial(run, "show_tab('config')")),
            ("view: containers", "Agent containers", partial(run, "show_tab('containers')")),
            ("view: safety", "Tool-call safety", partial(run, "show_tab('safety')")),
            ("view: run", "Agent runs", partial(run, "show_tab('run')")),
            ("run: start", "Run the agents on the task typed in the Run tab", partial(self._in_run_tab, "start_run")),
            ("run: cancel", "Cancel the running run (saved as cancelled)", partial(self._in_run_tab, "cancel_run")),
            ("run: open saved run", "Reopen a saved run read-only", partial(self._in_run_tab, "open_saved")),
            ("containers: build image", "Build a Dockerfile or template with progress",
             partial(self._in_pane, "containers", "#containers-pane", "build")),
            ("containers: exec in selected", "Run a one-off command in the selected container",
             partial(self._in_pane, "containers", "#containers-pane", "exec")),
            ("safety: reload tools", "Start the config's MCP servers and classify their tools",
             partial(self._in_pane, "safety", "#safety-review", "reload")),
            ("safety: classify with the LLM", "Ask safety.llm about every tool now",
             partial(self._in_pane, "safety", "#safety-review", "classify_llm")),
            ("app: toggle dark/light theme", "Switch between the dark and light theme", partial(run, "toggle_theme")),
            ("app: help (keys)", "Every key and its id", partial(run, "help")),
            ("app: quit", "Quit (asks when there are unsaved changes)", partial(run, "request_quit")),
        ]

    async def _in_run_tab(self, action: str) -> None:
        await self.app.run_action("show_tab('run')")
        views = self.app.query("#run-view")
        if views:
            await self.app.run_action(action, views.first())

    async def _in_pane(self, tab: str, selector: str, action: str) -> None:
        await self.app.run_action(f"show_tab('{tab}')")
        panes = self.app.query(selector)
        if panes:
            await self.app.run_action(action, panes.first())

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
