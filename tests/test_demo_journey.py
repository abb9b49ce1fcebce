"""The demo works end to end (issue #18): `make run`'s commands in a fresh directory, a full
journey over HTTP, a `lapor` command from a shell beside the server, and a clean log.

The sequence is the Makefile's `run` recipe (`lapor envfile --demo`, `migrate`, `demo`,
`serve`), run with this interpreter in a temporary directory laid out like a fresh clone
(the data dir is `./var`). Before the fix every e-mail of the demo failed (a dummy backend
given SMTP options) with a traceback per message, links pointed to port 8000 whatever the
port, and every `lapor` command beside the server died on LAPOR_SECRET_KEY.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.demo_journey import log_problems, run_journey
from tests.servers import free_port, http, wait_until

# Always the embedded default in its own processes: run once, in the SQLite pass.
pytestmark = pytest.mark.embedded

LAPOR = [sys.executable, "-m", "lapor.cli"]
REPO = Path(__file__).resolve().parent.parent


def _clean_env(**extra: str) -> dict[str, str]:
    """A newcomer's shell: none of Lapor's settings, the worktree's package importable."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("LAPOR_", "DJANGO_", "DATABASE_", "PYTEST_"))
           and name != "PORT"}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def _lapor(cwd: Path, *args: str, env: dict[str, str],
           check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*LAPOR, *args], cwd=cwd, env=env, capture_output=True,  # noqa: S603
                            text=True, timeout=600, check=False)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_make_run_journey_leaves_a_clean_log_and_a_working_cli(tmp_path: Path) -> None:
    port = free_port()
    env = _clean_env()
    # The Makefile's `run` recipe, in order (only the first line sets LAPOR_DEMO_MODE).
    _lapor(tmp_path, "envfile", "--demo", "--port", str(port),
           env={**env, "LAPOR_DEMO_MODE": "1"})
    env_file = tmp_path / "var" / "lapor.env"
    assert f"PORT={port}" in env_file.read_text()
    _lapor(tmp_path, "migrate", "--noinput", "-v", "0", env=env)
    _lapor(tmp_path, "demo", "--reports", "12", "--quiet", env=env)
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [*LAPOR, "serve", "--port", str(port), "--workers", "1"], cwd=tmp_path,
            env={**env, "LAPOR_WORKER_HEARTBEAT_SECONDS": "1"}, stdout=log,
            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    mail = tmp_path / "var" / "mail"
    try:
        wait_until(lambda: http(f"{base}/healthz", timeout=5).status == 200, timeout=300,
                   what="the demo server")
        journey = run_journey(base)
        assert journey.status == "closed"

        # A shell beside `make run`: no LAPOR_* variable at all, the repository as cwd.
        beside = _lapor(tmp_path, "open311", "key", "add", "Aplikasi Kota", env=_clean_env())
        assert "Traceback" not in beside.stderr
        # No start-up chatter on an ordinary command (serve and worker print it).
        assert "channel" not in beside.stderr
        assert "pikepdf" not in beside.stderr
        listed = _lapor(tmp_path, "open311", "key", "list", env=_clean_env())
        assert "Aplikasi Kota" in listed.stdout

        # The journey's mail lands in files under the data dir, its links on the served port.
        link = f"http://127.0.0.1:{port}/lacak/{journey.tracking_number}/"

        def mailed() -> bool:
            return any(link in path.read_text(errors="replace")
                       for path in mail.glob("*.log"))

        wait_until(mailed, timeout=180, what="the journey's e-mail in var/mail")
        assert "http://127.0.0.1:8000/" not in "".join(
            path.read_text(errors="replace") for path in mail.glob("*.log"))
    finally:
        server.terminate()
        server.wait(timeout=60)
    log_text = log_path.read_text(errors="replace")
    assert f"E-mail is written to files in {mail}" in log_text
    assert f"Links in messages point to http://127.0.0.1:{port}" in log_text
    assert log_problems(log_text) == []


def test_a_missing_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    """Without an env file or the variable, a command says what is missing in one line."""
    result = _lapor(tmp_path, "open311", "key", "list", env=_clean_env(), check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "LAPOR_SECRET_KEY is required" in lines[0]
    assert str(tmp_path / "var" / "lapor.env") in lines[0]
    assert "Traceback" not in result.stderr

    # LAPOR_ENV_FILE naming a missing file is one line too.
    missing = _lapor(tmp_path, "open311", "key", "list", check=False,
                     env=_clean_env(LAPOR_ENV_FILE=str(tmp_path / "nope.env")))
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"lapor: LAPOR_ENV_FILE: {tmp_path / 'nope.env'} does not exist")


def test_a_mail_backend_that_cannot_be_built_stops_the_start_in_one_line(tmp_path: Path) -> None:
    env = _clean_env(LAPOR_DEMO_MODE="1", LAPOR_DATA_DIR=str(tmp_path),
                     LAPOR_EMAIL_BACKEND="dummy", LAPOR_EMAIL_OPTIONS='{"host": "smtp.local"}')
    result = _lapor(tmp_path, "worker", "--burst", env=env, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "CommandError: MAILERS['default']: Unknown options 'host'. "
        "(LAPOR_EMAIL_BACKEND, LAPOR_EMAIL_OPTIONS)"]
