"""``import_points`` and ``lapor regions import-points``: reference points of regions."""

from __future__ import annotations

import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.regions.loader import RegionDataError
from lapor.regions.models import Region
from lapor.regions.points import import_points
from lapor.regions.tests.conftest import WriteCsv

pytestmark = pytest.mark.django_db

HEADER = "code,latitude,longitude"
# Test fixtures, made up near the real towns: not survey points or centroids of any source.
POINTS = [
    "64.08.04,0.520000,117.550000",  # Sangatta Utara
    "64.08.12,0.430000,117.580000",  # Sangatta Selatan
    "64.72.04,-0.500000,117.160000",  # Samarinda Ilir
    "64.72.01,-0.590000,117.190000",  # Palaran
]


def points() -> dict[str, tuple[Decimal, Decimal]]:
    return {
        code: (lat, lng)
        for code, lat, lng in Region.objects.filter(latitude__isnull=False).values_list(
            "code", "latitude", "longitude"
        )
    }


def test_good_file_sets_the_points(write_csv: WriteCsv) -> None:
    result = import_points(write_csv(POINTS, header=HEADER, name="points.csv"))
    assert (result.updated, result.unchanged, result.unknown) == (4, 0, 0)
    assert result.unknown_codes == ()
    assert points() == {
        "64.08.04": (Decimal("0.52"), Decimal("117.55")),
        "64.08.12": (Decimal("0.43"), Decimal("117.58")),
        "64.72.04": (Decimal("-0.5"), Decimal("117.16")),
        "64.72.01": (Decimal("-0.59"), Decimal("117.19")),
    }


def test_any_level_and_binary_stream_with_bom() -> None:
    data = ("\ufeff" + HEADER + "\n64,0.5,116.5\n64.08,1.0,117.5\n\n").encode()
    stream = io.BytesIO(data)
    result = import_points(stream)
    assert (result.updated, result.unknown) == (2, 0)
    assert not stream.closed  # the caller's file stays open
    assert points() == {
        "64": (Decimal("0.5"), Decimal("116.5")),
        "64.08": (Decimal("1.0"), Decimal("117.5")),
    }


def test_unknown_codes_are_counted_not_fatal(write_csv: WriteCsv) -> None:
    unknown = [f"64.99.{n:02d},0.1,117.1" for n in range(1, 13)]
    result = import_points(write_csv([*POINTS, *unknown], header=HEADER, name="points.csv"))
    assert (result.updated, result.unchanged, result.unknown) == (4, 0, 12)
    assert result.unknown_codes == tuple(f"64.99.{n:02d}" for n in range(1, 11))  # first ten
    assert len(points()) == 4


def test_reimport_is_idempotent_and_updates_changed_points(write_csv: WriteCsv) -> None:
    path = write_csv(POINTS, header=HEADER, name="points.csv")
    import_points(path)
    again = import_points(path)
    assert (again.updated, again.unchanged, again.unknown) == (0, 4, 0)

    moved = ["64.08.04,0.5100004,117.5400004", *POINTS[1:]]
    result = import_points(write_csv(moved, header=HEADER, name="points.csv"))
    assert (result.updated, result.unchanged) == (1, 3)
    assert points()["64.08.04"] == (Decimal("0.51"), Decimal("117.54"))  # 6 decimals


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "64.72.05,48.856600,2.352200",
            r"points\.csv, line 4: point 48\.856600,2\.352200 of "
            r"64\.72\.05 is outside Indonesia",
        ),
        ("64.72.05,-0.45,150", "line 4: .* outside Indonesia"),
        ("64.72.05,-12,117", "line 4: .* outside Indonesia"),
        ("64.72.05,1e30,117", "line 4: .* outside Indonesia"),
        ("64.72.05,abc,117.1", "line 4: latitude 'abc' of 64.72.05 is not a decimal number"),
        ("64.72.05,-0.45,", "line 4: longitude '' of 64.72.05 is not a decimal number"),
        ("64.72.05,NaN,117.1", "line 4: latitude 'NaN'"),
        ("64.72.05,-0.45", "line 4: expected 3 columns, found 2"),
        ("64-72-05,-0.45,117.1", "line 4: invalid region code '64-72-05'"),
        ("64.08.04,0.6,117.6", "line 4: duplicate code 64.08.04"),
    ],
)
def test_bad_row_names_the_line_and_writes_nothing(
    write_csv: WriteCsv, row: str, message: str
) -> None:
    path = write_csv([*POINTS[:2], row, *POINTS[2:]], header=HEADER, name="points.csv")
    with pytest.raises(RegionDataError, match=message):
        import_points(path)
    assert points() == {}


def test_bad_row_after_an_earlier_import_keeps_the_old_points(write_csv: WriteCsv) -> None:
    import_points(write_csv(POINTS, header=HEADER, name="points.csv"))
    changed = ["64.08.04,0.9,117.9", "64.08.12,0.43,999"]
    with pytest.raises(RegionDataError, match="line 3"):
        import_points(write_csv(changed, header=HEADER, name="points.csv"))
    assert points()["64.08.04"] == (Decimal("0.52"), Decimal("117.55"))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("code,lat,lng", "line 1: header is 'code,lat,lng'; expected 'code,latitude,longitude'"),
        ("", "line 1: empty file"),
    ],
)
def test_bad_header(header: str, message: str) -> None:
    with pytest.raises(RegionDataError, match=message):
        import_points(StringIO(f"{header}\n" if header else ""))


# --- command ----------------------------------------------------------------------------------


def test_import_points_command_prints_counts(write_csv: WriteCsv) -> None:
    path = write_csv([*POINTS, "64.99.01,0.1,117.1"], header=HEADER, name="points.csv")
    out = StringIO()
    call_command("regions", "import-points", str(path), stdout=out)
    assert "Points: 4 set or changed, 0 unchanged, 1 unknown codes." in out.getvalue()
    assert "Unknown region codes (skipped): 64.99.01" in out.getvalue()

    out = StringIO()
    call_command("regions", "import-points", str(path), stdout=out)
    assert "Points: 0 set or changed, 4 unchanged, 1 unknown codes." in out.getvalue()


def test_import_points_command_fails_clearly(write_csv: WriteCsv) -> None:
    path = write_csv([*POINTS, "64.72.05,48.85,2.35"], header=HEADER, name="points.csv")
    with pytest.raises(CommandError, match=r"nothing imported: points\.csv, line 6: point"):
        call_command("regions", "import-points", str(path), stdout=StringIO())
    assert points() == {}
    with pytest.raises(CommandError, match="CSV file not found"):
        call_command("regions", "import-points", str(path.with_name("nope.csv")))
