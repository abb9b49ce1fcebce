"""``peer add`` and the ``lapor federation`` command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.audit.models import AuditEntry
from lapor.core.errors import Conflict, ValidationFailed
from lapor.federation.journal import journal_append
from lapor.federation.management.commands.federation import Command
from lapor.federation.models import EntryKind, Link, LinkRole, SharedKey
from lapor.federation.services import peer_add
from lapor.federation.signing import token_hash
from lapor.federation.tests.stub_peer import journal_ack, stub_peer
from lapor.reports import numbering
from tests.factories import Tree, submit

# Only the entries the test writes (conftest.no_auto_journal).
pytestmark = pytest.mark.usefixtures("no_auto_journal")


def test_peer_add_assigns_lanes_and_stores_the_token_hashed(tree: Tree) -> None:
    first, token = peer_add(agency_code="kutim", url="https://kutim.example/")
    second, _ = peer_add(agency_code="samarinda", url="https://samarinda.example")
    assert token.startswith("lfed_")
    assert len(token) == 48
    assert (first.lane, second.lane) == (1, 2)
    assert first.role == LinkRole.PEER
    assert first.url == "https://kutim.example"
    assert first.token_hash == token_hash(token)
    assert token not in first.signing_key_encrypted
    assert numbering.given_lanes() == [1, 2]
    assert SharedKey.objects.count() == 1
    entry = AuditEntry.objects.get(action="federation.peer_added", target_id=str(first.pk))
    assert entry.payload == {"agency": "kutim", "url": "https://kutim.example", "lane": 1}


def test_peer_add_twice_refused(tree: Tree) -> None:
    peer_add(agency_code="kutim", url="https://kutim.example")
    with pytest.raises(Conflict) as refused:
        peer_add(agency_code="kutim", url="https://other.example")
    assert refused.value.code == "already_linked"
    assert Link.objects.count() == 1


@pytest.mark.parametrize(("code", "url", "field"), [
    ("kutim-pupr", "https://x.example", "agency"),  # a unit, not a hub agency
    ("nope", "https://x.example", "agency"),
    ("kutim", "ftp://x.example", "url"),
])
def test_peer_add_refuses_bad_input(tree: Tree, code: str, url: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        peer_add(agency_code=code, url=url)
    assert refused.value.field == field
    assert not Link.objects.exists()


def test_peer_add_explicit_lane_taken(tree: Tree) -> None:
    peer_add(agency_code="kutim", url="https://kutim.example", lane=9)
    with pytest.raises(Conflict):
        peer_add(agency_code="samarinda", url="https://s.example", lane=9)


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("federation", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_peer_add_list_and_status(tree: Tree) -> None:
    out, err = _run("peer", "add", "kutim", "--url", "https://kutim.example")
    token = out.split("token=")[1].split()[0]
    assert Link.objects.get().token_hash == token_hash(token)
    assert "lane=1" in out
    assert "lapor federation upstream set --url" in err
    assert "--agency kutim" in err
    listed, _ = _run("peer", "list")
    assert "peer\tkutim\thttps://kutim.example\tlane 1\tactive" in listed
    link = Link.objects.get()
    report = submit(tree).report
    for _ in range(2):
        journal_append(link=link, report=report, kind=EntryKind.REPORT)
    status, _ = _run("status")
    assert status.splitlines() == [
        "peer kutim https://kutim.example",
        "  lane: 1",
        "  queue out: 2 (written 2, acknowledged 0)",
        "  received through: 0",
        "  last success: never",
        "  last error: none",
    ]


def test_cli_status_without_links(tree: Tree) -> None:
    assert _run("status")[0].strip() == "No federation link."


def test_cli_push_prints_what_was_sent(tree: Tree) -> None:
    link, _ = peer_add(agency_code="kutim", url="https://kutim.example")
    report = submit(tree).report
    with stub_peer(journal_ack) as region:
        Link.objects.filter(pk=link.pk).update(url=region.url)
        for _ in range(3):
            journal_append(link=link, report=report, kind=EntryKind.REPORT)
        out, _ = _run("push")
    assert out.strip() == "kutim: 3 sent, acknowledged through 3, 0 waiting"
    assert "Authorization" not in region.received[0].headers  # national → region: no bearer


def test_cli_upstream_set_unreachable_exits_1_with_one_line(
        tree: Tree, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # run_from_argv closes the connections when it ends: not the test's own, please.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with stub_peer(journal_ack) as gone:
        url = gone.url
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["lapor", "federation", "upstream", "set", "--url", url,
                                 "--agency", "kutim", "--token", "lfed_" + "a" * 43])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() == "CommandError: peer_unreachable"
    assert "Traceback" not in err
    assert not Link.objects.exists()


def test_cli_upstream_set_reports_the_peers_code_and_reads_stdin(
        tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("lfed_" + "b" * 43 + "\n"))

    def refuse(got: Any) -> tuple[int, dict[str, Any]]:
        assert got.headers["Authorization"] == "Bearer lfed_" + "b" * 43
        return 401, {"code": "unknown_peer"}

    with stub_peer(refuse) as national, pytest.raises(CommandError) as refused:
        _run("upstream", "set", "--url", national.url, "--agency", "kutim")
    assert str(refused.value) == "unknown_peer (HTTP 401)"
    assert not Link.objects.exists()


def test_cli_bad_agency_is_one_line(tree: Tree) -> None:
    with pytest.raises(CommandError) as refused:
        _run("peer", "add", "kutim-pupr", "--url", "https://x.example")
    assert str(refused.value) == "unknown_node (agency)"
