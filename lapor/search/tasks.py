"""Background task of the search app: retrain the routing classifiers (enqueued once a night by
lapor.config.scheduler; ``lapor routing_train --enqueue`` enqueues it by hand).

It goes to its own queue, ``routing``, which the interactive worker (deadline sweep, outbox
dispatch, channel replies: the ``default`` queue) never takes: a routing worker does
(``lapor worker --queue-name routing``; ``lapor serve`` starts one beside its task workers).
"""

from __future__ import annotations

from django.tasks import task

from lapor.search.routing import routing_train_all

ROUTING_QUEUE = "routing"


@task(queue_name=ROUTING_QUEUE)
def routing_train_task(full: bool = False) -> dict[str, float]:
    return routing_train_all(full=full)
