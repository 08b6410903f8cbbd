"""From a config file to a running gateway with the safety gate: which servers, which settings,
which store, which approver.

    plan = plan_gateway("massgen.yaml", agent=None)        # reads the config; no heavy imports
    async with open_gateway(plan, approver=my_approver) as gateway:
        ...                                                  # gateway.gate, gateway.store are set

The TUI passes its own approver (``massgen_tui.safety.approval.ApprovalQueue``); the CLI passes
the terminal approver or the denying one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massgen_tui.gateway.errors import GatewayError
from massgen_tui.gateway.gateway import Gateway
from massgen_tui.gateway.listen import DEFAULT_HOST, ListenAddress
from massgen_tui.mcp.errors import MCPServerError
from massgen_tui.mcp.spec import MCPServerSpec

GATEWAY_AGENT = "gateway"


@dataclass(frozen=True)
class GatewayPlan:
    """What a config asks the gateway to serve."""

    config_path: Path
    specs: tuple[MCPServerSpec, ...]
    agents: tuple[str, ...]  # whose servers these are
    safety: Mapping[str, Any] = field(default_factory=dict)  # the raw ``safety:`` section

    @property
    def agent(self) -> str:
        return self.agents[0] if len(self.agents) == 1 else GATEWAY_AGENT


def plan_gateway(config: str | os.PathLike[str], agent: str | None = None) -> GatewayPlan:
    """Read the config: the MCP servers of ``agent`` (or of every agent, merged by name) and the
    ``safety:`` section. Raises :class:`GatewayError` naming the file and the place."""
    from massgen_tui.config import ConfigError, load_document

    try:
        doc = load_document(Path(config))
    except ConfigError as exc:
        raise GatewayError(str(exc)) from None
    return plan_document(doc, agent, path=Path(config))


def plan_document(doc: Any, agent: str | None = None, *, path: Path | None = None) -> GatewayPlan:
    """:func:`plan_gateway` for a config already loaded (the app's document, saved or not)."""
    from massgen_tui.config import ConfigError

    path = path or (Path(doc.path) if getattr(doc, "path", None) else Path("untitled.yaml"))
    try:
        entries = [doc.agent(agent)] if agent else doc.agent_entries()
    except ConfigError as exc:
        raise GatewayError(str(exc)) from None
    if not entries:
        raise GatewayError(f"{path}: the config has no agents (expected 'agents:' or 'agent:')")
    by_name: dict[str, tuple[MCPServerSpec, str]] = {}
    specs: list[MCPServerSpec] = []
    agents: list[str] = []
    for entry in entries:
        try:
            found = MCPServerSpec.from_backend(entry.backend)
        except MCPServerError as exc:
            raise GatewayError(f"{path}: {entry.location}.backend.{exc}") from None
        for spec in found:
            seen = by_name.get(spec.name)
            if seen is None:
                by_name[spec.name] = (spec, entry.id)
                specs.append(spec)
            elif (seen[0].identity, seen[0].transport) != (spec.identity, spec.transport):
                raise GatewayError(
                    f"{path}: agents {seen[1]!r} and {entry.id!r} both have an MCP server named {spec.name!r} "
                    f"but they differ ({seen[0].identity!r} vs {spec.identity!r}); choose one agent with --agent"
                )
        if found:
            agents.append(entry.id)
    if not specs:
        who = f"agent {agent!r}" if agent else "any agent"
        raise GatewayError(f"{path}: {who} has no mcp_servers: there is nothing for the gateway to serve")
    data = doc.data if isinstance(doc.data, Mapping) else {}
    safety = data.get("safety") or {}
    if not isinstance(safety, Mapping):
        raise GatewayError(f"{path}: 'safety' must be a mapping, not {type(safety).__name__}")
    return GatewayPlan(path, tuple(specs), tuple(agents), dict(safety))


def safety_settings(plan: GatewayPlan) -> Any:
    """The ``safety:`` section as :class:`massgen_tui.config.safety.SafetySettings`."""
    from pydantic import ValidationError

    from massgen_tui.config.safety import SafetySettings

    try:
        return SafetySettings.model_validate(plan.safety)
    except ValidationError as exc:
        problems = "; ".join(
            f"safety.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise GatewayError(f"{plan.config_path}: {problems}") from None


@asynccontextmanager
async def open_gateway(
    plan: GatewayPlan,
    approver: Any,
    *,
    store_path: str | os.PathLike[str] | None = None,
    workspace: str | os.PathLike[str] | None = None,
    session_id: str | None = None,
    store: Any = None,
) -> AsyncIterator[Gateway]:
    """A started gateway whose calls pass a :class:`massgen_tui.safety.gate.SafetyGate` with ``approver``.

    Decisions and the audit log go to the store at ``store_path`` (default: the user's store, or
    ``$MASSGEN_TUI_STORE``), or to ``store`` when the caller already has one open (it stays open).
    ``gateway.gate`` and ``gateway.store`` are set for the caller (the TUI's Gateway view).
    """
    from massgen_tui.safety.decision_store import DecisionStore
    from massgen_tui.safety.gate import SafetyGate

    settings = safety_settings(plan)
    own_store = store is None
    if own_store:
        try:
            store = await DecisionStore.open(store_path)
        except Exception as exc:  # StoreError and friends: say which file
            raise GatewayError(f"cannot open the safety store: {exc}") from None
    try:
        gate = SafetyGate(
            settings,
            store,
            approver,
            Path(workspace) if workspace is not None else Path.cwd(),
            session_id=session_id,
        )
        gateway = Gateway(plan.specs, hooks=[gate], agent=plan.agent)
        gateway.gate = gate
        gateway.store = store
        async with gateway:
            yield gateway
    finally:
        if own_store:
            await store.close()


@dataclass
class RunningGateway:
    """A gateway started in the background (for the app): stop it with :meth:`aclose`."""

    gateway: Gateway
    listener: Any  # HttpListener
    token: str
    _stack: AsyncExitStack = field(repr=False)

    @property
    def url(self) -> str:
        return str(self.listener.url)

    async def aclose(self) -> None:
        await self._stack.aclose()


async def start_gateway(
    plan: GatewayPlan,
    approver: Any,
    *,
    listen: ListenAddress | None = None,
    token: str | None = None,
    allow_remote: bool = False,
    store_path: str | os.PathLike[str] | None = None,
    workspace: str | os.PathLike[str] | None = None,
    session_id: str | None = None,
    store: Any = None,
) -> RunningGateway:
    """:func:`open_gateway` plus an HTTP listener, returned instead of held in an ``async with``:
    what a long-lived UI needs. ``token`` defaults to a new random one (read it from the result)."""
    from massgen_tui.gateway.auth import generate_token

    token = token or generate_token()
    stack = AsyncExitStack()
    try:
        gateway = await stack.enter_async_context(
            open_gateway(plan, approver, store_path=store_path, workspace=workspace, session_id=session_id,
                         store=store)
        )
        listener = await gateway.start_http(listen or ListenAddress(DEFAULT_HOST, 0), token,
                                            allow_remote=allow_remote)
        stack.push_async_callback(listener.aclose)
    except BaseException:
        await stack.aclose()
        raise
    return RunningGateway(gateway, listener, token, stack)
