"""What lapor.orgs announces to the apps above it, which it never imports.

``sop_changed`` is sent at the end of every write that changes what an agency's SOP document
says (:mod:`lapor.orgs.services`: settings, days off, routing rules, escalation chain, roles),
inside that write's transaction, with ``node`` (the agency, or the node a role was on).
lapor.sopdoc connects its draft refresh to it (``SopdocConfig.ready``), so the refresh
commits or rolls back with the change, as a call would.
"""

from __future__ import annotations

from django.dispatch import Signal

sop_changed = Signal()
