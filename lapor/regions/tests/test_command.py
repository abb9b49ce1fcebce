from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.regions.models import Region, RegionLevel
from lapor.regions.tests.conftest import SANGATTA_UTARA_VILLAGES, WriteCsv


@pytest.mark.django_db
def test_import_villages_command_reports_rows_added(write_csv: WriteCsv) -> None:
    path = write_csv(SANGATTA_UTARA_VILLAGES)

    out = StringIO()
    call_command("regions", "import-villages", str(path), stdout=out)
    assert "Added 4 villages" in out.getvalue()
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 4

    out = StringIO()
    call_command("regions", "import-villages", str(path), stdout=out)
    assert "Added 0 villages" in out.getvalue()


@pytest.mark.django_db
def test_import_villages_command_fails_clearly_on_invalid_row(write_csv: WriteCsv) -> None:
    path = write_csv([*SANGATTA_UTARA_VILLAGES, "64.08.04.20x9,64.08.04,Desa"])
    with pytest.raises(CommandError, match=r"nothing imported: villages\.csv, line 6: invalid"):
        call_command("regions", "import-villages", str(path), stdout=StringIO())
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() == 0


@pytest.mark.django_db
def test_import_villages_command_fails_clearly_on_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="CSV file not found"):
        call_command("regions", "import-villages", str(tmp_path / "nope.csv"))


def test_regions_command_requires_an_action() -> None:
    with pytest.raises(CommandError):
        call_command("regions")
