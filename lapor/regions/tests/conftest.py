from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = "code,district_code,name"

# Real villages of Sangatta Utara (64.08.04), Kutai Timur, from the Kemendagri data.
SANGATTA_UTARA_VILLAGES = [
    "64.08.04.1010,64.08.04,Teluk Lingga",
    "64.08.04.2001,64.08.04,Sangatta Utara",
    "64.08.04.2011,64.08.04,Singa Gembara",
    "64.08.04.2012,64.08.04,Swarga Bara",
]

type WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write ``lines`` (header first unless ``header`` is None) to a CSV file in tmp_path."""

    def write(lines: list[str], *, header: str | None = HEADER, name: str = "villages.csv") -> Path:
        path = tmp_path / name
        rows = lines if header is None else [header, *lines]
        path.write_text("".join(f"{row}\n" for row in rows), encoding="utf-8")
        return path

    return write
