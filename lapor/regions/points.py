"""Load region reference points (``code,latitude,longitude``) into
:class:`~lapor.regions.models.Region`.

Lapor ships no points: no openly licensed set was available. Operators load their own, for
example centroids computed from BIG/BPS boundaries they are licensed to use, with
``lapor regions import-points points.csv``. Rows may be of any level; only districts are used
by :func:`lapor.regions.selectors.nearest_district`.

The import is all-or-nothing: every row is validated first (a malformed row or a point outside
Indonesia's bounding box raises :class:`~lapor.regions.loader.RegionDataError` naming the line)
and the points are then written in one transaction. Codes that match no region are counted
and reported, not fatal. Re-importing is idempotent: changed points are updated, equal ones
left alone.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Final

from django.db import DEFAULT_DB_ALIAS, transaction

from lapor.regions.bbox import LAT_RANGE, LON_RANGE, in_indonesia
from lapor.regions.loader import CsvSource, RegionDataError, open_text, source_name
from lapor.regions.models import Region

COLUMNS: Final = ("code", "latitude", "longitude")
UNKNOWN_SAMPLE: Final = 10
_PLACES: Final = Decimal("0.000001")
# Any Kemendagri level: NN, NN.NN, NN.NN.NN or NN.NN.NN.NNNN.
_CODE: Final = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
_BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class PointImport:
    """What an import did: ``updated`` regions got a new or changed point, ``unchanged`` ones
    already had it; ``unknown`` rows named no region (the first few in ``unknown_codes``)."""

    updated: int
    unchanged: int
    unknown: int
    unknown_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Point:
    code: str
    latitude: Decimal
    longitude: Decimal


def import_points(source: CsvSource, *, using: str = DEFAULT_DB_ALIAS) -> PointImport:
    """Set the reference point of every region named in a ``code,latitude,longitude`` CSV
    (path, text or binary file); see the module docstring for the rules."""
    with open_text(source) as handle:
        name = source_name(source, handle)
        points = _read(handle, name)
    updated = unchanged = 0
    unknown: list[str] = []
    manager = Region._default_manager.using(using)
    with transaction.atomic(using=using):
        for start in range(0, len(points), _BATCH):
            batch = points[start : start + _BATCH]
            regions = manager.in_bulk([point.code for point in batch])
            changed: list[Region] = []
            for point in batch:
                region = regions.get(point.code)
                if region is None:
                    unknown.append(point.code)
                elif (region.latitude, region.longitude) == (point.latitude, point.longitude):
                    unchanged += 1
                else:
                    region.latitude, region.longitude = point.latitude, point.longitude
                    changed.append(region)
            if changed:
                manager.bulk_update(changed, ["latitude", "longitude"])
                updated += len(changed)
    return PointImport(
        updated=updated,
        unchanged=unchanged,
        unknown=len(unknown),
        unknown_codes=tuple(unknown[:UNKNOWN_SAMPLE]),
    )


def _read(handle: IO[str], source: str) -> list[_Point]:
    reader = csv.reader(handle)
    expected = ",".join(COLUMNS)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise RegionDataError(source, 1, f"unreadable header: {exc}") from exc
    if header is None or not any(column.strip() for column in header):
        raise RegionDataError(source, 1, f"empty file; expected header {expected}")
    columns = [column.strip().lstrip("\ufeff") for column in header]
    if columns != list(COLUMNS):
        raise RegionDataError(source, 1, f"header is {','.join(columns)!r}; expected {expected!r}")
    points: list[_Point] = []
    seen: set[str] = set()
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return points
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RegionDataError(source, line + 1, f"unreadable row: {exc}") from exc
        line = reader.line_num
        if not fields:
            continue  # blank line
        point = _validate(fields, source=source, line=line)
        if point.code in seen:
            raise RegionDataError(source, line, f"duplicate code {point.code}")
        seen.add(point.code)
        points.append(point)


def _validate(fields: list[str], *, source: str, line: int) -> _Point:
    if len(fields) != len(COLUMNS):
        raise RegionDataError(source, line, f"expected {len(COLUMNS)} columns, found {len(fields)}")
    code = fields[0].strip()
    if not _CODE.fullmatch(code):
        raise RegionDataError(
            source,
            line,
            f"invalid region code {code!r} (expected NN, NN.NN, NN.NN.NN or NN.NN.NN.NNNN)",
        )
    latitude = _number(fields[1], "latitude", code, source, line)
    longitude = _number(fields[2], "longitude", code, source, line)
    # Checked before rounding: a huge number cannot be quantized to 6 places.
    if not in_indonesia(latitude, longitude):
        raise RegionDataError(
            source,
            line,
            f"point {latitude},{longitude} of {code} is outside Indonesia (latitude "
            f"{LAT_RANGE[0]}…{LAT_RANGE[1]}, longitude {LON_RANGE[0]}…{LON_RANGE[1]})",
        )
    return _Point(
        code=code, latitude=latitude.quantize(_PLACES), longitude=longitude.quantize(_PLACES)
    )


def _number(text: str, column: str, code: str, source: str, line: int) -> Decimal:
    value = text.strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise RegionDataError(
            source, line, f"{column} {value!r} of {code} is not a decimal number (WGS84)"
        )
    return number
