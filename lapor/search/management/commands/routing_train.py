"""``lapor routing_train``: retrain the routing classifiers now (or enqueue the task) and print
each agency's held-out accuracy. Like the nightly task it retrains only the agencies whose
history changed enough since the last run; ``--full`` retrains every agency."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.orgs.models import OrgNode
from lapor.search.models import RoutingModel
from lapor.search.routing import routing_train, routing_train_all
from lapor.search.tasks import routing_train_task


class Command(BaseCommand):
    help = ("Retrain the routing classifiers (the agencies with new dispositions, every hub "
            "agency with --full, or one) and print the accuracy.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", metavar="CODE", help="only this agency")
        parser.add_argument("--enqueue", action="store_true",
                            help="enqueue the task for the routing worker instead of training "
                                 "here")
        parser.add_argument("--full", action="store_true",
                            help="retrain every hub agency, changed or not")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = routing_train_task.enqueue(full=options["full"])
            self.stdout.write(f"enqueued {result.id}")
            return
        if options["agency"]:
            agency = OrgNode.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"unknown agency {options['agency']!r}")
            stored = routing_train(agency)
            if stored is None:
                self.stdout.write(f"{agency.code}: too little history, no model")
                return
            models = {agency.code: stored}
        else:
            routing_train_all(full=options["full"])
            models = {m.agency.code: m for m in
                      RoutingModel.objects.select_related("agency").defer("blob")}
        for code, m in sorted(models.items()):
            self.stdout.write(
                f"{code}: {m.examples} examples, {m.classes} units, held-out {m.held_out}: "
                f"accuracy {m.accuracy:.3f}, top-3 {m.top3_accuracy:.3f}")
