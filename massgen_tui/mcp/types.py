"""Plain data shared by the MCP client, its hooks and the safety gate.

These types are the contract between ``massgen_tui.mcp`` (which makes calls) and its hooks (the
safety gate is one). They carry no SDK objects so that classification and storage can work from
tool lists read from a file just as well as from a live server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable


@dataclass(frozen=True)
class ToolAnnotations:
    """MCP tool annotations as the server sent them: ``None`` means the hint was not set.

    Use :meth:`effective` for the values the MCP spec prescribes when a hint is unset.
    """

    title: str | None = None
    read_only_hint: bool | None = None
    destructive_hint: bool | None = None
    idempotent_hint: bool | None = None
    open_world_hint: bool | None = None

    SPEC_DEFAULTS = {
        "read_only_hint": False,
        "destructive_hint": True,
        "idempotent_hint": False,
        "open_world_hint": True,
    }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any] | None) -> ToolAnnotations:
        data = data or {}

        def flag(camel: str, snake: str) -> bool | None:
            value = data.get(camel, data.get(snake))
            return value if isinstance(value, bool) else None

        title = data.get("title")
        return cls(
            title=title if isinstance(title, str) else None,
            read_only_hint=flag("readOnlyHint", "read_only_hint"),
            destructive_hint=flag("destructiveHint", "destructive_hint"),
            idempotent_hint=flag("idempotentHint", "idempotent_hint"),
            open_world_hint=flag("openWorldHint", "open_world_hint"),
        )

    def effective(self, name: str) -> bool:
        """The hint's value with the spec default applied when unset."""
        value = getattr(self, name)
        return self.SPEC_DEFAULTS[name] if value is None else value

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for snake, camel in (
            ("title", "title"),
            ("read_only_hint", "readOnlyHint"),
            ("destructive_hint", "destructiveHint"),
            ("idempotent_hint", "idempotentHint"),
            ("open_world_hint", "openWorldHint"),
        ):
            value = getattr(self, snake)
            if value is not None:
                out[camel] = value
        return out


@dataclass(frozen=True)
class ToolInfo:
    """One tool of one MCP server, independent of the SDK."""

    name: str
    description: str = ""
    input_schema: Mapping[str, Any] = field(default_factory=dict)
    annotations: ToolAnnotations = field(default_factory=ToolAnnotations)
    title: str | None = None
    server: str = ""
    # The whole tools/list entry as the server sent it (outputSchema, icons, _meta ...), for
    # re-exposing the tool unchanged (the gateway). Not part of equality or the definition hash.
    wire: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any], server: str = "") -> ToolInfo:
        """Build from a ``tools/list`` entry (camelCase wire form; snake_case also accepted)."""
        schema = data.get("inputSchema", data.get("input_schema")) or {}
        title = data.get("title")
        return cls(
            name=str(data.get("name", "")),
            description=str(data.get("description") or ""),
            input_schema=schema if isinstance(schema, Mapping) else {},
            annotations=ToolAnnotations.from_wire(data.get("annotations")),
            title=title if isinstance(title, str) else None,
            server=server,
            wire=dict(data),
        )

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "description": self.description, "inputSchema": dict(self.input_schema)}
        if self.title:
            out["title"] = self.title
        annotations = self.annotations.to_wire()
        if annotations:
            out["annotations"] = annotations
        return out

    @property
    def prefixed_name(self) -> str:
        """MassGen's name for the tool, ``mcp__<server>__<tool>`` (the plain name without a server)."""
        return f"mcp__{self.server}__{self.name}" if self.server else self.name

    @property
    def definition_hash(self) -> str:
        """A stable hash of what the tool says it is: a stored decision is re-asked when it changes."""
        payload = {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
            "annotations": self.annotations.to_wire(),
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ToolCall:
    """One logical call on its way to a server, as hooks see it."""

    call_id: str
    server: str
    tool: str
    arguments: Mapping[str, Any]
    server_identity: str = ""  # command + args for stdio, URL for HTTP: what "this server" means
    agent: str | None = None
    tool_info: ToolInfo | None = None

    @property
    def prefixed_name(self) -> str:
        return f"mcp__{self.server}__{self.tool}"


@dataclass(frozen=True)
class HookDecision:
    """What a before-call hook says. ``arguments`` replaces the call's arguments when set."""

    action: Literal["allow", "deny"] = "allow"
    reason: str = ""
    arguments: Mapping[str, Any] | None = None
    decided_by: str = ""  # e.g. "human", "stored-rule", "policy", "timeout"

    @classmethod
    def allow(cls, reason: str = "", *, arguments: Mapping[str, Any] | None = None, decided_by: str = "") -> HookDecision:
        return cls("allow", reason, arguments, decided_by)

    @classmethod
    def deny(cls, reason: str, *, decided_by: str = "") -> HookDecision:
        return cls("deny", reason, None, decided_by)


@dataclass(frozen=True)
class CallOutcome:
    """How a call ended, given to after-call hooks."""

    status: Literal["ok", "tool_error", "error", "denied", "timeout", "cancelled"]
    content: Any = None  # the SDK result's content (text blocks as plain dicts), or None
    error: str = ""
    duration_s: float = 0.0


@runtime_checkable
class CallHook(Protocol):
    """A link of the call chain. Hooks run in registration order before the call and after it.

    ``before_call`` returns ``None`` for "no opinion" or a :class:`HookDecision`; the first deny stops
    the chain and the server never sees the call. A decision with ``arguments`` rewrites the call for
    the hooks after it and for the server. ``after_call`` sees every outcome, denied ones included.
    """

    name: str

    async def before_call(self, call: ToolCall) -> HookDecision | None: ...

    async def after_call(self, call: ToolCall, outcome: CallOutcome) -> None: ...
