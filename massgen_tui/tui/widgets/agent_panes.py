"""The per-agent sections of the config studio: Agents, MCP servers and Execution."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from massgen_tui.config import ConfigError
from massgen_tui.tui import config_access as core
from massgen_tui.tui.keymap import AGENT_LIST_BINDINGS, SERVER_LIST_BINDINGS
from massgen_tui.tui.messages import StructureEdited
from massgen_tui.tui.session import ConfigSession
from massgen_tui.tui.widgets.form import FieldSpec, Form


def agent_locations(session: ConfigSession) -> list[tuple[str, str]]:
    """(location, id) of every agent, as the core reads them."""
    doc = session.doc
    if doc is None:
        return []
    return [(entry.location, entry.id) for entry in doc.agent_entries()]


def _backend_types(_: Any) -> list[str]:
    return core.backend_types()


def _models(agent: Any) -> list[str]:
    return core.models_for(core.get_value(agent, "backend.type"))


AGENT_FIELDS = [
    FieldSpec("id", "Id"),
    FieldSpec("backend.type", "Backend", "choice", choices=_backend_types),
    FieldSpec("backend.model", "Model", suggestions=_models, placeholder="model name (tab completes)"),
    FieldSpec("system_message", "System message", placeholder="multi-line: edit in the YAML tab"),
    FieldSpec("backend.cwd", "Workspace", placeholder="working directory (cwd)"),
    FieldSpec("backend.base_url", "Base URL", placeholder="only for OpenAI-compatible servers"),
    FieldSpec("backend.allowed_tools", "Allowed tools", "list", placeholder="comma-separated"),
    FieldSpec("backend.exclude_tools", "Excluded tools", "list", placeholder="comma-separated"),
    FieldSpec("backend.enable_web_search", "Web search", "bool"),
    FieldSpec("backend.enable_mcp_command_line", "Command-line tool", "bool"),
]

EXECUTION_FIELDS = [
    FieldSpec("backend.command_line_execution_mode", "Mode", "choice", choices=core.EXECUTION_MODES, default="local"),
    FieldSpec("backend.command_line_docker_image", "Image", placeholder="e.g. massgen/mcp-runtime:latest"),
    FieldSpec("backend.command_line_docker_dockerfile", "Dockerfile", placeholder="path, relative to the config"),
    FieldSpec("backend.command_line_docker_template", "Template", "choice", choices=core.DOCKER_TEMPLATES),
    FieldSpec("backend.command_line_docker_memory_limit", "Memory", placeholder="e.g. 2g"),
    FieldSpec("backend.command_line_docker_cpu_limit", "CPUs", "number", placeholder="e.g. 2"),
    FieldSpec("backend.command_line_docker_pids_limit", "Pids limit", "int", placeholder="default 512"),
    FieldSpec("backend.command_line_docker_disk_limit", "Disk", placeholder="e.g. 1g"),
    FieldSpec("backend.command_line_docker_network_mode", "Network", "choice", choices=core.NETWORK_MODES, default="none"),
    FieldSpec("backend.command_line_docker_timeout", "Timeout (s)", "number", placeholder="default 120"),
    FieldSpec("backend.command_line_docker_read_only_root", "Read-only root", "bool", default="no"),
    FieldSpec("backend.command_line_allowed_commands", "Allowed cmds", "list", placeholder="regexes, comma-separated"),
    FieldSpec("backend.command_line_blocked_commands", "Blocked cmds", "list", placeholder="regexes, comma-separated"),
]

SERVER_FIELDS = [
    FieldSpec("type", "Transport", "choice", choices=("stdio", "streamable-http")),
    FieldSpec("command", "Command", placeholder="stdio: program to start"),
    FieldSpec("args", "Args", "list", placeholder="comma-separated"),
    FieldSpec("url", "URL", placeholder="streamable-http: http://host:port/mcp"),
    FieldSpec("cwd", "Cwd"),
    FieldSpec("allowed_tools", "Allowed tools", "list"),
    FieldSpec("exclude_tools", "Excluded tools", "list"),
]


class AgentList(OptionList):
    """The agent list; its keys act on the pane around it."""

    BINDINGS = AGENT_LIST_BINDINGS

    def _pane(self) -> AgentsPane:
        return next(a for a in self.ancestors if isinstance(a, AgentsPane))

    def action_add_agent(self) -> None:
        self._pane().action_add_agent()

    def action_clone_agent(self) -> None:
        self._pane().action_clone_agent()

    def action_remove_agent(self) -> None:
        self._pane().action_remove_agent()

    def action_move_agent(self, delta: int) -> None:
        self._pane().action_move_agent(delta)


class ServerList(OptionList):
    BINDINGS = SERVER_LIST_BINDINGS

    def _pane(self) -> McpPane:
        return next(a for a in self.ancestors if isinstance(a, McpPane))

    def action_add_server(self) -> None:
        self._pane().action_add_server()

    def action_remove_server(self) -> None:
        self._pane().action_remove_server()


class AgentPicker(Select[int]):
    """Which agent a per-agent section shows."""


def _agent_options(agents: Sequence[tuple[str, str]]) -> list[tuple[str, int]]:
    return [(agent_id, n) for n, (_, agent_id) in enumerate(agents)]


class AgentsPane(Horizontal):
    """Agent list (add, clone, remove, reorder) and the selected agent's form."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.session: ConfigSession | None = None
        self.agents: list[tuple[str, str]] = []
        self.selected = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="agent-side"):
            yield AgentList(id="agent-list")
            yield Static("a add  c clone\nx remove  K/J move", classes="hint")
        with Vertical(id="agent-main"):
            yield Static("", id="agent-key")
            yield Form(AGENT_FIELDS, id="agent-form")

    def load(self, session: ConfigSession) -> None:
        self.session = session
        self.agents = agent_locations(session)
        listing = self.query_one(AgentList)
        ids = [agent_id for _, agent_id in self.agents]
        if [str(o.prompt) for o in listing.options] != ids:
            listing.clear_options()
            listing.add_options([Option(agent_id) for agent_id in ids])
        self.selected = min(self.selected, max(0, len(self.agents) - 1))
        if self.agents:
            listing.highlighted = self.selected
        self._load_form()

    def _load_form(self) -> None:
        form = self.query_one(Form)
        key_line = self.query_one("#agent-key", Static)
        if self.session is None or not self.agents:
            form.display = False
            key_line.update("No agents yet: press a to add one." if self.session and self.session.doc is not None
                            else "The YAML has a syntax error: fix it in the YAML tab (see Problems).")
            return
        form.display = True
        location = self.agents[self.selected][0]
        agent = self.session.get(location) or {}
        form.load(location, self.session.data, agent)
        btype = core.get_value(agent, "backend.type")
        names = core.api_key_env_names(str(btype)) if btype else []
        if not names:
            key_line.update(Text("API key: no variable needed or backend unknown", style="dim"))
        else:
            parts = Text("API key: ")
            for name in names:
                ok = core.key_is_set(name)
                parts.append(f"{name} ", style="bold")
                parts.append("set ✓ " if ok else "not set ✗ ", style="green" if ok else "red")
            key_line.update(parts)

    def mark(self, diagnostics: Sequence[Any]) -> None:
        self.query_one(Form).mark(diagnostics)
        listing = self.query_one(AgentList)
        for n, (location, agent_id) in enumerate(self.agents):
            bad = any(d.location == location or d.location.startswith((location + ".", location + "["))
                      for d in diagnostics if d.severity == "error")
            label = Text(agent_id) + (Text(" ✗", style="red") if bad else Text(""))
            if n < listing.option_count:
                listing.replace_option_prompt_at_index(n, label)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "agent-list":
            return
        event.stop()
        if event.option_index != self.selected:
            self.selected = event.option_index
            self._load_form()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "agent-list":
            event.stop()
            self.query_one(Form).widgets["id"].focus()

    def reveal(self, location: str) -> bool:
        for n, (loc, _) in enumerate(self.agents):
            if location == loc or location.startswith((loc + ".", loc + "[")):
                self.selected = n
                self.query_one(AgentList).highlighted = n
                self._load_form()
                widget = self.query_one(Form).widget_for(location)
                if widget is not None:
                    widget.focus()
                return widget is not None
        return False

    # ---- list operations (the app applies them to the session and refreshes)
    def _mutate(self, description: str, change) -> None:  # type: ignore[no-untyped-def]
        if self.session is None:
            return
        try:
            self.session.mutate(change, "agents")
        except ConfigError as exc:
            self.app.notify(str(exc), severity="error", timeout=8)
            self.load(self.session)
            return
        self.post_message(StructureEdited(description))

    def action_add_agent(self) -> None:
        from ruamel.yaml.comments import CommentedMap

        types = core.backend_types()
        taken = {agent_id for _, agent_id in self.agents}
        n = len(self.agents) + 1
        while f"agent_{n}" in taken:
            n += 1
        backend = CommentedMap()
        if types:
            backend["type"] = types[0]
            model = core.default_model(types[0])
            if model:
                backend["model"] = model
        agent = CommentedMap([("id", f"agent_{n}"), ("backend", backend)])

        def change(data: Any) -> None:
            _agents_list(data).append(agent)

        self.selected = len(self.agents)
        self._mutate(f"added agent_{n}", change)

    def action_clone_agent(self) -> None:
        if not self.agents:
            return
        index = self.selected
        taken = {agent_id for _, agent_id in self.agents}

        def change(data: Any) -> None:
            agents = _agents_list(data)
            clone = copy.deepcopy(agents[index])
            base = str(clone.get("id") or "agent")
            new_id, k = f"{base}_copy", 2
            while new_id in taken:
                new_id, k = f"{base}_copy{k}", k + 1
            clone["id"] = new_id
            agents.insert(index + 1, clone)

        self.selected = index + 1
        self._mutate("cloned agent", change)

    def action_remove_agent(self) -> None:
        if not self.agents:
            return
        index = self.selected

        def change(data: Any) -> None:
            del _agents_list(data)[index]

        self.selected = max(0, index - 1)
        self._mutate(f"removed {self.agents[index][1]}", change)

    def action_move_agent(self, delta: int) -> None:
        index, target = self.selected, self.selected + delta
        if not self.agents or not 0 <= target < len(self.agents):
            return

        def change(data: Any) -> None:
            agents = _agents_list(data)
            agents[index], agents[target] = agents[target], agents[index]

        self.selected = target
        self._mutate("moved agent", change)


def _agents_list(data: Any) -> Any:
    """The ``agents`` list, converting a single ``agent:`` mapping into a list first."""
    from ruamel.yaml.comments import CommentedSeq

    if "agents" in data and not isinstance(data["agents"], list):
        raise ConfigError("agents: must be a list of agents (- id: ...), not a "
                          f"{type(data['agents']).__name__}; fix it in the YAML tab")
    if not isinstance(data.get("agents"), list):
        agents = CommentedSeq()
        if isinstance(data.get("agent"), dict):
            agents.append(data["agent"])
            position = list(data.keys()).index("agent")
            del data["agent"]
            data.insert(position, "agents", agents)
        else:
            data.insert(0, "agents", agents)
    return data["agents"]


class _PerAgentPane(Vertical):
    """A section that shows one agent at a time, chosen with a picker."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.session: ConfigSession | None = None
        self.agents: list[tuple[str, str]] = []
        self.selected = 0

    def _picker(self) -> AgentPicker:
        return self.query_one(AgentPicker)

    def compose_picker(self) -> ComposeResult:
        with Horizontal(classes="field picker-row"):
            yield Label("Agent", classes="field-label")
            yield AgentPicker([], allow_blank=True, prompt="(no agents)", compact=True, id=f"{self.id}-picker")

    def load(self, session: ConfigSession) -> None:
        self.session = session
        self.agents = agent_locations(session)
        self.selected = min(self.selected, max(0, len(self.agents) - 1))
        picker = self._picker()
        with picker.prevent(Select.Changed):
            options = _agent_options(self.agents)
            picker.set_options(options)
            if options:
                picker.value = self.selected
        self.load_agent()

    def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.select, AgentPicker):
            event.stop()
            if isinstance(event.value, int) and event.value != self.selected:
                self.selected = event.value
                self.load_agent()

    def select_agent_for(self, location: str) -> str | None:
        for n, (loc, _) in enumerate(self.agents):
            if location == loc or location.startswith((loc + ".", loc + "[")):
                if n != self.selected:
                    self.selected = n
                    with self._picker().prevent(Select.Changed):
                        self._picker().value = n
                    self.load_agent()
                return loc
        return None

    def load_agent(self) -> None:
        raise NotImplementedError


class ExecutionPane(_PerAgentPane):
    def compose(self) -> ComposeResult:
        yield from self.compose_picker()
        yield Static("", id="execution-empty")
        yield Form(EXECUTION_FIELDS, id="execution-form")

    def load_agent(self) -> None:
        form, empty = self.query_one(Form), self.query_one("#execution-empty", Static)
        if self.session is None or not self.agents:
            form.display = False
            empty.update("No agents: add one in the Agents section.")
            empty.display = True
            return
        empty.display = False
        form.display = True
        location = self.agents[self.selected][0]
        form.load(location, self.session.data, self.session.get(location))

    def mark(self, diagnostics: Sequence[Any]) -> None:
        self.query_one(Form).mark(diagnostics)

    def reveal(self, location: str) -> bool:
        if self.select_agent_for(location) is None:
            return False
        widget = self.query_one(Form).widget_for(location)
        if widget is None:
            return False
        widget.focus()
        return True


def server_locations(session: ConfigSession, agent_location: str) -> list[tuple[str, str]]:
    """(location, name) of each MCP server of an agent, list or map form."""
    servers = session.get(f"{agent_location}.backend.mcp_servers")
    base = f"{agent_location}.backend.mcp_servers"
    if isinstance(servers, list):
        return [(f"{base}[{n}]", str(s.get("name", f"server {n}")) if isinstance(s, dict) else f"server {n}")
                for n, s in enumerate(servers)]
    if isinstance(servers, dict):
        return [(f"{base}.{name}", str(name)) for name in servers]
    return []


def _secret_specs(server: Any) -> list[FieldSpec]:
    specs = []
    for section in ("env", "headers"):
        values = server.get(section) if isinstance(server, dict) else None
        if isinstance(values, dict):
            for key in values:
                specs.append(FieldSpec(f"{section}.{key}", f"{section}: {key}", "secret"))
    return specs


class McpPane(_PerAgentPane):
    """One agent's MCP servers (stdio and streamable-http); env and header values are masked."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.servers: list[tuple[str, str]] = []
        self.server_selected = 0
        self._secret_keys: tuple[str, ...] = ()
        self._secret_generation = 0

    def compose(self) -> ComposeResult:
        yield from self.compose_picker()
        with Horizontal(id="mcp-body"):
            with Vertical(id="server-side"):
                yield ServerList(id="server-list")
                yield Static("a add  x remove", classes="hint")
            with Vertical(id="server-main"):
                yield Static("", id="server-name")
                yield Form(SERVER_FIELDS, id="server-form")
                yield Form([], id="secret-form-0", classes="secret-form")

    def load_agent(self) -> None:
        listing = self.query_one(ServerList)
        if self.session is None or not self.agents:
            self.servers = []
        else:
            self.servers = server_locations(self.session, self.agents[self.selected][0])
        names = [name for _, name in self.servers]
        if [str(o.prompt) for o in listing.options] != names:
            listing.clear_options()
            listing.add_options([Option(name) for name in names])
        self.server_selected = min(self.server_selected, max(0, len(self.servers) - 1))
        if self.servers:
            listing.highlighted = self.server_selected
        self._load_server()

    def _load_server(self) -> None:
        form = self.query_one("#server-form", Form)
        title = self.query_one("#server-name", Static)
        if not self.servers or self.session is None:
            form.display = False
            self.query_one(".secret-form", Form).display = False
            title.update("No MCP servers for this agent: press a in the list to add one." if self.agents
                         else "No agents: add one in the Agents section.")
            return
        form.display = True
        location, name = self.servers[self.server_selected]
        server = self.session.get(location) or {}
        title.update(Text.assemble(("Server ", "dim"), (name, "bold"), ("  env/header values are masked", "dim")))
        form.load(location, self.session.data, server)
        self._load_secrets(location, server)

    def _load_secrets(self, location: str, server: Any) -> None:
        specs = _secret_specs(server)
        keys = tuple(s.key for s in specs)
        old = self.query_one(".secret-form", Form)
        if keys != self._secret_keys:
            self._secret_keys = keys
            self._secret_generation += 1
            new = Form(specs, id=f"secret-form-{self._secret_generation}", classes="secret-form")
            old.remove()
            self.query_one("#server-main", Vertical).mount(new)
            new.display = bool(specs)
            self.call_after_refresh(new.load, location, self.session.data if self.session else None, server)
        else:
            old.display = bool(specs)
            old.load(location, self.session.data if self.session else None, server)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "server-list":
            return
        event.stop()
        if event.option_index != self.server_selected:
            self.server_selected = event.option_index
            self._load_server()

    def mark(self, diagnostics: Sequence[Any]) -> None:
        for form in self.query(Form):
            form.mark(diagnostics)

    def reveal(self, location: str) -> bool:
        if ".mcp_servers" not in location or self.select_agent_for(location) is None:
            return False
        for n, (loc, _) in enumerate(self.servers):
            if location == loc or location.startswith((loc + ".", loc + "[")):
                self.server_selected = n
                self.query_one(ServerList).highlighted = n
                self._load_server()
                for form in self.query(Form):
                    widget = form.widget_for(location)
                    if widget is not None:
                        widget.focus()
                        return True
                self.query_one(ServerList).focus()
                return True
        self.query_one(ServerList).focus()
        return True

    def action_add_server(self) -> None:
        if self.session is None or not self.agents or self.session.doc is None:
            self.app.notify("Add an agent first (and fix any YAML syntax error).", severity="error")
            return
        try:
            self._add_server()
        except ConfigError as exc:
            self.app.notify(str(exc), severity="error", timeout=8)

    def _add_server(self) -> None:
        assert self.session is not None
        from ruamel.yaml.comments import CommentedMap

        agent_location = self.agents[self.selected][0]
        taken = {name for _, name in self.servers}
        n = len(self.servers) + 1
        while f"server_{n}" in taken:
            n += 1
        name = f"server_{n}"
        server = CommentedMap([("type", "stdio"), ("command", "")])
        existing = self.session.get(f"{agent_location}.backend.mcp_servers")

        def change(data: Any) -> None:
            backend = core.get_value(data, f"{agent_location}.backend")
            if isinstance(existing, list):
                server.insert(0, "name", name)
                backend["mcp_servers"].append(server)
            elif isinstance(existing, dict):
                backend["mcp_servers"][name] = server
            else:
                backend["mcp_servers"] = CommentedMap([(name, server)])

        self.session.mutate(change, f"{agent_location}.backend")
        self.server_selected = len(self.servers)
        self.post_message(StructureEdited(f"added MCP server {name}"))

    def action_remove_server(self) -> None:
        if self.session is None or not self.servers:
            return
        location, name = self.servers[self.server_selected]
        try:
            self.session.delete(location)
        except ConfigError as exc:
            self.app.notify(str(exc), severity="error", timeout=8)
            return
        self.server_selected = max(0, self.server_selected - 1)
        self.post_message(StructureEdited(f"removed MCP server {name}"))
