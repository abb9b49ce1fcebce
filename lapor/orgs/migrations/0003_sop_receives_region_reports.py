"""Sop.receives_region_reports: a hub receives its region's reports that name no agency.

Data step: on for every regency/city agency (region code ``PP.RR``) that is a hub and has at
least one hub verifier, the default issue 18 asks for; off for everyone else (provinces,
ministries, agencies without verifiers), which keeps their reports where they went before.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def switch_on_for_regency_hubs(apps: Any, schema_editor: Any) -> None:
    Sop = apps.get_model("orgs", "Sop")
    RoleAssignment = apps.get_model("orgs", "RoleAssignment")
    with_verifiers = RoleAssignment.objects.filter(role="hub_verifier").values("node_id")
    for sop in Sop.objects.filter(node__kind="agency", node__is_hub=True,
                                  node__region__isnull=False, node_id__in=with_verifiers
                                  ).select_related("node"):
        if sop.node.region_id.count(".") == 1:
            sop.receives_region_reports = True
            sop.save(update_fields=["receives_region_reports"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_sop_urgent_max_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="sop",
            name="receives_region_reports",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(switch_on_for_regency_hubs, migrations.RunPython.noop),
    ]
