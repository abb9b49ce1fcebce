"""Load Kemendagri region codes into :class:`~lapor.regions.models.Region`.

Two entry points, both idempotent (missing rows are inserted, changed names are updated,
nothing is ever deleted) and both atomic:

* :func:`load_shipped_regions` loads the provinces, regencies and districts shipped in
  ``lapor/regions/data/`` (run by migration ``0002_load_shipped``);
* :func:`import_villages` streams a ``code,district_code,name`` CSV of villages, validating
  every row; one bad row aborts the whole import with a :class:`RegionDataError` (a
  :class:`ValueError`) that names the line.

Both accept a ``model`` argument so the data migration can pass its historical model.
Reference points (``code,latitude,longitude``) are loaded by :mod:`lapor.regions.points`,
which shares :func:`open_text`, :func:`source_name` and :class:`RegionDataError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO, Final, cast

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from lapor.regions.models import Region, RegionLevel

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
BATCH_SIZE: Final = 5_000
NAME_MAX_LENGTH: Final = 120

type CsvSource = str | PathLike[str] | IO[str] | IO[bytes]


class RegionDataError(ValueError):
    """A region CSV row failed validation; ``line`` is its 1-based line number in the file."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}, line {line}: {message}")
        self.source = source
        self.line = line


@dataclass(frozen=True, slots=True)
class _Level:
    level: RegionLevel
    filename: str
    parent_column: str | None
    pattern: re.Pattern[str]
    example: str


_SHIPPED_LEVELS: Final = (
    _Level(RegionLevel.PROVINCE, "provinces.csv", None, re.compile(r"[0-9]{2}"), "NN"),
    _Level(
        RegionLevel.REGENCY,
        "regencies.csv",
        "province_code",
        re.compile(r"[0-9]{2}\.[0-9]{2}"),
        "NN.NN",
    ),
    _Level(
        RegionLevel.DISTRICT,
        "districts.csv",
        "regency_code",
        re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}"),
        "NN.NN.NN",
    ),
)
_VILLAGE_LEVEL: Final = _Level(
    RegionLevel.VILLAGE,
    "villages.csv",
    "district_code",
    re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}"),
    "NN.NN.NN.NNNN",
)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    code: str
    name: str
    parent_code: str | None


@dataclass(slots=True)
class _Counts:
    added: int = 0
    renamed: int = 0


# --- public API -------------------------------------------------------------------------------


def load_shipped_regions(
    *, model: type[Region] = Region, using: str = DEFAULT_DB_ALIAS, data_dir: Path = DATA_DIR
) -> int:
    """Insert the shipped provinces, regencies and districts that are missing, update names
    that changed, and return how many rows were added. Safe to run any number of times."""
    counts = _Counts()
    with transaction.atomic(using=using):
        parent_codes: set[str] = set()
        for spec in _SHIPPED_LEVELS:
            existing = dict(
                model._default_manager.using(using)
                .filter(level=spec.level)
                .values_list("code", "name")
            )
            with open_text(data_dir / spec.filename) as handle:
                rows = list(_read_rows(handle, spec, parent_codes, spec.filename))
            _write(model, using, rows, spec=spec, existing=existing, counts=counts)
            parent_codes = set(existing) | {row.code for row in rows}
    return counts.added


def import_villages(
    path_or_file: CsvSource, *, model: type[Region] = Region, using: str = DEFAULT_DB_ALIAS
) -> int:
    """Import villages from a ``code,district_code,name`` CSV (path, text or binary file).

    Rows are streamed and written in batches of :data:`BATCH_SIZE` inside one transaction;
    any invalid row (bad code, code not under its district, unknown district, empty or too
    long name, duplicate) raises :class:`RegionDataError` and nothing is stored. Returns how
    many villages were added; names of existing villages are updated when they changed.
    """
    counts = _Counts()
    with transaction.atomic(using=using), open_text(path_or_file) as handle:
        source = source_name(path_or_file, handle)
        districts = set(
            model._default_manager.using(using)
            .filter(level=RegionLevel.DISTRICT)
            .values_list("code", flat=True)
        )
        batch: list[_Row] = []
        for row in _read_rows(handle, _VILLAGE_LEVEL, districts, source):
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                _write_batch(model, using, batch, counts)
                batch = []
        if batch:
            _write_batch(model, using, batch, counts)
    return counts.added


# --- reading ----------------------------------------------------------------------------------


@contextmanager
def open_text(source: CsvSource) -> Iterator[IO[str]]:
    """Yield a text stream for ``source``; close only what was opened here."""
    if isinstance(source, str | PathLike):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            yield handle
        return
    if isinstance(source.read(0), bytes):
        binary = cast(IO[bytes], source)
        wrapper = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            yield wrapper
        finally:
            wrapper.detach()  # leave the caller's binary file open
        return
    yield cast(IO[str], source)


def source_name(source: CsvSource, handle: IO[str]) -> str:
    """The file name shown in a :class:`RegionDataError` (``<csv>`` for a nameless stream)."""
    if isinstance(source, str | PathLike):
        return Path(source).name
    name = getattr(handle, "name", None) or getattr(source, "name", None)
    return Path(name).name if isinstance(name, str) and name else "<csv>"


def _read_rows(
    handle: IO[str], spec: _Level, parent_codes: set[str], source: str
) -> Iterator[_Row]:
    """Parse and validate every row of one level's CSV, yielding them in file order."""
    reader = csv.reader(handle)
    columns = (
        ["code", "name"] if spec.parent_column is None else ["code", spec.parent_column, "name"]
    )
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise RegionDataError(source, 1, f"unreadable header: {exc}") from exc
    if header is None or not any(column.strip() for column in header):
        raise RegionDataError(source, 1, f"empty file; expected header {','.join(columns)}")
    header = [column.strip().lstrip("\ufeff") for column in header]
    if header != columns:
        raise RegionDataError(
            source, 1, f"header is {','.join(header)!r}; expected {','.join(columns)!r}"
        )
    seen: set[str] = set()
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RegionDataError(source, line + 1, f"unreadable row: {exc}") from exc
        line = reader.line_num
        if not fields:
            continue  # blank line
        yield _validate(
            fields,
            spec=spec,
            parent_codes=parent_codes,
            seen=seen,
            source=source,
            line=line,
            width=len(columns),
        )


def _validate(
    fields: list[str],
    *,
    spec: _Level,
    parent_codes: set[str],
    seen: set[str],
    source: str,
    line: int,
    width: int,
) -> _Row:
    if len(fields) != width:
        raise RegionDataError(source, line, f"expected {width} columns, found {len(fields)}")
    code = fields[0].strip()
    name = fields[-1].strip()
    if not spec.pattern.fullmatch(code):
        raise RegionDataError(
            source, line, f"invalid {spec.level.label} code {code!r} (expected {spec.example})"
        )
    if code in seen:
        raise RegionDataError(source, line, f"duplicate code {code}")
    seen.add(code)
    parent_code: str | None = None
    if spec.parent_column is not None:
        parent_code = fields[1].strip()
        expected_parent = code.rpartition(".")[0]
        if parent_code != expected_parent:
            raise RegionDataError(
                source,
                line,
                f"{spec.parent_column} {parent_code!r} does not match code {code} "
                f"(expected {expected_parent})",
            )
        if parent_code not in parent_codes:
            raise RegionDataError(source, line, f"parent region {parent_code} does not exist")
    if not name:
        raise RegionDataError(source, line, f"empty name for {code}")
    if len(name) > NAME_MAX_LENGTH:
        raise RegionDataError(
            source, line, f"name for {code} is {len(name)} characters (max {NAME_MAX_LENGTH})"
        )
    return _Row(line=line, code=code, name=name, parent_code=parent_code)


# --- writing ----------------------------------------------------------------------------------


def _write_batch(model: type[Region], using: str, batch: list[_Row], counts: _Counts) -> None:
    """Write one batch of villages, looking up which of its codes already exist."""
    existing: dict[str, str] = {}
    chunk = _max_in_params(using)
    codes = [row.code for row in batch]
    manager = model._default_manager.using(using)
    for start in range(0, len(codes), chunk):
        existing.update(
            manager.filter(code__in=codes[start : start + chunk]).values_list("code", "name")
        )
    _write(model, using, batch, spec=_VILLAGE_LEVEL, existing=existing, counts=counts)


def _write(
    model: type[Region],
    using: str,
    rows: list[_Row],
    *,
    spec: _Level,
    existing: dict[str, str],
    counts: _Counts,
) -> None:
    """Insert rows whose code is not in ``existing``; update those whose name changed."""
    manager = model._default_manager.using(using)
    new = [
        model(code=row.code, name=row.name, level=spec.level, parent_id=row.parent_code)
        for row in rows
        if row.code not in existing
    ]
    renamed = [
        model(code=row.code, name=row.name, level=spec.level, parent_id=row.parent_code)
        for row in rows
        if row.code in existing and existing[row.code] != row.name
    ]
    if new:
        # ignore_conflicts: a concurrent loader that inserted the same code is not an error.
        manager.bulk_create(new, ignore_conflicts=True)
        counts.added += len(new)
    if renamed:
        manager.bulk_create(
            renamed, update_conflicts=True, unique_fields=["code"], update_fields=["name"]
        )
        counts.renamed += len(renamed)


def _max_in_params(using: str) -> int:
    limit = connections[using].features.max_query_params
    return BATCH_SIZE if limit is None else max(1, min(BATCH_SIZE, limit - 1))
