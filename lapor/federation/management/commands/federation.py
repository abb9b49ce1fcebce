"""``lapor federation peer add AGENCY_CODE --url URL | peer list``, ``lapor federation upstream
set --url URL --agency AGENCY_CODE [--token TOKEN]``, ``lapor federation status`` and
``lapor federation push``: links between Lapor instances (docs/federation.md)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.core.errors import ApplicationError
from lapor.federation.selectors import all_links, link_status, links
from lapor.federation.services import peer_add, upstream_set_detail
from lapor.federation.transport import PeerFailed, backlog, push


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}Z" if moment is not None else "never"


class Command(BaseCommand):
    help = "Link this Lapor instance with another one (national and regional instances)."

    def add_arguments(self, parser: CommandParser) -> None:
        groups = parser.add_subparsers(dest="group", required=True,
                                       metavar="{peer,upstream,status,push}")
        peer: ArgumentParser = groups.add_parser(
            "peer", help="regional instances linked to this (national) instance")
        peer_actions = peer.add_subparsers(dest="action", required=True, metavar="{add,list}")
        add = peer_actions.add_parser(
            "add", help="Register the regional instance at URL as the home of AGENCY_CODE's "
            "subtree; its token is printed once.")
        add.add_argument("agency", metavar="AGENCY_CODE", help="hub agency code, e.g. kutim")
        add.add_argument("--url", required=True, help="the regional instance's base URL")
        add.add_argument("--lane", type=int, default=None,
                         help="tracking-number lane (default: the lowest free one)")
        peer_actions.add_parser("list", help="List the links of this instance.")
        upstream: ArgumentParser = groups.add_parser(
            "upstream", help="the national instance this (regional) instance belongs to")
        up_actions = upstream.add_subparsers(dest="action", required=True, metavar="{set}")
        up_set = up_actions.add_parser(
            "set", help="Link to the national instance (checks the token with a signed "
            "handshake first and hands over this instance's existing tracking numbers; "
            "stores nothing if either fails).")
        up_set.add_argument("--url", required=True, help="the national instance's base URL")
        up_set.add_argument("--agency", required=True, metavar="AGENCY_CODE",
                            help="this instance's hub agency code, e.g. kutim")
        up_set.add_argument("--token", default=None,
                            help="the token `peer add` printed (read from stdin if absent)")
        groups.add_parser("status", help="Show the links, their queues, last success and "
                          "last error.")
        groups.add_parser("push", help="Push every link's backlog now.")

    def handle(self, *args: Any, **options: Any) -> None:
        group = options["group"]
        try:
            if group == "peer" and options["action"] == "add":
                self._peer_add(options)
            elif group == "peer":
                self._list()
            elif group == "upstream":
                self._upstream_set(options)
            elif group == "status":
                self._status()
            elif group == "push":
                self._push()
            else:  # argparse lets only known groups through
                raise CommandError(f"unknown command {group!r}")
        except PeerFailed as exc:
            detail = exc.detail or {}
            status = f" (HTTP {detail.get('http_status')})" if detail.get("http_status") else ""
            raise CommandError(f"{detail.get('peer_code') or exc.code}{status}") from exc
        except ApplicationError as exc:
            raise CommandError(f"{exc.code} ({exc.field or 'federation'})") from exc

    def _peer_add(self, options: dict[str, Any]) -> None:
        link, token = peer_add(agency_code=options["agency"], url=options["url"],
                               lane=options["lane"])
        self.stdout.write(f"token={token}")
        self.stdout.write(f"lane={link.lane}")
        self.stderr.write(
            f"Regional instance {link.url} linked for {link.agency.code} (lane {link.lane}). "
            "The token is shown only now. On the regional instance run:\n"
            f"  lapor federation upstream set --url <this instance's URL> "
            f"--agency {link.agency.code} --token {token}")

    def _list(self) -> None:
        for link in all_links():
            state = "active" if link.is_active else "inactive"
            self.stdout.write(f"{link.pk}\t{link.role}\t{link.agency.code}\t{link.url}\t"
                              f"lane {link.lane}\t{state}")

    def _upstream_set(self, options: dict[str, Any]) -> None:
        token = options["token"]
        if token is None:
            token = sys.stdin.readline()
        if not token.strip():
            raise CommandError("token missing (give --token or write it on stdin)")
        done = upstream_set_detail(url=options["url"], agency_code=options["agency"],
                                   token=token)
        link = done.link
        self.stdout.write(f"Linked to the national instance {link.url} for "
                          f"{link.agency.code}: lane {link.lane}.")
        self.stdout.write(f"{done.numbers_sent} existing tracking number(s) sent, "
                          f"{done.reserved} reserved on the national instance.")
        if done.already_issued:
            shown = ", ".join(done.already_issued_numbers[:10])
            more = "" if done.already_issued <= 10 else ", …"
            self.stdout.write(self.style.WARNING(
                f"Warning: {done.already_issued} tracking number(s) of this instance were "
                f"already issued by the national instance before the link (such a report of "
                f"the national instance cannot be shared here): {shown}{more}"))

    def _status(self) -> None:
        rows = link_status()
        if not rows:
            self.stdout.write("No federation link.")
            return
        for row in rows:
            error = (f"{row.last_error} at {_when(row.last_error_at)}" if row.last_error
                     else "none")
            self.stdout.write("\n".join([
                f"{row.role} {row.agency} {row.url}{'' if row.is_active else ' (inactive)'}",
                f"  lane: {row.lane}",
                f"  queue out: {row.queue_out} (written {row.next_seq - 1}, "
                f"acknowledged {row.sent_through})",
                f"  received through: {row.received_through}",
                f"  last success: {_when(row.last_success_at)}",
                f"  last error: {error}",
            ]))

    def _push(self) -> None:
        failed = False
        for link in links():
            waiting = backlog(link)
            try:
                result = push(link)
            except PeerFailed as exc:
                self.stdout.write(f"{link.agency.code}: {waiting} waiting, not sent: "
                                  f"{exc.reason}")
                failed = True
                continue
            line = (f"{link.agency.code}: {result.sent} sent, acknowledged through "
                    f"{result.received_through}, {result.backlog} waiting")
            if result.backlog and link.last_error:
                line += f" ({link.last_error})"
            self.stdout.write(line)
        if failed:
            raise CommandError("push failed for a link (see above)")
