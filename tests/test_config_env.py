"""One configuration for the server and the CLI (issue #18): the env file, the site URL from
the served port, the mail backend's own options, and a mail backend that cannot be built
failing in one line rather than with a traceback per message."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from lapor.core.env import site_url
from lapor.core.envfile import EnvFileError, load_env_file, parse_env_file, write_env_file
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.mailer import MailerUnusable, check_mailer, describe_mailer
from lapor.notifications.models import OutboxMessage, OutboxStatus
from tests.factories import Tree, submit


def test_env_file_is_read_without_replacing_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lapor.env").write_text(
        "# comment\n\nexport LAPOR_DEMO_MODE=1\nPORT='8123'\nLAPOR_SITE_OPERATOR=\"Kominfo\"\n")
    # A copy of the environment: what the loader adds must not leak into other tests.
    environ = {name: value for name, value in os.environ.items()
               if name not in ("LAPOR_ENV_FILE", "LAPOR_DEMO_MODE", "LAPOR_SITE_OPERATOR")}
    monkeypatch.setattr(os, "environ", {**environ, "LAPOR_DATA_DIR": str(tmp_path),
                                        "PORT": "9000"})
    assert load_env_file() == tmp_path / "lapor.env"
    assert os.environ["LAPOR_DEMO_MODE"] == "1"
    assert os.environ["LAPOR_SITE_OPERATOR"] == "Kominfo"
    assert os.environ["PORT"] == "9000"  # the environment wins


def test_env_file_errors_name_the_file_and_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.env"
    bad.write_text("PORT=1\nnot a setting\n")
    with pytest.raises(EnvFileError, match=r"bad.env, line 2: expected NAME=value"):
        parse_env_file(bad)
    monkeypatch.setenv("LAPOR_ENV_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(EnvFileError, match=r"missing\.env does not exist"):
        load_env_file()


def test_writing_the_env_file_keeps_the_operators_lines(tmp_path: Path) -> None:
    path = tmp_path / "lapor.env"
    write_env_file(path, {"PORT": "8000", "LAPOR_DEMO_MODE": "1"}, header="# Lapor")
    path.write_text(path.read_text() + "LAPOR_SITE_OPERATOR=Kominfo Kutim\n")
    write_env_file(path, {"PORT": "8107", "LAPOR_DEMO_MODE": "1"}, header="# Lapor")
    assert parse_env_file(path) == {"PORT": "8107", "LAPOR_DEMO_MODE": "1",
                                    "LAPOR_SITE_OPERATOR": "Kominfo Kutim"}
    assert path.read_text().count("# Lapor") == 1
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_env_file_is_created_private_not_chmoded_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The secrets are never readable by others: the temporary file is created 0600 even
    with umask 0 and with no chmod at all (each chmod is recorded and left undone)."""
    chmods: list[object] = []
    monkeypatch.setattr(Path, "chmod", lambda self, mode, **_: chmods.append(self))
    monkeypatch.setattr(os, "chmod", lambda path, mode, **_: chmods.append(path))
    monkeypatch.setattr(os, "fchmod", lambda fd, mode: chmods.append(fd))
    modes: dict[str, int] = {}
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        modes[self.name] = self.stat().st_mode & 0o777
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    path = tmp_path / "lapor.env"
    # A crashed run's leftover temporary file, readable by all, is not reused.
    (tmp_path / "lapor.env.tmp").write_text("OLD=1\n")
    old_umask = os.umask(0)
    try:
        write_env_file(path, {"LAPOR_SECRET_KEY": "s3cret"}, header="# Lapor")
    finally:
        os.umask(old_umask)
    assert modes == {"lapor.env.tmp": 0o600}
    assert chmods == []
    assert path.stat().st_mode & 0o777 == 0o600
    assert parse_env_file(path) == {"LAPOR_SECRET_KEY": "s3cret"}


def _lapor_exit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    from lapor import cli  # noqa: PLC0415

    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    return int(exited.value.code or 0), capsys.readouterr().err.splitlines()


def test_a_non_utf8_env_file_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "lapor.env"
    path.write_bytes(b"LAPOR_SITE_OPERATOR=Dinas Kominfo \xe9\n")  # Latin-1, not UTF-8
    monkeypatch.setenv("LAPOR_ENV_FILE", str(path))
    assert _lapor_exit(capsys, "check") == (2, [f"lapor: {path}: not UTF-8 text (byte 34)"])


def test_an_unreadable_env_file_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "lapor.env"
    path.write_text("PORT=8000\n")
    path.chmod(0)
    real_read_text = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        # The tests may run as root, whom mode 000 does not stop: the OS's answer to others.
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", read_text)
    monkeypatch.setenv("LAPOR_ENV_FILE", str(path))
    assert _lapor_exit(capsys, "check") == (
        2, [f"lapor: {path}: cannot be read (Permission denied)"])


def test_site_url_follows_the_served_address_unless_set() -> None:
    assert site_url({}) == "http://127.0.0.1:8000"
    assert site_url({"PORT": "8107"}) == "http://127.0.0.1:8107"
    assert site_url({"PORT": "8107", "LAPOR_HOST": "0.0.0.0"})  # noqa: S104 == "http://127.0.0.1:8107"
    assert site_url({"PORT": "80", "LAPOR_HOST": "::1"}) == "http://[::1]:80"
    assert site_url({"PORT": "8107", "LAPOR_SITE_URL": "https://lapor.kutaitimurkab.go.id"}
                    ) == "https://lapor.kutaitimurkab.go.id"


def test_the_file_mailer_writes_under_the_given_directory(tmp_path: Path) -> None:
    mailers = {"default": {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                           "OPTIONS": {"file_path": str(tmp_path / "mail")}}}
    with override_settings(MAILERS=mailers):
        check_mailer()
        assert describe_mailer() == (
            f"E-mail is written to files in {tmp_path / 'mail'} (one per message)")


def test_a_mailer_given_another_backends_options_is_refused_at_start() -> None:
    mailers = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                           "OPTIONS": {"host": "localhost", "port": 25}}}
    with override_settings(MAILERS=mailers), pytest.raises(MailerUnusable,
                                                          match="Unknown options 'host'"):
        check_mailer()


@pytest.mark.django_db
def test_an_unusable_mailer_costs_one_log_line_per_message_not_a_traceback(
        tree: Tree, caplog: pytest.LogCaptureFixture) -> None:
    submit(tree, reporter_email="warga@example.org")
    mailers = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                           "OPTIONS": {"host": "localhost"}}}
    emails = OutboxMessage.objects.filter(channel="email")
    assert emails.exists()
    with override_settings(MAILERS=mailers), caplog.at_level(logging.INFO):
        dispatch()
    failures = [r for r in caplog.records if "mail backend unusable" in r.getMessage()]
    assert len(failures) == emails.count()
    assert all(r.exc_info is None for r in caplog.records)
    assert set(emails.values_list("status", "last_error")) == {
        (OutboxStatus.PENDING, "mailer_unusable")}
    # The cause is named: the Django exception's message.
    assert "Unknown options 'host'" in failures[0].getMessage()


@pytest.mark.django_db
def test_healthz_says_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    body = Client().get("/healthz").json()
    assert body["problems"] == ["worker_not_alive"]
    assert body["detail"]["worker_not_alive"].startswith("no task worker heartbeat ever")
    assert body["worker_heartbeat_age_seconds"] is None

    def gone() -> None:
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("lapor.config.metrics.heartbeat_age", gone)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["database_unavailable"]
    assert response.json()["detail"]["database_unavailable"].startswith(
        "the database does not answer (OperationalError)")
