"""One configuration for the server and every ``lapor`` command: the env file.

``make run`` writes ``$LAPOR_DATA_DIR/lapor.env`` (``lapor envfile``); every ``lapor`` command
and the WSGI entry point read it before the settings, so a shell beside ``make run`` (for
example ``lapor open311 key add …``) sees the same secret, database and site URL as the
server. ``LAPOR_ENV_FILE`` names another file. The process environment wins over the file:
a variable already set is never replaced.

The format is the usual one: ``NAME=value`` lines, ``#`` comments and blank lines ignored,
the value optionally in single or double quotes (no expansion, no escapes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

ENV_FILE_NAME = "lapor.env"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EnvFileError(Exception):
    """The env file named by ``LAPOR_ENV_FILE`` is missing, cannot be read (permissions, not
    UTF-8), or a line is not ``NAME=value``."""


def env_file_path(environ: Mapping[str, str] | None = None) -> Path:
    """``LAPOR_ENV_FILE``, else ``lapor.env`` in ``LAPOR_DATA_DIR`` (default ``./var``)."""
    environ = os.environ if environ is None else environ
    if named := environ.get("LAPOR_ENV_FILE"):
        return Path(named).expanduser().resolve()
    data_dir = environ.get("LAPOR_DATA_DIR") or str(Path.cwd() / "var")
    return Path(data_dir).expanduser().resolve() / ENV_FILE_NAME


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EnvFileError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise EnvFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(_read(path).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not _NAME.fullmatch(name):
            raise EnvFileError(f"{path}, line {number}: expected NAME=value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def load_env_file() -> Path | None:
    """Put the env file's variables into ``os.environ`` (those not set already); return the
    file read, or None when there is none (only ``LAPOR_ENV_FILE`` must exist)."""
    path = env_file_path()
    if not path.is_file():
        if os.environ.get("LAPOR_ENV_FILE"):
            raise EnvFileError(f"LAPOR_ENV_FILE: {path} does not exist")
        return None
    for name, value in parse_env_file(path).items():
        os.environ.setdefault(name, value)
    return path


def write_env_file(path: Path, values: Mapping[str, str], *, header: str) -> None:
    """Set ``values`` in the env file at ``path``: their lines are replaced (or appended),
    every other line is kept. Written whole to a temporary file created with mode 0600 (the
    secrets are never readable by others, not even for a moment), then renamed."""
    header_lines = header.splitlines()
    kept: list[str] = []
    if path.is_file():
        for raw in _read(path).splitlines():
            name = raw.strip().removeprefix("export ").partition("=")[0].strip()
            if name in values or raw in header_lines:
                continue
            kept.append(raw)
    while kept and not kept[-1].strip():
        kept.pop()
    lines = [*header_lines, *(f"{name}={value}" for name, value in values.items())]
    if kept:
        lines += ["", *kept]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)  # a crashed run's leftover keeps its mode: start anew
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    temporary.replace(path)
