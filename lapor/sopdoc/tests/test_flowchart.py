"""The flowchart SVG on its own (no database): symbols, connectors, pages, escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lapor.sopdoc.document import (
    DECISION,
    PROCESS,
    TERMINATOR,
    Edge,
    Identity,
    Lane,
    SopDocument,
    Step,
    document_from_json,
)
from lapor.sopdoc.flowchart import flowchart_svg

SVG = "{http://www.w3.org/2000/svg}"


def _doc() -> SopDocument:
    identity = Identity(agency_name='Dinas <A & "B">', agency_code="a", title="T",
                        legal_basis=(), qualifications=(), related_sops=(), equipment=(),
                        warnings=(), records=(), timezone="WITA", days_off=())

    def step(key: str, lane: str, symbol: str, *edges: Edge) -> Step:
        return Step(key, lane, symbol, key, "", "", "", "", (), edges)

    steps = (step("a", "x", TERMINATOR, Edge("b")),
             step("b", "y", DECISION, Edge("c", "Ya"), Edge("a", "Tidak")),
             step("c", "x", PROCESS, Edge("d")),
             step("d", "y", TERMINATOR))
    return SopDocument(identity=identity, lanes=(Lane("x", "X"), Lane("y", "Y")), steps=steps)


def test_symbols_connectors_and_labels() -> None:
    root = ET.fromstring(flowchart_svg(_doc()))  # noqa: S314  (our own output)
    classes = [el.get("class") for el in root.iter() if el.get("class", "").startswith("sym")]
    assert classes == ["sym sym-terminator", "sym sym-decision", "sym sym-process",
                       "sym sym-terminator"]
    arrows = [p for p in root.iter(f"{SVG}path") if p.get("marker-end")]
    assert len(arrows) == 4
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Ya" in texts
    assert "Tidak" in texts
    assert 'Dinas <A & "B">' in (root.find(f"{SVG}title").text or "")  # type: ignore[union-attr]


def test_a_page_ends_connectors_to_other_pages_in_offpage_markers() -> None:
    root = ET.fromstring(flowchart_svg(_doc(), range(2, 4)))  # noqa: S314
    assert [el.get("class") for el in root.iter() if el.get("class") == "offpage"] == []
    first = ET.fromstring(flowchart_svg(_doc(), range(2)))  # noqa: S314
    offpage = [el for el in first.iter() if el.get("class") == "offpage"]
    assert len(offpage) == 1  # b → c leaves the page; b → a stays on it
    assert "3" in [t.text for t in first.iter(f"{SVG}text")]


def test_json_round_trip_and_determinism() -> None:
    doc = _doc()
    assert document_from_json(doc.as_json()) == doc
    assert flowchart_svg(doc) == flowchart_svg(document_from_json(doc.as_json()))
