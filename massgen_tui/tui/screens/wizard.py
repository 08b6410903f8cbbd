"""The new-config wizard: preset, agents, backends and models, tools, Docker, safety, preview, save.

Each step is one page of a modal; ctrl+n / ctrl+b move between steps (buttons are not needed), and
the config is built from the preset text with the core's round-trip edits, so preset comments stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import ContentSwitcher, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from massgen_tui.config import ConfigDocument, ConfigError
from massgen_tui.tui import config_access as core

STEPS = ("preset", "count", "backends", "tools", "docker", "safety", "preview")
TITLES = {
    "preset": "1/7 Preset: what kind of team",
    "count": "2/7 How many agents",
    "backends": "3/7 Backend and model for each agent",
    "tools": "4/7 Tools and MCP servers",
    "docker": "5/7 Where commands run",
    "safety": "6/7 Tool-call safety defaults",
    "preview": "7/7 Preview and save",
}
BLANK = "blank"
BLANK_TEXT = "agents: []\nui:\n  display_type: rich_terminal\n  logging_enabled: true\n"
MAX_AGENTS = 12


@dataclass(frozen=True)
class WizardResult:
    path: Path
    text: str
    saved: bool

    @property
    def saved_text(self) -> str:
        return self.text if self.saved else ""


@dataclass
class WizardChoices:
    preset_text: str = BLANK_TEXT
    backends: list[tuple[str, str]] | None = None  # (type, model) per agent
    filesystem_mcp: bool = False
    command_line: bool = False
    docker: bool = False
    template: str = "python"
    memory: str = ""
    preset_memory: str = ""  # the first docker agent's limit in the preset: left per agent unless changed
    reversible: str = "allow"
    irreversible: str = "ask"
    planning_mode: bool = False


FILESYSTEM_SERVER = {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."]}


def _servers(backend: Any) -> list[str]:
    servers = backend.get("mcp_servers") if hasattr(backend, "get") else None
    if isinstance(servers, list):
        return [str(s.get("name", "")) for s in servers if hasattr(s, "get")]
    return [str(name) for name in servers] if hasattr(servers, "keys") else []


def choices_from_preset(preset_text: str) -> WizardChoices:
    """The wizard's answers as the preset already gives them, so each step starts from what the preset
    does and the config matches what the steps show."""
    choices = WizardChoices(preset_text=preset_text)
    try:
        doc = ConfigDocument.from_text(preset_text)
    except ConfigError:
        return choices
    backends = [e.backend for e in doc.agent_entries()]
    docker = [b for b in backends if b.get("command_line_execution_mode") == "docker"]
    choices.command_line = any(b.get("enable_mcp_command_line") is True for b in backends) and not docker
    choices.docker = bool(docker)
    if docker:
        choices.template = str(docker[0].get("command_line_docker_template") or choices.template)
        choices.memory = choices.preset_memory = str(docker[0].get("command_line_docker_memory_limit") or "")
    choices.filesystem_mcp = any("filesystem" in _servers(b) for b in backends)
    defaults = doc.get("safety.defaults")
    if hasattr(defaults, "get"):
        choices.reversible = str(defaults.get("reversible") or choices.reversible)
        choices.irreversible = str(defaults.get("irreversible") or choices.irreversible)
    choices.planning_mode = doc.get("safety.planning_mode") is True
    return choices


def build_config(choices: WizardChoices) -> str:
    """The YAML text for the wizard's choices, made from the preset with round-trip edits."""
    doc = ConfigDocument.from_text(choices.preset_text)
    entries = doc.agent_entries()
    if entries and entries[0].location == "agent":  # a single-agent preset: make it a list
        single = doc.get("agent")
        doc.delete("agent")
        doc.set_value("agents", [single])
        doc = ConfigDocument.from_text(doc.to_text())
        entries = doc.agent_entries()
    wanted = choices.backends or [(e.backend.get("type", ""), e.backend.get("model", "")) for e in entries]
    if not isinstance(doc.get("agents"), list):
        doc.set_value("agents", [])
    for n in range(len(entries) - 1, len(wanted) - 1, -1):
        doc.delete(f"agents[{n}]")
    for n, (btype, model) in enumerate(wanted):
        if n >= len(entries):
            doc.set_value(f"agents[{n}]", {"id": f"agent_{n + 1}", "backend": {}})
        base = f"agents[{n}].backend"
        doc.set_value(f"{base}.type", btype)
        if model:
            doc.set_value(f"{base}.model", model)
        else:
            doc.delete(f"{base}.model")
        backend = doc.get(base)
        if choices.command_line or choices.docker:
            doc.set_value(f"{base}.enable_mcp_command_line", True)
        elif doc.has(f"{base}.enable_mcp_command_line"):  # "no" means no, preset or not
            doc.delete(f"{base}.enable_mcp_command_line")
        if choices.docker:
            doc.set_value(f"{base}.command_line_execution_mode", "docker")
            doc.set_value(f"{base}.command_line_docker_template", choices.template)
            if choices.memory and choices.memory != choices.preset_memory:
                doc.set_value(f"{base}.command_line_docker_memory_limit", choices.memory)
            elif not choices.memory and doc.has(f"{base}.command_line_docker_memory_limit"):
                doc.delete(f"{base}.command_line_docker_memory_limit")
        elif hasattr(backend, "keys"):
            for key in [k for k in backend if str(k).startswith("command_line_docker_")
                        or (k == "command_line_execution_mode" and backend[k] == "docker")]:
                doc.delete(f"{base}.{key}")
        servers = _servers(doc.get(base))
        listed = isinstance(doc.get(f"{base}.mcp_servers"), list)  # keep the form the preset uses
        if choices.filesystem_mcp and "filesystem" not in servers:
            if listed:
                doc.set_value(f"{base}.mcp_servers[{len(servers)}]", {"name": "filesystem", **FILESYSTEM_SERVER})
            else:
                doc.set_value(f"{base}.mcp_servers.filesystem", dict(FILESYSTEM_SERVER))
        elif not choices.filesystem_mcp and "filesystem" in servers:
            doc.delete(f"{base}.mcp_servers[{servers.index('filesystem')}]" if listed
                       else f"{base}.mcp_servers.filesystem")
    doc.set_value("safety.defaults.reversible", choices.reversible)
    doc.set_value("safety.defaults.irreversible", choices.irreversible)
    if choices.planning_mode:
        doc.set_value("safety.planning_mode", True)
    elif doc.has("safety.planning_mode"):
        doc.delete("safety.planning_mode")
    return doc.to_text()


def _yes_no(widget_id: str, label: str, hint: str) -> ComposeResult:
    """A yes/no choice that reads the same without colour (a checkbox does not under NO_COLOR)."""
    with Horizontal(classes="field"):
        yield Label(label, classes="field-label")
        yield Select([("no", False), ("yes", True)], value=False, allow_blank=False, compact=True, id=widget_id)
    yield Static(f"  {hint}", classes="hint")


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class WizardScreen(ModalScreen[WizardResult | None]):
    BINDINGS = [
        Binding("ctrl+n", "step(1)", "Next step", priority=True),
        Binding("ctrl+b", "step(-1)", "Back", priority=True),
        Binding("ctrl+s", "finish(True)", "Save", priority=True),
        Binding("ctrl+o", "finish(False)", "Open without saving", priority=True),
        Binding("ctrl+x,escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, default_path: Path):
        super().__init__()
        self.default_path = default_path
        self.presets = core.presets()
        self.step = 0
        self.choices = WizardChoices()
        self.agent_rows = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="wizard"):
            yield Static("", id="wizard-title", classes="dialog-title")
            with ContentSwitcher(initial="preset", id="wizard-steps"):
                with Vertical(id="preset", classes="wizard-step"):
                    options = [Option(Text.assemble((BLANK, "bold"), "  start from scratch"), id=BLANK)]
                    for name, (description, _) in self.presets.items():
                        options.append(Option(Text.assemble((name, "bold"), f"  {description}"), id=name))
                    yield OptionList(*options, id="preset-list")
                with Vertical(id="count", classes="wizard-step"):
                    yield Label(f"Number of agents (1-{MAX_AGENTS}):")
                    yield Input("", id="agent-count", compact=True, type="integer")
                    yield Static("", id="count-note", classes="field-note -error")
                with VerticalScroll(id="backends", classes="wizard-step"):
                    yield Static("Tab moves between fields; the model field completes from the backend's list.",
                                 classes="hint")
                with Vertical(id="tools", classes="wizard-step"):
                    yield from _yes_no("wiz-cli", "Command line", "each agent can run shell commands")
                    yield from _yes_no("wiz-fs", "Filesystem MCP", "npx @modelcontextprotocol/server-filesystem")
                with Vertical(id="docker", classes="wizard-step"):
                    yield from _yes_no("wiz-docker", "Use Docker", "commands run in one container per agent")
                    with Horizontal(classes="field"):
                        yield Label("Template", classes="field-label")
                        yield Select([(t, t) for t in core.DOCKER_TEMPLATES], value="python", allow_blank=False,
                                     compact=True, id="wiz-template")
                    with Horizontal(classes="field"):
                        yield Label("Memory", classes="field-label")
                        yield Input("", placeholder="e.g. 2g (empty: no limit)", compact=True, id="wiz-memory")
                with Vertical(id="safety", classes="wizard-step"):
                    for verdict, default in (("reversible", "allow"), ("irreversible", "ask")):
                        with Horizontal(classes="field"):
                            yield Label(verdict.capitalize(), classes="field-label")
                            yield Select([(a, a) for a in core.ACTIONS], value=default, allow_blank=False,
                                         compact=True, id=f"wiz-{verdict}")
                    yield from _yes_no("wiz-planning", "Planning mode", "block every irreversible call")
                with Vertical(id="preview", classes="wizard-step"):
                    yield Static("", id="preview-problems")
                    yield TextArea("", language="yaml", read_only=True, id="wizard-preview", soft_wrap=False)
                    with Horizontal(classes="field"):
                        yield Label("Save as", classes="field-label")
                        yield Input(_shown_path(self.default_path), compact=True, id="wiz-path")
            yield Static("", id="wizard-keys", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#wizard-preview", TextArea).cursor_blink = getattr(self.app, "blink", True)
        self._show()

    def _show(self) -> None:
        name = STEPS[self.step]
        self.query_one(ContentSwitcher).current = name
        self.query_one("#wizard-title", Static).update(f"New config — {TITLES[name]}")
        keys = "[b]ctrl+n[/] next  [b]ctrl+b[/] back  [b]ctrl+x[/] cancel"
        if name == "preview":
            keys = "[b]ctrl+s[/] save  [b]ctrl+o[/] open unsaved  [b]ctrl+b[/] back  [b]ctrl+x[/] cancel"
        self.query_one("#wizard-keys", Static).update(keys)
        first = {"preset": "#preset-list", "count": "#agent-count", "tools": "#wiz-cli", "docker": "#wiz-docker",
                 "safety": "#wiz-reversible", "preview": "#wiz-path"}.get(name)
        if first:
            self.query_one(first).focus()
        elif name == "backends":
            selects = self.query("#backends Select")
            if selects:
                selects.first().focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_step(1)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "wiz-path":
            self.action_finish(True)
        else:
            self.action_step(1)

    def on_select_changed(self, event: Select.Changed) -> None:
        select_id = event.select.id or ""
        if select_id.startswith("wiz-type-"):
            n = select_id.removeprefix("wiz-type-")
            model = self.query_one(f"#wiz-model-{n}", Input)
            btype = str(event.value)
            model.suggester = SuggestFromList(core.models_for(btype), case_sensitive=False)
            if not model.value or model.value not in core.models_for(btype):
                model.value = core.default_model(btype) or ""

    # ------------------------------------------------------------------ steps
    def _preset_agents(self) -> list[tuple[str, str]]:
        try:
            doc = ConfigDocument.from_text(self.choices.preset_text)
        except ConfigError:
            return []
        return [(str(e.backend.get("type", "")), str(e.backend.get("model", "") or "")) for e in doc.agent_entries()]

    def _leave(self, name: str) -> bool:
        """Collect the step's answers; False (with a message) keeps the user on the step."""
        if name == "preset":
            listing = self.query_one("#preset-list", OptionList)
            option = listing.get_option_at_index(listing.highlighted or 0)
            chosen = option.id or BLANK
            self.choices = choices_from_preset(BLANK_TEXT if chosen == BLANK else self.presets[chosen][1])
            count = max(1, len(self._preset_agents()))
            self.query_one("#agent-count", Input).value = str(count)
            c = self.choices  # later steps start from what the preset does
            for widget_id, value in (("#wiz-cli", c.command_line), ("#wiz-fs", c.filesystem_mcp),
                                     ("#wiz-docker", c.docker), ("#wiz-planning", c.planning_mode),
                                     ("#wiz-reversible", c.reversible), ("#wiz-irreversible", c.irreversible)):
                self.query_one(widget_id, Select).value = value
            if c.template in core.DOCKER_TEMPLATES:
                self.query_one("#wiz-template", Select).value = c.template
            self.query_one("#wiz-memory", Input).value = c.memory
        elif name == "count":
            raw = self.query_one("#agent-count", Input).value.strip()
            note = self.query_one("#count-note", Static)
            if not raw.isdigit() or not 1 <= int(raw) <= MAX_AGENTS:
                note.update(f"Type a whole number from 1 to {MAX_AGENTS}.")
                return False
            note.update("")
            self._build_agent_rows(int(raw))
        elif name == "backends":
            rows = []
            for n in range(self.agent_rows):
                btype = self.query_one(f"#wiz-type-{n}", Select).value
                model = self.query_one(f"#wiz-model-{n}", Input).value.strip()
                rows.append((str(btype), model))
            self.choices.backends = rows
        elif name == "tools":
            self.choices.command_line = self.query_one("#wiz-cli", Select).value is True
            self.choices.filesystem_mcp = self.query_one("#wiz-fs", Select).value is True
        elif name == "docker":
            self.choices.docker = self.query_one("#wiz-docker", Select).value is True
            self.choices.template = str(self.query_one("#wiz-template", Select).value)
            self.choices.memory = self.query_one("#wiz-memory", Input).value.strip()
        elif name == "safety":
            self.choices.reversible = str(self.query_one("#wiz-reversible", Select).value)
            self.choices.irreversible = str(self.query_one("#wiz-irreversible", Select).value)
            self.choices.planning_mode = self.query_one("#wiz-planning", Select).value is True
            self._preview()
        return True

    def _build_agent_rows(self, count: int) -> None:
        container = self.query_one("#backends", VerticalScroll)
        defaults = self._preset_agents()
        types = core.backend_types()
        for row in list(container.query(".agent-row")):
            row.remove()
        rows = []
        for n in range(count):
            btype, model = defaults[n] if n < len(defaults) else defaults[-1] if defaults else (types[0], "")
            if btype not in types:
                btype = types[0]
            model = model or core.default_model(btype) or ""
            rows.append(Horizontal(
                Label(f"agent {n + 1}", classes="field-label"),
                Select([(t, t) for t in types], value=btype, allow_blank=False, compact=True, id=f"wiz-type-{n}"),
                Input(model, placeholder="model", compact=True, id=f"wiz-model-{n}",
                      suggester=SuggestFromList(core.models_for(btype), case_sensitive=False)),
                classes="field agent-row"))
        container.mount_all(rows)
        self.agent_rows = count

    def _preview(self) -> None:
        try:
            text = build_config(self.choices)
        except ConfigError as exc:
            text = f"# could not build the config: {exc}\n"
        self.query_one("#wizard-preview", TextArea).load_text(text)
        result = core.validate(core.validator_for(None), text)
        errors, warnings = len(result.errors), len(result.warnings)
        note = Text(f"{errors} error(s), {warnings} warning(s)", style="red" if errors else "green")
        for d in result.diagnostics[:2]:
            note.append(f"\n{d.location}: {d.message}", style="dim")
        self.query_one("#preview-problems", Static).update(note)

    def action_step(self, delta: int) -> None:
        if delta > 0 and not self._leave(STEPS[self.step]):
            return
        target = self.step + delta
        if 0 <= target < len(STEPS):
            self.step = target
            self.call_after_refresh(self._show)

    def action_finish(self, save: bool) -> None:
        if STEPS[self.step] != "preview":
            self.notify("Go through the steps first (ctrl+n).", severity="warning")
            return
        text = self.query_one("#wizard-preview", TextArea).text
        raw = self.query_one("#wiz-path", Input).value.strip()
        if not raw:
            self.notify("Type a file name to save to.", severity="error")
            return
        path = Path(raw).expanduser().absolute()
        if save:
            if path.exists():
                self.notify(f"{path.name} exists: choose another name (the wizard never overwrites).",
                            severity="error")
                return
            try:
                core.write_atomic(path, text)
            except OSError as exc:
                self.notify(f"Not saved: {exc}", severity="error")
                return
        self.dismiss(WizardResult(path, text, saved=save))

    def action_cancel(self) -> None:
        self.dismiss(None)

