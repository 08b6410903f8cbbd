"""Argument-dependent classification: what this call, with these arguments, will do.

``git_reset(mode="soft")`` only moves a ref, ``mode="hard"`` throws work away; a SQL tool running
``SELECT`` reads, the same tool running ``DROP TABLE`` destroys; ``write_file`` on a path that does
not exist creates a file, on an existing one overwrites it. The tool-level signals that depended on
an argument are revised here; new signals get ``source="arguments"``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from massgen_tui.safety import lexicon as lx
from massgen_tui.safety.classification import Signal
from massgen_tui.safety.rules import value_effect

SqlEffect = Literal["read", "additive", "destructive"]

_SQL_READ = {"SELECT", "EXPLAIN", "SHOW", "DESCRIBE", "DESC", "VALUES", "TABLE", "WITH", "BEGIN", "COMMIT",
             "END", "ROLLBACK"}
_SQL_DML = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|DROP|TRUNCATE|ALTER|REPLACE|CREATE|GRANT|REVOKE)\b", re.I)
_SQL_KEYWORD = re.compile(
    r"^\s*(SELECT|EXPLAIN|SHOW|DESCRIBE|DESC|VALUES|TABLE|WITH|BEGIN|COMMIT|END|ROLLBACK|PRAGMA|INSERT|UPDATE|"
    r"DELETE|MERGE|DROP|TRUNCATE|ALTER|REPLACE|CREATE|GRANT|REVOKE|ATTACH|DETACH|VACUUM|REINDEX|COPY|CALL|"
    r"EXEC|EXECUTE|DO|LOAD|SET|UPSERT|ANALYZE|LOCK|UNLOCK|USE|RENAME)\b",
    re.I,
)


# Functions that change state even inside a SELECT.
_SIDE_EFFECT_FUNCTIONS = re.compile(
    r"\b(pg_terminate_backend|pg_cancel_backend|setval|nextval|lo_unlink|lo_import|lo_export|dblink_exec|"
    r"pg_reload_conf|pg_rotate_logfile|pg_file_write|pg_write_file|set_config|load_extension|writefile|"
    r"sys_exec|xp_cmdshell)\s*\(",
    re.I,
)


def looks_like_sql(text: str) -> bool:
    return bool(_SQL_KEYWORD.match(_strip_sql_comments(text)))


def _strip_sql_comments(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    return re.sub(r"--[^\n]*", " ", sql)


def _strip_sql_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "''", sql)


def sql_effect(sql: str) -> tuple[SqlEffect, str]:
    """The worst effect of the statements in ``sql`` and the keyword that shows it."""
    text = _strip_sql_strings(_strip_sql_comments(sql))
    worst: tuple[SqlEffect, str] = ("read", "SELECT")
    rank = {"read": 0, "additive": 1, "destructive": 2}
    for statement in (s.strip() for s in text.split(";")):
        if not statement:
            continue
        first = statement.split(None, 1)[0].upper()
        upper = statement.upper()
        effect: tuple[SqlEffect, str]
        if first == "WITH":
            found = _SQL_DML.search(statement)
            effect = ("destructive", found.group(1).upper()) if found else ("read", "WITH ... SELECT")
        elif first in {"EXPLAIN", "DESC", "DESCRIBE"} and re.search(r"\bANALY[SZ]E\b", upper) and _SQL_DML.search(statement):
            effect = ("destructive", "EXPLAIN ANALYZE (runs the statement)")
        elif first in _SQL_READ:
            found = _SIDE_EFFECT_FUNCTIONS.search(statement)
            effect = ("destructive", found.group(1).lower() + "()") if found else ("read", first)
            if first == "SELECT" and not found and re.search(r"\bINTO\b", upper) and not re.search(r"\bINTO\s+@", upper):
                effect = ("additive", "SELECT ... INTO")
        elif first == "PRAGMA":
            effect = ("destructive", "PRAGMA ... =") if "=" in statement else ("read", "PRAGMA")
        elif first == "CREATE":
            replaces = re.search(r"\bOR\s+REPLACE\b", upper)
            effect = ("destructive", "CREATE OR REPLACE") if replaces else ("additive", "CREATE")
        elif first == "INSERT":
            upsert = re.search(r"\bOR\s+REPLACE\b|\bON\s+CONFLICT\b.*\bDO\s+UPDATE\b|\bON\s+DUPLICATE\s+KEY\b", upper)
            effect = ("destructive", "INSERT ... REPLACE/UPDATE") if upsert else ("additive", "INSERT")
        else:
            effect = ("destructive", first)
        if rank[effect[0]] > rank[worst[0]]:
            worst = effect
    return worst


# ------------------------------------------------------------------------------------------ shell
_READ_COMMANDS = frozenset(
    ["ls", "cat", "head", "tail", "wc", "grep", "egrep", "fgrep", "rg", "find", "pwd", "echo", "date", "whoami", "uname", "df", "du", "ps", "which", "file", "stat", "tree", "less", "more", "sort", "uniq", "cut", "tr", "basename", "dirname", "realpath", "readlink", "id", "hostname", "printenv", "env", "true", "false", "nl", "column", "jq", "yq", "diff", "cmp", "md5sum", "sha1sum", "sha256sum", "test", "seq", "sleep", "type", "command"]
)
_READ_GIT = frozenset({"status", "log", "diff", "show", "rev-parse", "ls-files", "blame", "describe", "shortlog"})
_DANGEROUS_COMMANDS = frozenset(
    ["rm", "rmdir", "dd", "mkfs", "shred", "mv", "chmod", "chown", "kill", "pkill", "killall", "shutdown", "reboot", "halt", "poweroff", "truncate", "curl", "wget", "ssh", "scp", "rsync", "sftp", "ftp", "nc", "netcat", "telnet", "sudo", "su", "doas", "systemctl", "service", "crontab", "mail", "sendmail", "docker", "kubectl", "helm", "terraform", "npm", "yarn", "pnpm", "pip", "pip3", "apt", "apt-get", "yum", "dnf", "brew", "gh", "aws", "gcloud", "az"]
)


def shell_effect(command: str) -> tuple[Literal["read", "destructive", "unknown"], str]:
    """Whether a shell command line only reads, clearly destroys/sends, or cannot be told."""
    text = command.strip()
    if not text:
        return ("read", "(empty)")
    if re.search(r"(^|[^<>&0-9])>{1,2}(?!&)|\btee\b", text):
        return ("destructive", "> redirection (writes a file)")
    segments_ok = not re.search(r"`|\$\(|\n|&&|\|\||;|&\s*$", text)
    segments = re.split(r"\|\|?|&&|;|\n", text)
    verdict: Literal["read", "destructive", "unknown"] = "read"
    what = ""
    for segment in segments:
        try:
            words = shlex.split(segment)
        except ValueError:
            return ("unknown", "unparsable command")
        if not words:
            continue
        prog = Path(words[0]).name
        if prog in _DANGEROUS_COMMANDS:
            return ("destructive", prog)
        if prog == "git":
            sub = next((w for w in words[1:] if not w.startswith("-")), "")
            if sub in {"push", "reset", "clean", "rebase", "filter-branch", "gc", "prune", "rm", "mv"} or (
                sub in {"checkout", "restore", "switch"} and ("--" in words or "-f" in words or "--force" in words)
            ) or (sub == "branch" and {"-d", "-D", "--delete"} & set(words)):
                return ("destructive", f"git {sub}")
            if sub not in _READ_GIT:
                verdict, what = "unknown", f"git {sub}"
            continue
        if prog == "find" and {"-delete", "-exec", "-execdir", "-ok"} & set(words):
            return ("destructive", "find -delete/-exec")
        if prog == "sed" and any(w.startswith("-i") for w in words):
            return ("destructive", "sed -i")
        if prog not in _READ_COMMANDS:
            verdict, what = "unknown", prog
    if verdict == "read" and not segments_ok:
        return ("unknown", "compound command")
    return (verdict, what or Path(shlex.split(text)[0]).name if text else "")


# ---------------------------------------------------------------------------------------- revise
def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _arg(arguments: Mapping[str, Any], name: str | None) -> Any:
    if name is None:
        return None
    return arguments.get(name)


def revise_for_arguments(
    tool: object,
    signals: Sequence[Signal],
    arguments: Mapping[str, Any],
    *,
    workspace: Path | None = None,
) -> list[Signal]:
    out = list(signals)
    added: list[Signal] = []

    # 1. a dry run changes nothing
    for name, value in arguments.items():
        if lx.DRY_RUN_PARAM.match(name) and _truthy(value):
            return [*out, Signal(f"argument:dry-run:{name}", "reversible", 0.95, "arguments",
                                 f"{name}={value!r}: a dry run changes nothing", "read", param=name, decisive=True)]

    # 2. a mode/action argument says which of the tool's operations this call is
    for name, value in arguments.items():
        if isinstance(value, str) and lx.MODE_PARAM.match(name):
            effect = value_effect(value)
            if effect is None:
                continue
            direction, _word = effect
            out = [s for s in out if s.source not in {"name", "description", "annotation"}
                   and not (s.effect == "overwrite" and s.param == name)]
            meaning = "this call only reads, adds or changes view state" if direction == "reversible" else (
                "this call destroys, overwrites or sends")
            added.append(Signal(f"argument:{name}={value}", direction, 0.9 if direction == "irreversible" else 0.8,
                                "arguments", f"{name}={value!r}: {meaning}", "mode", param=name))

    # 3. URL parameters: only when a URL is given
    kept: list[Signal] = []
    for s in out:
        if s.effect == "egress" and s.param is not None and s.source == "schema":
            value = _arg(arguments, s.param)
            if value in (None, "", False, [], {}) or (isinstance(value, bool) and not value):
                continue
            if isinstance(value, str) and "://" not in value and not re.match(r"^(www\.)?[\w-]+(\.[\w-]+)+(/|:|$)", value):
                continue  # a data: URI, a path or plain text: nothing leaves the machine
            if isinstance(value, str) and "://" in value:
                host = re.sub(r"^[a-z][a-z0-9+.-]*://([^/?#]*).*$", r"\1", value, flags=re.I)
                s = Signal(s.id, s.direction, max(s.weight, 0.9), s.source,
                           f"{s.reason} (this call: {host or value[:60]})", s.effect, s.param)
        kept.append(s)
    out = kept

    # 4. SQL: what the statement does
    for name, value in arguments.items():
        if not (isinstance(value, str) and lx.SQL_PARAM.match(name) and looks_like_sql(value)):
            continue
        effect, keyword = sql_effect(value)
        out = [s for s in out if not (s.effect == "sql" and s.param == name)]
        if effect == "destructive":
            added.append(Signal(f"argument:sql:{keyword}", "irreversible", 0.95, "arguments",
                                f"the SQL in '{name}' runs {keyword}: it changes or deletes data", "sql", param=name))
        else:
            out = [s for s in out if not _worst_case(s)]
            what = "only reads (SELECT)" if effect == "read" else f"only adds ({keyword})"
            added.append(Signal(f"argument:sql:{keyword}", "reversible", 0.8 if effect == "read" else 0.7,
                                "arguments", f"the SQL in '{name}' {what}", "read", param=name))

    # 5. shell commands
    for name, value in arguments.items():
        if not (isinstance(value, str) and lx.CODE_PARAM.match(name) and name.lower() in {"command", "cmd", "shell", "bash"}):
            continue
        effect, what = shell_effect(value)
        if effect == "destructive":
            added.append(Signal(f"argument:command:{what}", "irreversible", 0.95, "arguments",
                                f"the command runs {what}", "exec", param=name))
        elif effect == "read":
            out = [s for s in out if s.effect != "exec" and not _worst_case(s)]
            added.append(Signal(f"argument:command:{what}", "reversible", 0.7, "arguments",
                                f"the command only reads ({what})", "read", param=name))

    # 6. force / overwrite flags
    for s in list(out):
        if s.id.startswith("schema-param:force:") and not _truthy(_arg(arguments, s.param)):
            out.remove(s)
    for name, value in arguments.items():
        if lx.FORCE_PARAM.match(name) and isinstance(value, bool | str | int) and _truthy(value) and (
            not isinstance(value, str) or value.lower() in {"true", "yes", "1", "on"}
        ):
            added.append(Signal(f"argument:{name}", "irreversible", 0.85, "arguments",
                                f"{name}={value!r}: forces, overwrites or deletes", "overwrite", param=name))

    # 7. writing to a path: does it exist?
    return _path_signals(_dedupe(out + added), arguments, workspace)


def _worst_case(s: Signal) -> bool:
    """A tool-level irreversible signal that the call's own statement or command now supersedes."""
    return (
        s.direction == "irreversible"
        and s.source in {"name", "description", "annotation"}
        and s.effect not in {"send", "money", "egress"}
    )


def _dedupe(signals: list[Signal]) -> list[Signal]:
    seen: set[tuple[str, str]] = set()
    out = []
    for s in signals:
        key = (s.id, s.reason)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


_DEST_FIRST = ("destination", "dest", "target", "target_path", "targetPath", "output_path", "outputPath",
               "new_path", "newPath", "output", "output_file", "path", "file_path", "filePath", "file", "filename")


def _path_signals(signals: list[Signal], arguments: Mapping[str, Any], workspace: Path | None) -> list[Signal]:
    """Only for calls whose irreversible evidence is all about overwriting: check the target path."""
    irreversible = [s for s in signals if s.direction == "irreversible"]
    if not any(s.effect in {"overwrite", "mode"} for s in irreversible):
        return signals
    if any(s.effect not in {"overwrite", "unknown", "mode"} and not (s.effect == "destroy" and s.source == "annotation")
           for s in irreversible):
        return signals
    target = next((arguments[k] for k in _DEST_FIRST if isinstance(arguments.get(k), str) and arguments[k]), None)
    if target is None:
        return signals
    path = Path(target).expanduser()
    if not path.is_absolute():
        if workspace is None:
            return signals
        path = workspace / path
    try:
        exists = path.exists()
        parent_exists = path.parent.is_dir()
    except OSError:
        return signals
    if exists:
        return [*signals, Signal("argument:path-exists", "irreversible", 0.9, "arguments",
                                 f"{target} exists: this call would change or replace it", "overwrite")]
    if parent_exists:
        remaining = [s for s in signals if s.direction == "reversible"]
        return [*remaining, Signal("argument:path-new", "reversible", 0.75, "arguments",
                                   f"{target} does not exist yet: this call creates it, nothing is overwritten",
                                   "additive")]
    return signals
