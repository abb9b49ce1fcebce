"""Background task of the search app: retrain the routing classifiers (enqueued once a day by
lapor.config.scheduler; ``lapor routing_train --enqueue`` enqueues it by hand)."""

from __future__ import annotations

from django.tasks import task

from lapor.search.routing import routing_train_all


@task()
def routing_train_task() -> dict[str, float]:
    return routing_train_all()
