"""The nightly routing retraining (issue #21): make a night's new dispositions, and compare the
models' held-out accuracy with the reference training on the same data. A measurement script,
not a test: it asserts nothing. The retraining itself is timed around the command:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_route   # a copy, never the seed
    /usr/bin/time -v .venv/bin/lapor routing_train --full      # every agency
    .venv/bin/python bench/routing_train.py night --dispositions 2000 --agencies 5
    /usr/bin/time -v .venv/bin/lapor routing_train             # the incremental night
    .venv/bin/python bench/routing_train.py quality            # stored models vs the reference

``night`` disposes ``--dispositions`` submitted reports of the ``--agencies`` hub agencies with
the most of them, through the real service (``report_dispose``, as the agency's hub verifier,
or a bench account made one), each to the unit the agency most often sent that category to;
the disposition time is now.

``quality`` retrains, for the agencies whose model the last run made (or ``--agency``), with
:meth:`Learner.measure` (the reference: one cold fit on the same stratified 80 %, the same
held-out 20 %) and prints both accuracies side by side; ``--stale PERCENT`` also measures a model
that has not seen the newest PERCENT of the examples (what an agency skipped by
``LAPOR_ROUTING_RETRAIN_PERCENT`` serves meanwhile) on the same held-out rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
    if not os.environ.get("LAPOR_SECRET_KEY"):
        os.environ["LAPOR_DEMO_MODE"] = "1"
    os.environ.setdefault("LAPOR_DATA_DIR", str(Path(tempfile.gettempdir()) / "lapor-bench-data"))
    sys.path.insert(0, str(REPO))
    import django  # noqa: PLC0415

    django.setup()


def night(dispositions: int, agencies: int) -> None:
    from django.db.models import Count  # noqa: PLC0415  (after django.setup)

    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.orgs.actors import actor_for_user  # noqa: PLC0415
    from lapor.orgs.models import NodeKind, OrgNode, Role, RoleAssignment  # noqa: PLC0415
    from lapor.reports import services  # noqa: PLC0415
    from lapor.reports.models import Disposition, Report  # noqa: PLC0415

    hubs = {n.pk: n for n in OrgNode.objects.filter(kind=NodeKind.AGENCY, is_hub=True)}
    busiest = Counter({row["agency_id"]: row["n"] for row in (
        Report.objects.filter(status="submitted", agency_id__in=hubs, is_training=False)
        .values("agency_id").annotate(n=Count("id")).order_by())})
    chosen = [hubs[a] for a, _ in busiest.most_common(agencies)]
    per_agency = -(-dispositions // len(chosen))
    done, started = 0, time.perf_counter()
    for agency in chosen:
        verifier = RoleAssignment.objects.filter(node=agency, role=Role.HUB_VERIFIER).first()
        if verifier is None:  # the seed's agencies have none: a bench account
            user, _ = User.objects.get_or_create(username="bench.routing",
                                                 defaults={"display_name": "Bench Routing"})
            verifier = RoleAssignment.objects.create(user=user, node=agency,
                                                     role=Role.HUB_VERIFIER)
        actor = actor_for_user(verifier.user)
        habit: dict[int | None, Counter[str]] = defaultdict(Counter)
        for category, unit in (Disposition.objects.filter(
                parent__isnull=True, node__path__startswith=agency.path)
                .exclude(node=agency).values_list("report__category_id", "node__code")[:20_000]):
            habit[category][unit] += 1
        overall = Counter[str]()
        for units in habit.values():
            overall.update(units)
        reports = Report.objects.filter(status="submitted", agency=agency,
                                        is_training=False).order_by("-pk")[:per_agency]
        for report in reports:
            unit = (habit.get(report.category_id) or overall).most_common(1)[0][0]
            services.report_dispose(actor=actor, report_id=report.pk, node_code=unit)
            done += 1
        print(f"{agency.code}: {len(reports)} reports disposed")
    print(f"{done} dispositions in {time.perf_counter() - started:.1f} s")


def quality(agency_codes: list[str], stale: float) -> None:
    import numpy as np  # noqa: PLC0415  (the bench only)
    from sklearn.model_selection import train_test_split  # noqa: PLC0415
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    from lapor.orgs.models import OrgNode  # noqa: PLC0415
    from lapor.search import routing  # noqa: PLC0415
    from lapor.search.learning import Learner, _top_k_hits  # noqa: PLC0415
    from lapor.search.models import RoutingModel, RoutingRun  # noqa: PLC0415

    learner = Learner(analyzer=routing.features, held_out=routing.HELD_OUT, top=routing.TOP)
    if not agency_codes:
        last = RoutingRun.objects.filter(finished_at__isnull=False).order_by("-pk").first()
        models = RoutingModel.objects.select_related("agency")
        if last is not None:
            models = models.filter(trained_at__gte=last.started_at)
        agency_codes = [m.agency.code for m in models]
    rows = []
    with threadpool_limits(1):
        for code in agency_codes:
            agency = OrgNode.objects.get(code=code)
            stored = RoutingModel.objects.defer("blob").get(agency=agency)
            texts, labels = routing.training_examples(agency)
            if len(texts) != stored.examples:
                print(f"{code}: history changed since the model ({len(texts)} vs "
                      f"{stored.examples}), skipped")
                continue
            cpu = time.process_time()
            reference = learner.measure(texts, labels)
            reference_cpu = time.process_time() - cpu
            stale_accuracy = None
            if stale:
                counted = Counter(labels)
                train_i, test_i = train_test_split(
                    np.arange(len(texts)), test_size=routing.HELD_OUT, random_state=0,
                    stratify=labels if min(counted.values()) >= 2 else None)
                newest = int(len(texts) * stale / 100)  # texts are newest first
                older = [i for i in train_i if i >= newest]
                model = learner.pipeline().fit([texts[i] for i in older],
                                               [labels[i] for i in older])
                stale_accuracy = _top_k_hits(model, [texts[i] for i in test_i],
                                             [labels[i] for i in test_i], 1) / len(test_i)
            rows.append((code, stored.examples, reference.accuracy, stored.accuracy,
                         reference.top3_accuracy, stored.top3_accuracy, stale_accuracy,
                         reference_cpu, stored.seconds))
    print("agency | examples | top-1 reference | top-1 stored | top-3 reference | "
          "top-3 stored | top-1 without the newest | reference CPU s | stored training s")
    for row in rows:
        print(" | ".join(str(round(v, 3)) if isinstance(v, float) else str(v) for v in row))
    if rows:
        diff = [r[3] - r[2] for r in rows]
        print(f"{len(rows)} agencies: top-1 stored − reference mean {statistics.mean(diff):+.4f}, "
              f"min {min(diff):+.4f}, max {max(diff):+.4f}")
        if stale:
            lag = [r[6] - r[2] for r in rows]
            print(f"without the newest {stale:g} %: top-1 − reference mean "
                  f"{statistics.mean(lag):+.4f}, min {min(lag):+.4f}, max {max(lag):+.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("night", help="dispose submitted reports: a night's new examples")
    make.add_argument("--dispositions", type=int, default=2000)
    make.add_argument("--agencies", type=int, default=5)
    check = sub.add_parser("quality", help="stored models vs the reference, same data")
    check.add_argument("--agency", action="append", default=[])
    check.add_argument("--stale", type=float, default=0.0)
    args = parser.parse_args()
    setup_django()
    if args.command == "night":
        night(args.dispositions, args.agencies)
    else:
        quality(args.agency, args.stale)


if __name__ == "__main__":
    main()
