"""The notification centre: each officer sees and clears only their own notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from lapor.core import clock
from lapor.notifications.models import Notification
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree, submit


def _notice(tree: Tree, user: str, subject: str, *, minutes_ago: int = 0) -> Notification:
    report = submit(tree).report
    return Notification.objects.create(
        user=tree.users[user], key=f"test:{user}:{subject}", event="reminder", report=report,
        subject=subject, body="Batas waktu besok.",
        created_at=clock.now() - timedelta(minutes=minutes_ago))


@pytest.mark.django_db
def test_the_list_shows_my_notices_with_the_unread_count(tree: Tree) -> None:
    mine = _notice(tree, "liaison_pupr", "Pengingat: laporan jatuh tempo besok")
    _notice(tree, "liaison_dinkes", "Rahasia milik Dinkes")
    client = signed_in("liaison_pupr")
    html = client.get("/petugas/notifikasi/").content.decode()
    assert "Pengingat: laporan jatuh tempo besok" in html
    assert f'href="/petugas/laporan/{mine.report_id}/"' in html
    assert "Rahasia milik Dinkes" not in html
    inbox = client.get("/petugas/").content.decode()
    assert 'data-testid="nav-notifications">Notifikasi <span class="count">1</span>' in inbox


@pytest.mark.django_db
def test_mark_one_and_mark_all_read(tree: Tree) -> None:
    first = _notice(tree, "liaison_pupr", "Satu", minutes_ago=2)
    second = _notice(tree, "liaison_pupr", "Dua")
    other = _notice(tree, "liaison_dinkes", "Punya orang lain")
    client = signed_in("liaison_pupr")
    client.post("/petugas/notifikasi/dibaca/", {"id": str(first.pk)})
    # Someone else's id is ignored as if it did not exist.
    client.post("/petugas/notifikasi/dibaca/", {"id": str(other.pk)})
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.read_at is not None
    assert other.read_at is None
    unread = client.get("/petugas/notifikasi/?belum=1").content.decode()
    assert "Dua" in unread
    assert "Satu" not in unread
    answer = client.post("/petugas/notifikasi/dibaca/", follow=True)
    assert "1 notifikasi ditandai sudah dibaca." in answer.content.decode()
    second.refresh_from_db()
    assert second.read_at is not None


@pytest.mark.django_db
def test_the_centre_needs_a_staff_session(tree: Tree) -> None:
    answer = Client().get("/petugas/notifikasi/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/petugas/masuk/")
    assert Client().post("/petugas/notifikasi/dibaca/").status_code == 302
