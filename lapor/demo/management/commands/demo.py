"""``lapor demo``: load the Kutai Timur demo data set (idempotent; see lapor.demo.loader)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.demo.data import DEFAULT_REPORTS, DEMO_TOTP_KEY, PASSWORD_ENV
from lapor.demo.loader import (
    REGIONS,
    DemoRefused,
    LoadResult,
    demo_logins,
    demo_password,
    load_demo,
    load_region_demo,
)
from lapor.reports.states import Status


class Command(BaseCommand):
    help = (
        "Load demo data: Pemerintah Kabupaten Kutai Timur with its OPD and 18 kecamatan, SOP, "
        "categories, one account per role, sample reports in every status, and Kutai Timur's "
        "Renaksi 2023–2026 with a Bimtek training space. Running it again changes nothing. "
        "With --region kutim: a regional instance's demo instead (the root and Kutai Timur's "
        "subtree, its SOP and staff accounts, no reports; docs/federation.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS, metavar="N",
                            help=f"number of sample reports (default {DEFAULT_REPORTS})")
        parser.add_argument("--region", choices=REGIONS, metavar="AGENCY",
                            help="load a regional instance's demo for this hub agency "
                                 f"({', '.join(REGIONS)}): its subtree only, no reports")
        parser.add_argument("--quiet", action="store_true",
                            help="print nothing unless something goes wrong")

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["reports"]
        if count < 0:
            raise CommandError("--reports must be 0 or more")
        region: str | None = options["region"]
        try:
            result = (load_demo(reports=count) if region is None
                      else load_region_demo(region=region))
        except DemoRefused as exc:
            raise CommandError(f"demo data not loaded: {exc}") from exc
        if options["quiet"]:
            return
        if region is None:
            self._summary(result)
        else:
            self._region_summary(result, region)
        self._logins(region)

    def _region_summary(self, result: LoadResult, region: str) -> None:
        if not result.loaded:
            self.stdout.write(self.style.WARNING(
                f"The regional demo of {region} is already loaded; nothing changed."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Regional demo of {region} loaded in {result.seconds:.1f} s: "
            f"{result.nodes_created} organisation nodes, {result.categories_created} "
            f"categories, {result.users_created} accounts, no reports (link it to the "
            "national instance with `lapor federation upstream set`; docs/federation.md)."))

    def _summary(self, result: LoadResult) -> None:
        out = self.stdout
        if not result.loaded:
            if result.renaksi_activities:
                out.write(self.style.SUCCESS(
                    f"Demo data was already loaded ({result.reports} reports); added Kutai "
                    f"Timur's Renaksi ({result.renaksi_activities} activities)."))
            else:
                out.write(self.style.WARNING(
                    f"Demo data is already loaded ({result.reports} reports); nothing "
                    "changed."))
        else:
            out.write(self.style.SUCCESS(
                f"Demo data loaded in {result.seconds:.1f} s: {result.reports} reports, "
                f"{result.events} events, {result.nodes_created} organisation nodes, "
                f"{result.categories_created} categories, {result.users_created} accounts."))
            for status in Status:
                out.write(f"  {status.label:<22} {status.value:<12} "
                          f"{result.by_status.get(status.value, 0):>5}")
            out.write(f"  {'Melewati batas waktu':<22} {'overdue':<12} {result.overdue:>5}")
            if result.renaksi_activities:
                out.write(f"Renaksi Kabupaten Kutai Timur 2023–2026: "
                          f"{result.renaksi_activities} activities, readiness at "
                          "/petugas/renaksi/.")

    def _logins(self, region: str | None = None) -> None:
        out = self.stdout
        password = demo_password()
        rows = [(username, role, node, password)
                for username, role, node in demo_logins(region=region)]
        header = ("username", "role", "organisation", "password")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        out.write("")
        out.write(f"Demo accounts (the password comes from {PASSWORD_ENV} when set; accounts "
                  "that existed before keep their own password):")
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            out.write("  " + "  ".join([*cells, row[3]]))
        out.write("")
        out.write("Staff accounts need a two-factor code (TOTP). Every demo staff account uses "
                  f"the demo-only authenticator key {DEMO_TOTP_KEY}: add it to any "
                  f"authenticator app, or run `oathtool --totp -b {DEMO_TOTP_KEY}`.")
        out.write("Pages: citizen portal at /, staff workspace at /petugas/ "
                  "(sign in there with a username above, the password and the code).")
