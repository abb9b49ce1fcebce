"""The outbox's mail backend (``settings.MAILERS[LAPOR_NOTIFY_MAILER]``), checked at start.

``lapor serve`` and ``lapor worker`` call :func:`check_mailer` before anything runs: a backend
that cannot be built (an unknown class, options it does not take, a directory it cannot
write) stops the start with one line, instead of failing every message later. They print
:func:`describe_mailer` so the operator (and a newcomer running ``make run``) knows where the
mail goes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import InvalidMailer, mailers


class MailerUnusable(Exception):
    """The configured mail backend cannot be built; the message names the setting."""


def check_mailer() -> None:
    alias = settings.LAPOR_NOTIFY_MAILER
    try:
        mailers[alias]
    except InvalidMailer as exc:
        raise MailerUnusable(f"{exc} (LAPOR_EMAIL_BACKEND, LAPOR_EMAIL_OPTIONS)") from exc


def describe_mailer() -> str:
    """One line: where the outbox's e-mail goes."""
    config = settings.MAILERS.get(settings.LAPOR_NOTIFY_MAILER, {})
    backend = config.get("BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    options = config.get("OPTIONS", {})
    if backend.endswith("filebased.EmailBackend"):
        return f"E-mail is written to files in {options.get('file_path')} (one per message)"
    if backend.endswith("console.EmailBackend"):
        return "E-mail is printed on the task worker's standard output"
    if backend.endswith("smtp.EmailBackend") and "host" in options:
        return f"E-mail is sent by SMTP through {options['host']}:{options.get('port', 25)}"
    if backend.endswith("dummy.EmailBackend"):
        return "E-mail is discarded (dummy backend)"
    return f"E-mail goes to {backend}"
