"""The dispose/forward target list as people look for a unit: grouped and sorted by name.

A regency's hub disposes to 30+ units (its OPD, 18 kecamatan, bidang and UPT); listed in tree
order they were hard to find. The ``<select>`` gets one ``<optgroup>`` per group, in this
order: agencies (the national desk disposes to them), perangkat daerah / unit kerja (OPD),
kecamatan, then the rest (sub-units such as bidang, UPT, puskesmas, desa/kelurahan), each sorted
by name. A sub-unit's entry names its parent ("Bidang Bina Marga — Dinas PUPR"); when the list
spans several agencies every unit names its agency too. ``lapor.js`` adds a type-to-filter
box to such a list (progressive enhancement: without JavaScript it is a plain grouped select).

A kecamatan is a unit (``NodeKind.UNIT``) named "Kecamatan …" (or "Distrik …", Papua's
equivalent), the official names of those offices; nodes do not store a unit type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum

from django.utils.translation import gettext as _

from lapor.orgs.models import NodeKind, OrgNode

KECAMATAN_PREFIXES = ("kecamatan ", "distrik ")


class TargetGroup(IntEnum):
    AGENCY = 1
    OPD = 2
    KECAMATAN = 3
    OTHER = 4


def target_group(node: OrgNode) -> TargetGroup:
    if node.kind in (NodeKind.AGENCY, NodeKind.ROOT):
        return TargetGroup.AGENCY
    if node.kind == NodeKind.UNIT:
        if node.name.casefold().startswith(KECAMATAN_PREFIXES):
            return TargetGroup.KECAMATAN
        return TargetGroup.OPD
    return TargetGroup.OTHER


def _group_label(group: TargetGroup) -> str:
    return {
        TargetGroup.AGENCY: _("Agencies"),
        TargetGroup.OPD: _("Departments and offices (OPD)"),
        TargetGroup.KECAMATAN: _("Kecamatan"),
        TargetGroup.OTHER: _("Other units (bidang, UPT, desa/kelurahan)"),
    }[group]


def _name(node: OrgNode, *, by_id: dict[int, OrgNode], several_agencies: bool) -> str:
    name = node.name
    if node.kind == NodeKind.SUBUNIT and node.parent_id in by_id:
        name = f"{name} — {by_id[node.parent_id].name}"
    elif node.kind == NodeKind.SUBUNIT and node.parent is not None:
        name = f"{name} — {node.parent.name}"
    if several_agencies and node.kind in (NodeKind.UNIT, NodeKind.SUBUNIT) \
            and node.agency is not None:
        name = f"{name} ({node.agency.name})"
    return name


def grouped_choices(nodes: Sequence[OrgNode]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(group label, [(code, name), …]), …]`` for a Django ``Select`` (optgroups): groups in
    :class:`TargetGroup` order, empty ones left out, names sorted case-insensitively."""
    by_id = {n.pk: n for n in nodes}
    several = len({n.agency_id for n in nodes if n.kind != NodeKind.ROOT}) > 1
    groups: dict[TargetGroup, list[tuple[str, str]]] = {}
    for node in nodes:
        label = _name(node, by_id=by_id, several_agencies=several)
        groups.setdefault(target_group(node), []).append((node.code, label))
    return [(_group_label(g), sorted(groups[g], key=lambda c: (c[1].casefold(), c[0])))
            for g in sorted(groups)]


def target_choices(nodes: Iterable[OrgNode]) -> list[tuple[str, object]]:
    """The full choices of a target ``<select>``: an empty first choice (nobody disposes to
    whatever happened to be listed first), then the groups."""
    return [("", _("Choose a unit…")), *grouped_choices(list(nodes))]
