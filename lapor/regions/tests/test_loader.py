from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from lapor.regions import loader
from lapor.regions.loader import (
    DATA_DIR,
    RegionDataError,
    import_villages,
    load_shipped_regions,
)
from lapor.regions.models import Region, RegionLevel
from lapor.regions.tests.conftest import HEADER, SANGATTA_UTARA_VILLAGES, WriteCsv

PROVINCES, REGENCIES, DISTRICTS = 38, 514, 7285
SHIPPED = PROVINCES + REGENCIES + DISTRICTS


def level_counts() -> tuple[int, int, int, int]:
    return (
        Region.objects.filter(level=RegionLevel.PROVINCE).count(),
        Region.objects.filter(level=RegionLevel.REGENCY).count(),
        Region.objects.filter(level=RegionLevel.DISTRICT).count(),
        Region.objects.filter(level=RegionLevel.VILLAGE).count(),
    )


def delete_all_regions() -> None:
    for level in reversed(RegionLevel):  # children first: parent is on_delete=PROTECT
        Region.objects.filter(level=level).delete()


# --- shipped data -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "rows"),
    [("provinces.csv", PROVINCES), ("regencies.csv", REGENCIES), ("districts.csv", DISTRICTS)],
)
def test_shipped_files_have_the_real_counts(filename: str, rows: int) -> None:
    with open(DATA_DIR / filename, encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == rows


def test_shipped_data_carries_licence_and_attribution_but_no_villages() -> None:
    assert (
        (DATA_DIR / "LICENSE-ODbL.md")
        .read_text(encoding="utf-8")
        .startswith("# Open Database License (ODbL)")
    )
    attribution = (DATA_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Kemendagri" in attribution
    assert "ODbL" in attribution
    assert not (DATA_DIR / "villages.csv").exists()


@pytest.mark.django_db
def test_migration_ships_provinces_regencies_and_districts() -> None:
    assert level_counts() == (PROVINCES, REGENCIES, DISTRICTS, 0)


@pytest.mark.django_db
def test_load_is_idempotent() -> None:
    delete_all_regions()
    assert level_counts() == (0, 0, 0, 0)

    assert load_shipped_regions() == SHIPPED
    assert level_counts() == (PROVINCES, REGENCIES, DISTRICTS, 0)

    assert load_shipped_regions() == 0
    assert level_counts() == (PROVINCES, REGENCIES, DISTRICTS, 0)


@pytest.mark.django_db
def test_load_adds_missing_rows_and_restores_changed_names() -> None:
    Region.objects.filter(code="64.08.18").delete()
    Region.objects.filter(code="64.08").update(name="Kutai Timur (old)")

    assert load_shipped_regions() == 1

    assert Region.objects.get(code="64.08.18").name == "Long Mesangat"
    assert Region.objects.get(code="64.08").name == "Kabupaten Kutai Timur"
    assert level_counts() == (PROVINCES, REGENCIES, DISTRICTS, 0)


@pytest.mark.django_db
def test_load_rejects_bad_shipped_data_atomically(tmp_path: Path) -> None:
    delete_all_regions()
    (tmp_path / "provinces.csv").write_text("code,name\n64,Kalimantan Timur\n", encoding="utf-8")
    (tmp_path / "regencies.csv").write_text(
        "code,province_code,name\n64.08,64,Kabupaten Kutai Timur\n", encoding="utf-8"
    )
    (tmp_path / "districts.csv").write_text(
        "code,regency_code,name\n64.08.01,64.08,Muara Ancalong\n64.09.01,64.09,Nowhere\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"districts\.csv, line 3: .*64\.09 does not exist"):
        load_shipped_regions(data_dir=tmp_path)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_kutai_timur_and_its_18_districts() -> None:
    kutim = Region.objects.get(code="64.08")
    assert kutim.name == "Kabupaten Kutai Timur"
    assert kutim.level == RegionLevel.REGENCY
    assert kutim.parent_id == "64"
    assert Region.objects.get(code="64").name == "Kalimantan Timur"

    districts = list(kutim.children.order_by("code"))
    assert [d.code for d in districts] == [f"64.08.{n:02d}" for n in range(1, 19)]
    assert all(d.level == RegionLevel.DISTRICT for d in districts)
    names = {d.code: d.name for d in districts}
    assert names["64.08.01"] == "Muara Ancalong"
    assert names["64.08.04"] == "Sangatta Utara"
    assert names["64.08.12"] == "Sangatta Selatan"
    assert names["64.08.18"] == "Long Mesangat"


# --- import_villages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_villages_adds_valid_rows_and_is_idempotent(write_csv: WriteCsv) -> None:
    path = write_csv(SANGATTA_UTARA_VILLAGES)

    assert import_villages(path) == 4
    village = Region.objects.get(code="64.08.04.2011")
    assert village.name == "Singa Gembara"
    assert village.level == RegionLevel.VILLAGE
    assert village.parent_id == "64.08.04"
    assert Region.objects.get(code="64.08.04").children.count() == 4

    assert import_villages(str(path)) == 0
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 4


@pytest.mark.django_db
def test_import_villages_updates_changed_names(write_csv: WriteCsv) -> None:
    import_villages(write_csv(SANGATTA_UTARA_VILLAGES))
    renamed = [*SANGATTA_UTARA_VILLAGES[:3], "64.08.04.2012,64.08.04,Swarga Bara Baru"]
    assert import_villages(write_csv(renamed)) == 0
    assert Region.objects.get(code="64.08.04.2012").name == "Swarga Bara Baru"


@pytest.mark.django_db
def test_import_villages_streams_in_batches(
    write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "BATCH_SIZE", 3)
    lines = [f"64.08.04.{3000 + n},64.08.04,Desa {n}" for n in range(10)]
    assert import_villages(write_csv(lines)) == 10
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 10


@pytest.mark.django_db
def test_import_villages_accepts_file_objects_and_bom() -> None:
    text = "\n".join([HEADER, *SANGATTA_UTARA_VILLAGES[:2]]) + "\n"
    assert import_villages(io.BytesIO(("\ufeff" + text).encode("utf-8"))) == 2
    assert import_villages(io.StringIO(text.replace("Teluk Lingga", "Teluk Lingga Baru"))) == 0
    assert Region.objects.get(code="64.08.04.1010").name == "Teluk Lingga Baru"


BAD_ROWS = {
    "bad code format": ("64.08.04.201,64.08.04,Desa", r"invalid .*code '64\.08\.04\.201'"),
    "letters in code": ("64.08.04.20a1,64.08.04,Desa", r"invalid .*code"),
    "unknown district": ("64.08.99.2001,64.08.99,Desa", r"64\.08\.99 does not exist"),
    "parent mismatch": ("64.08.04.2099,64.08.05,Desa", r"does not match code"),
    "empty name": ("64.08.04.2099,64.08.04,   ", r"empty name"),
    "name too long": ("64.08.04.2099,64.08.04," + "x" * 121, r"121 characters \(max 120\)"),
    "duplicate code": ("64.08.04.2001,64.08.04,Lagi", r"duplicate code 64\.08\.04\.2001"),
    "missing column": ("64.08.04.2099,Desa", r"expected 3 columns, found 2"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "message"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_import_villages_rejects_bad_row_and_stores_nothing(
    write_csv: WriteCsv, row: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches: valid rows before the bad one were already written and must roll back.
    monkeypatch.setattr(loader, "BATCH_SIZE", 2)
    path = write_csv([*SANGATTA_UTARA_VILLAGES, row])

    with pytest.raises(ValueError, match=r"villages\.csv, line 6: .*" + message) as excinfo:
        import_villages(path)

    assert isinstance(excinfo.value, RegionDataError)
    assert excinfo.value.line == 6
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 0


@pytest.mark.django_db
def test_import_villages_rejects_wrong_header(write_csv: WriteCsv) -> None:
    path = write_csv(SANGATTA_UTARA_VILLAGES, header="code,regency_code,name")
    with pytest.raises(ValueError, match=r"line 1: header"):
        import_villages(path)
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 0


@pytest.mark.django_db
def test_import_villages_rejects_empty_file(write_csv: WriteCsv) -> None:
    with pytest.raises(ValueError, match=r"line 1: empty file"):
        import_villages(write_csv([], header=None))


@pytest.mark.django_db
def test_import_villages_rejects_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "villages.csv"
    path.write_bytes(f"{HEADER}\n64.08.04.2001,64.08.04,Sang\xe1tta\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"villages\.csv, line \d+: unreadable"):
        import_villages(path)
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 0
