"""HTML and PDF of an SOP document (PermenPANRB 35/2012 layout: identity sheet, then the
flowchart table). The PDF is WeasyPrint's rendering of the same HTML with sopdoc/sop.css."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from lapor.sopdoc.document import SopDocument, document_from_json
from lapor.sopdoc.flowchart import flowchart_svg
from lapor.sopdoc.models import SopVersion

ROWS_PER_PAGE = 6
CSS_PATH = Path(__file__).parent / "static" / "sopdoc" / "sop.css"


@dataclass(frozen=True)
class FlowPage:
    number: int
    rows: list[dict[str, Any]]
    svg: SafeString
    first: bool


def _pages(document: SopDocument) -> list[FlowPage]:
    pages = []
    total = len(document.steps)
    for page, start in enumerate(range(0, total, ROWS_PER_PAGE), start=1):
        rows = range(start, min(start + ROWS_PER_PAGE, total))
        # ElementTree escaped every text and attribute: the SVG is safe to embed as markup.
        svg = mark_safe(flowchart_svg(document, rows))  # noqa: S308
        items = [{"no": i + 1, "step": document.steps[i]} for i in rows]
        pages.append(FlowPage(number=page, rows=items, svg=svg, first=page == 1))
    return pages


def sop_context(version: SopVersion) -> dict[str, Any]:
    document = document_from_json(version.content)
    return {
        "doc": document, "version": version, "pages": _pages(document),
        "legal_basis": [*document.identity.legal_basis, *version.local_regulations],
        "lane_count": len(document.lanes),
    }


def sop_html_fragment(version: SopVersion) -> str:
    """The document as an HTML fragment, to embed in a site page."""
    return render_to_string("sopdoc/_document.html", sop_context(version))


def sop_pdf(version: SopVersion) -> bytes:
    """The PDF (A4 landscape) of ``version``."""
    from weasyprint import CSS, HTML  # noqa: PLC0415  (heavy; only when a PDF is made)

    html = render_to_string("sopdoc/print.html", sop_context(version))
    return HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(
        stylesheets=[CSS(filename=str(CSS_PATH))])
