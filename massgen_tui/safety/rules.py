"""Signals read from a tool's definition: annotations, name, description and input schema.

Every function here is pure and fast (classifying 1,000 tools takes milliseconds): the gate runs it
on every call for tools it has not seen, and the CLI runs it over whole servers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from massgen_tui.mcp.types import ToolInfo
from massgen_tui.safety import lexicon as lx
from massgen_tui.safety.classification import Signal

# name-verb weights per effect; the description's lead verb counts a little less
_IRREVERSIBLE_CLASSES: tuple[tuple[str, frozenset[str], float, str], ...] = (
    ("money", lx.MONEY, 0.9, "spends or moves money"),
    ("destroy", lx.DESTRUCTIVE, 0.85, "deletes or destroys something"),
    ("send", lx.SEND, 0.85, "sends something to other people or services"),
    ("deploy", lx.DEPLOY, 0.85, "deploys, merges, approves or commits to something"),
    ("overwrite", lx.OVERWRITE, 0.8, "writes over or changes existing data"),
)
_SOFT_DESTROY = {"reset": 0.7, "clear": 0.7, "flush": 0.75, "disable": 0.65, "suspend": 0.65, "deactivate": 0.65,
                 "block": 0.65, "cancel": 0.7, "abort": 0.65}
# cancelling or aborting one of these only stops work in progress
_HARMLESS_CANCEL = frozenset({"search", "task", "job", "operation", "request", "download", "process", "run", "query",
                              "build", "generation", "stream", "subscription_preview"})
_UI_CONTEXT = lx.BROWSER_CONTEXT | {"screen", "mouse", "keyboard", "window", "ui", "desktop", "computer"}
_ALWAYS_INTERACTION = frozenset({"click", "dblclick", "tap", "fill", "press", "drag", "keypress", "keydown"})
_HARD_VALUES = frozenset({"hard", "force", "rewrite", "overwrite", "replace", "merge", "keep_theirs", "prune"})


@dataclass(frozen=True)
class _Context:
    words: tuple[str, ...]
    first_sentence: str
    all_words: frozenset[str]  # the name's words and the first sentence's
    description: str
    params: Mapping[str, Mapping[str, Any]]
    browser: bool
    remote: bool
    has_code_param: bool


_CACHE: dict[tuple[str, str, str, bool], tuple[Signal, ...]] = {}
_CACHE_MAX = 8192


def tool_signals(tool: ToolInfo, *, trusted: bool = False) -> tuple[Signal, ...]:
    """All definition-level signals for a tool (cached per definition hash)."""
    key = (tool.definition_hash, tool.title or "", tool.server or "", trusted)  # the server's name is evidence too
    cached = _CACHE.get(key)
    if cached is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        cached = _CACHE[key] = _compute_signals(tool, trusted)
    return cached


def _compute_signals(tool: ToolInfo, trusted: bool) -> tuple[Signal, ...]:
    ctx = _context(tool)
    out: list[Signal] = []
    out += _annotation_signals(tool, trusted)
    out += _name_signals(ctx)
    out += _description_signals(ctx)
    out += _schema_signals(tool, ctx, out)
    return tuple(out)


# --------------------------------------------------------------------------------------- context
def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.search(r"(?<=[a-z0-9)\]])[.!?](\s|$)|\n", text)
    return text[: match.start()] if match else text[:300]


def _params(schema: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping):
        return {}
    return {str(k): (v if isinstance(v, Mapping) else {}) for k, v in props.items()}


def _context(tool: ToolInfo) -> _Context:
    words = tuple(lx.split_words(tool.name))
    description = tool.description or ""
    first = _first_sentence(description or (tool.title or tool.annotations.title or ""))
    params = _params(tool.input_schema)
    lowered_first = first.lower()
    browser = bool(set(words) & lx.BROWSER_CONTEXT) or bool(
        re.search(r"\b(web ?page|the page|browser|element|dropdown|dialog|tab)\b", lowered_first)
    ) or bool({"selector", "element", "ref"} & set(params))
    remote = (
        bool(set(words) & lx.REMOTE_NOUNS)
        or bool(set(lx.split_words(first)) & lx.REMOTE_NOUNS)
        or bool(lx.REMOTE_SERVICES.search(description[:300]))
        or bool(lx.REMOTE_SERVICES.search(" ".join(words)))
        or bool(tool.server and lx.REMOTE_SERVICES.search(" ".join(lx.split_words(tool.server))))
        or bool(set(params) & lx.REMOTE_SCOPE_PARAMS)
        or tool.annotations.open_world_hint is True
    )
    has_code = any(lx.CODE_PARAM.match(p) for p in params)
    return _Context(words, first, frozenset(words) | frozenset(lx.split_words(first)), description, params,
                    browser, remote, has_code)


# ----------------------------------------------------------------------------------- annotations
def _annotation_signals(tool: ToolInfo, trusted: bool) -> list[Signal]:
    ann = tool.annotations
    how = "trusted server" if trusted else "server's own claim, not verified"
    strong = 0.95 if trusted else None
    if ann.read_only_hint is True:
        return [Signal("annotation:readOnlyHint", "reversible", strong or 0.6, "annotation",
                       f"annotated read-only ({how})", "read")]
    if ann.destructive_hint is True:
        # a claim of danger outweighs a bare "create" or "run" from any server (only claims of safety need
        # trust), but not a clear session or read verb: some servers mark every tool destructive
        return [Signal("annotation:destructiveHint", "irreversible", 0.95 if trusted else 0.65, "annotation",
                       f"annotated destructive by its server ({'trusted' if trusted else 'believed: it only adds caution'})",
                       "destroy")]
    if ann.destructive_hint is False:
        if ann.open_world_hint is True:
            return [Signal("annotation:openWorldHint", "irreversible", strong or 0.5, "annotation",
                           f"annotated as acting on the outside world and not read-only ({how})", "egress")]
        return [Signal("annotation:nonDestructive", "reversible", (0.9 if trusted else 0.4), "annotation",
                       f"annotated non-destructive: it only adds ({how})", "additive")]
    reason = (
        "no annotations: the MCP spec's defaults assume a destructive, open-world tool"
        if not ann.to_wire()
        else "destructiveHint unset: the MCP spec's default is destructive"
    )
    return [Signal("annotation:spec-defaults", "irreversible", 0.3, "annotation", reason, "unknown")]


# ------------------------------------------------------------------------------------------ name
@lru_cache(maxsize=8192)
def _is_verb(word: str, lexicon: frozenset[str]) -> str | None:
    for cand in lx.stem_candidates(word):
        if cand in lexicon:
            return cand
    return None


def _any_verb(word: str) -> bool:
    lexicons = (lx.DESTRUCTIVE, lx.OVERWRITE, lx.SEND, lx.MONEY, lx.DEPLOY, lx.EXEC, lx.READ, lx.ADDITIVE,
                lx.SESSION, lx.PAGE_INTERACTION)
    return any(_is_verb(word, lex) for lex in lexicons)


def _verb_positions(words: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Words used as verbs, each with whether it leads the name (position 0, or 1 after a prefix).

    Ambiguous nouns ("order", "post") and participles ("annotated") count only when leading;
    other verbs after the leading one are probably nouns ("toggle_updates") and weigh less.
    """
    out = []
    for i, word in enumerate(words):
        base = lx.stem(word)
        leading = i == 0 or (i == 1 and not _any_verb(words[0])) or words[i - 1] in {"and", "or", "then"}
        if not leading and (word in lx.AMBIGUOUS_NOUNS or base in lx.AMBIGUOUS_NOUNS or word.endswith("ed")):
            continue
        out.append((word, leading))
    return out


def _verb_signals(
    verbs: list[tuple[str, bool]], ctx: _Context, source: str, base_penalty: float
) -> list[Signal]:
    out: list[Signal] = []
    where = "name" if source == "name" else "description"
    def quote(v):
        return (f"its {where} says '{v}'")
    for word, leading in verbs:
        penalty = base_penalty if leading else base_penalty + 0.15
        for effect, lexicon, weight, meaning in _IRREVERSIBLE_CLASSES:
            verb = _is_verb(word, lexicon)
            if verb == "forward" and not (ctx.remote or {"message", "email", "mail", "call"} & set(ctx.words)):
                continue
            if verb in {"cancel", "abort"} and set(ctx.words) & _HARMLESS_CANCEL:
                out.append(Signal(f"{source}-verb:{verb}", "reversible", 0.7 - penalty, source,  # type: ignore[arg-type]
                                  f"{quote(verb)}: only stops work in progress", "session"))
                continue
            if verb == "checkout" and not re.search(r"\b(cart|basket|order|payment|purchase)", ctx.description, re.I):
                continue
            if verb:
                w = _SOFT_DESTROY.get(verb, weight) - (base_penalty if effect == "destroy" else penalty)
                out.append(Signal(f"{source}-verb:{verb}", "irreversible", w, source,  # type: ignore[arg-type]
                                  f"{quote(verb)}: {meaning}", effect))
        verb = _is_verb(word, lx.EXEC)
        if verb:
            w = (0.85 if ctx.has_code_param or lx.CODE_MENTION.search(ctx.first_sentence) else 0.45) - penalty
            out.append(Signal(f"{source}-verb:{verb}", "irreversible", w, source,  # type: ignore[arg-type]
                              f"{quote(verb)}: runs code or commands", "exec"))
        verb = _is_verb(word, lx.PAGE_INTERACTION)
        if verb and (verb in _ALWAYS_INTERACTION or ctx.browser or set(ctx.words) & _UI_CONTEXT):
            out.append(Signal(f"{source}-verb:{verb}", "irreversible", 0.8 - penalty, source,  # type: ignore[arg-type]
                              f"{quote(verb)}: acts on a live page or screen (can submit, buy or delete)",
                              "page"))
        verb = _is_verb(word, lx.ADDITIVE)
        if verb in {"insert", "prepend"} and _edits_a_file(ctx):
            out.append(Signal(f"{source}-verb:{verb}@file", "irreversible", 0.7 - penalty, source,  # type: ignore[arg-type]
                              f"{quote(verb)} into an existing file: changes it in place", "overwrite"))
        elif verb:
            if ctx.remote and verb in lx.REMOTE_CREATE:
                out.append(Signal(f"{source}-verb:{verb}@remote", "irreversible", 0.75 - penalty,
                                  source,  # type: ignore[arg-type]
                                  f"{quote(verb)} on an external service: others see it at once", "send"))
            else:
                out.append(Signal(f"{source}-verb:{verb}", "reversible", 0.6 - penalty, source,  # type: ignore[arg-type]
                                  f"{quote(verb)}: only adds something new", "additive"))
        verb = _is_verb(word, lx.READ)
        if verb and not (verb == "check" and ctx.browser):
            out.append(Signal(f"{source}-verb:{verb}", "reversible", 0.75 - penalty, source,  # type: ignore[arg-type]
                              f"{quote(verb)}: reads or computes without changing anything", "read"))
        verb = _is_verb(word, lx.SESSION) or ("close" if lx.stem(word) == "close" else None)
        if verb == "close":
            if set(ctx.words) & lx.CLOSE_OK_CONTEXT or ctx.browser:
                out.append(Signal(f"{source}-verb:close", "reversible", 0.7 - penalty, source,  # type: ignore[arg-type]
                                  f"{quote('close')}: closes a page, tab or session", "session"))
            else:
                out.append(Signal(f"{source}-verb:close", "irreversible", 0.6 - penalty, source,  # type: ignore[arg-type]
                                  f"{quote('close')}: closing an account, issue or position may not be undone",
                                  "destroy"))
        elif verb in lx.SWITCH_VERBS and not ctx.browser and ctx.all_words & lx.SERVICE_OR_DEVICE:
            out.append(Signal(f"{source}-verb:{verb}@service", "irreversible", 0.75 - penalty,
                              source,  # type: ignore[arg-type]
                              f"{quote(verb)} on a running service or a device: its users or the world notice",
                              "deploy"))
        elif verb:
            out.append(Signal(f"{source}-verb:{verb}", "reversible", 0.7 - penalty, source,  # type: ignore[arg-type]
                              f"{quote(verb)}: changes only session or view state", "session"))
    return out


def _edits_a_file(ctx: _Context) -> bool:
    """An insert/append whose object is an existing file or document (not a table, list or memo)."""
    words = ctx.all_words
    return bool(words & {"file", "files", "line", "lines", "document", "doc"}) and not bool(
        words & {"table", "row", "rows", "record", "records", "list", "memo", "graph", "entity", "entities"})


def _name_signals(ctx: _Context) -> list[Signal]:
    words = ctx.words
    if set(words) & {"set", "switch", "use", "select"} and set(words) & {"active", "current"}:
        # "set_active_account": which account the next calls use, kept by the server for this session
        return [Signal("name-verb:set-active", "reversible", 0.85, "name",
                       "it chooses what later calls of this session work on (session state)", "session")]
    # "navigate_back", "go_back": history moves, not a new URL
    if "back" in words or "forward" in words:
        if "forward" in words and ({"go", "navigate"} & set(words) or ctx.browser):
            words = tuple("back" if w == "forward" else w for w in words)
        words = tuple(w for w in words if w not in {"navigate", "go"})
    return _verb_signals(_verb_positions(words), ctx, "name", 0.0)


# ----------------------------------------------------------------------------------- description
def _lead_verbs(first_sentence: str) -> list[tuple[str, bool]]:
    """The sentence's first word and verbs coordinated with it ("Move or rename", "List, create or close")."""
    # the verb phrase ends where a list of what it returns begins ("Get details: plan, state, billing",
    # "List tables, including schema, comment, ...")
    first_sentence = re.split(r":|\b(?:including|such as|e\.g\.|like)\b", first_sentence, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z][A-Za-z-]*|,", first_sentence)
    if not words:
        return []
    out = [(words[0].lower(), True)]
    for i, word in enumerate(words[1:], start=1):
        if words[i - 1].lower() in {"or", "and", ",", "then", "and/or"}:
            nxt = word.lower()
            if nxt.endswith("ly") and i + 1 < len(words):  # "or completely overwrite"
                nxt = words[i + 1].lower()
            if nxt in lx.AMBIGUOUS_NOUNS:  # "Extract data or text": a noun after the first verb
                continue
            out.append((nxt, True))
    return out


def _not_negated(text: str, start: int) -> bool:
    return not lx.NEGATED.search(text[max(0, start - 40) : start])


def _description_signals(ctx: _Context) -> list[Signal]:
    out: list[Signal] = []
    if ctx.first_sentence:
        out += _verb_signals(_lead_verbs(ctx.first_sentence), ctx, "description", 0.1)
    text = " ".join(ctx.description.split())
    for match in lx.IRREVERSIBLE_PHRASES.finditer(text):
        if _not_negated(text, match.start()):
            phrase = match.group(0).strip()
            effect = "overwrite" if phrase.lower().startswith("overwrit") else "destroy"
            out.append(Signal(f"description-phrase:{phrase.lower()}", "irreversible", 0.8,
                              "description", f"its description says '{phrase}'", effect))
            break
    match = lx.READ_ONLY_CLAIM.search(text)
    if match and _not_negated(text, match.start()):
        out.append(Signal("description-phrase:read-only", "reversible", 0.7, "description",
                          f"its description says '{match.group(0)}'", "read"))
    match = lx.NO_OVERWRITE_CLAIM.search(text)
    if match:
        out.append(Signal("description-phrase:no-overwrite", "reversible", 0.85, "description",
                          f"it refuses to replace existing data: '{match.group(0)}'", "additive"))
    match = lx.SEND_PHRASES.search(text[:600])
    if match:
        out.append(Signal("description-phrase:sends", "irreversible", 0.75, "description",
                          f"its description says it '{match.group(0)}'", "send"))
    match = lx.OPENS_BROWSER.search(text[:600])
    if match:
        out.append(Signal("description-phrase:opens-url", "irreversible", 0.7, "description",
                          f"it opens a web address: '{match.group(0)}'", "egress"))
    return out


# ---------------------------------------------------------------------------------------- schema
def _param_text(spec: Mapping[str, Any]) -> str:
    desc = spec.get("description")
    return desc if isinstance(desc, str) else ""


def _schema_signals(tool: ToolInfo, ctx: _Context, so_far: list[Signal]) -> list[Signal]:
    out: list[Signal] = []
    names = set(ctx.params)
    name_effects = {s.effect for s in so_far if s.source == "name"}
    name_verbs = {s.id.split(":", 1)[1] for s in so_far if s.source == "name"}
    read_like = bool(name_effects & {"read", "additive"}) and not name_effects & {
        "destroy", "overwrite", "send", "money", "exec", "deploy"} and not name_verbs & {"query", "run", "exec"}
    money_context = re.search(r"\b(pay|payment|charge|transfer|refund|invoice|money|usd|eur|\$)", ctx.description, re.I)
    for pname, spec in ctx.params.items():
        ptext = _param_text(spec)
        ptype = spec.get("type")
        if isinstance(ptype, list):
            ptype = next((t for t in ptype if t != "null"), None)
        fmt = str(spec.get("format") or "")
        if lx.URL_PARAM.match(pname) or fmt in {"uri", "url", "iri", "uri-reference"} or (
            ptype in {"string", None} and not lx.ID_PARAM.match(pname) and re.search(r"\b(url|uri)s?\b", ptext, re.I)
            and not re.search(r"\b(file|local) path\b|match|filter|regex|pattern|glob|resource", ptext, re.I)
        ):
            out.append(Signal(f"schema-param:url:{pname}", "irreversible", 0.85, "schema",
                              f"parameter '{pname}' takes a URL the agent chooses: data can leave in it and "
                              "requests can have effects", "egress", param=pname))
        elif lx.RECIPIENT_PARAM.match(pname) and not read_like and (
            pname.lower() not in {"to", "cc", "bcc"}
            or re.search(r"\b(email|recipient|address|phone|user|number)", ptext, re.I)
            or "send" in name_effects
        ):
            out.append(Signal(f"schema-param:recipient:{pname}", "irreversible", 0.8, "schema",
                              f"parameter '{pname}' names recipients: it sends something out", "send",
                              param=pname))
        elif pname.lower() in {"payment_method", "card", "card_number", "currency"} or (
            pname.lower() == "amount" and ("currency" in names or money_context)
        ):
            out.append(Signal(f"schema-param:money:{pname}", "irreversible", 0.8, "schema",
                              f"parameter '{pname}' is about money", "money", param=pname))
        elif lx.CODE_PARAM.match(pname) and (
            pname.lower() not in {"code", "source_code", "program"}
            or lx.CODE_MENTION.search(ptext) or lx.CODE_MENTION.search(ctx.first_sentence)
        ):
            out.append(Signal(f"schema-param:code:{pname}", "irreversible", 0.9, "schema",
                              f"parameter '{pname}' is code or a shell command: it can do anything", "exec",
                              param=pname))
        elif lx.CODE_FUNCTION_PARAM.match(pname) and re.search(
            r"\b(javascript|js|code|script|function body|python)\b", ctx.first_sentence + " " + ptext, re.I
        ):
            out.append(Signal(f"schema-param:code:{pname}", "irreversible", 0.85, "schema",
                              f"parameter '{pname}' is code to run", "exec", param=pname))
        elif lx.SQL_PARAM.match(pname) and (
            pname.lower() in {"sql", "sql_query"}
            or lx.SQL_MENTION.search(ctx.first_sentence) or lx.SQL_MENTION.search(ptext)
        ):
            claims_read = bool(lx.READ_ONLY_CLAIM.search(ctx.description))
            weight = 0.45 if (claims_read or read_like) else 0.85
            out.append(Signal(f"schema-param:sql:{pname}", "irreversible", weight, "schema",
                              f"parameter '{pname}' is a SQL statement: it can change or delete data", "sql",
                              param=pname))
        if ptype == "boolean" and lx.FORCE_PARAM.match(pname):
            out.append(Signal(f"schema-param:force:{pname}", "irreversible", 0.6, "schema",
                              f"option '{pname}' can force, overwrite or delete", "overwrite", param=pname))
        enum = spec.get("enum")
        if lx.MODE_PARAM.match(pname) and isinstance(enum, list):
            risky = [str(v) for v in enum if _value_is_risky(str(v))]
            if risky:
                out.append(Signal(f"schema-param:mode:{pname}", "irreversible", 0.7, "schema",
                                  f"'{pname}' can be {', '.join(repr(v) for v in risky)}", "overwrite",
                                  param=pname))
    return out


def _value_is_risky(value: str) -> bool:
    for word in lx.split_words(value):
        if word in _HARD_VALUES:
            return True
        for lexicon in (lx.DESTRUCTIVE, lx.OVERWRITE, lx.SEND, lx.MONEY, lx.EXEC, lx.DEPLOY):
            if _is_verb(word, lexicon):
                return True
    return False


def value_effect(value: str) -> tuple[str, str] | None:
    """The effect a mode/action argument value names: ("irreversible"|"reversible", word) or None."""
    words = lx.split_words(value)
    for word in words:
        if word in _HARD_VALUES:
            return ("irreversible", word)
        for lexicon in (lx.DESTRUCTIVE, lx.OVERWRITE, lx.SEND, lx.MONEY, lx.EXEC, lx.DEPLOY):
            verb = _is_verb(word, lexicon)
            if verb:
                return ("irreversible", verb)
    for word in words:
        if word in {"soft", "mixed", "keep", "new", "append"}:
            return ("reversible", word)
        for lexicon in (lx.READ, lx.ADDITIVE, lx.SESSION):
            verb = _is_verb(word, lexicon)
            if verb:
                return ("reversible", verb)
        if word in {"close", "select"}:
            return ("reversible", word)
    return None


def iter_params(tool: ToolInfo) -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield from _params(tool.input_schema).items()
