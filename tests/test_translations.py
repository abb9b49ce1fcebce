"""Bahasa Indonesia is the default language: every UI string must have its translation.

UI strings are English msgids (in templates and in ``gettext`` calls) translated in each app's
``locale/id/LC_MESSAGES/django.po``; the compiled ``.mo`` is committed so that `make run` needs
no GNU gettext. These tests fail when a string is added without its translation, when a
translation is fuzzy or empty, or when the ``.mo`` was not recompiled after the ``.po`` changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

# Source files and catalogues only, no database: run once, in the SQLite pass.
pytestmark = pytest.mark.one_pass

ROOT = Path(__file__).resolve().parents[1]
LAPOR = ROOT / "lapor"
USES_GETTEXT = re.compile(
    r"{%\s*(translate|trans|blocktranslate|blocktrans)\b|\bgettext|\bngettext"
)


def _apps_with_ui_strings() -> list[Path]:
    apps = []
    for app in sorted(p for p in LAPOR.iterdir() if (p / "apps.py").exists()):
        files = [f for f in app.rglob("*") if f.suffix in (".py", ".html")
                 and "tests" not in f.parts and "migrations" not in f.parts]
        if any(USES_GETTEXT.search(f.read_text(encoding="utf-8")) for f in files):
            apps.append(app)
    return apps


APPS = _apps_with_ui_strings()


def _po(app: Path) -> Path:
    return app / "locale" / "id" / "LC_MESSAGES" / "django.po"


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def test_the_ui_apps_are_found() -> None:
    names = {a.name for a in APPS}
    assert {"web", "portal", "workspace"} <= names


@pytest.mark.parametrize("app", APPS, ids=lambda a: a.name)
def test_every_string_is_translated(app: Path) -> None:
    po = polib.pofile(str(_po(app)))
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
    for entry in po.translated_entries():
        # Placeholders must survive translation ("%(n)d hari kerja lagi").
        wanted = set(re.findall(r"%\(\w+\)[sd]", entry.msgid))
        found = set(re.findall(r"%\(\w+\)[sd]", entry.msgstr or " ".join(
            entry.msgstr_plural.values())))
        assert wanted == found, entry.msgid


@pytest.mark.parametrize("app", APPS, ids=lambda a: a.name)
def test_the_compiled_catalogue_matches(app: Path) -> None:
    po = polib.pofile(str(_po(app)))
    mo = polib.mofile(str(_po(app).with_suffix(".mo")))
    want = {_key(e): (e.msgstr, dict(e.msgstr_plural)) for e in po.translated_entries()}
    have = {_key(e): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
            for e in mo if e.msgid}
    want = {k: (s, {int(i): v for i, v in p.items()}) for k, (s, p) in want.items()}
    assert have == want, "recompile: django-admin compilemessages (in the app directory)"


@pytest.mark.parametrize("app", APPS, ids=lambda a: a.name)
def test_no_string_is_missing_from_the_catalogue(app: Path, tmp_path: Path) -> None:
    """Extract the strings afresh (GNU xgettext through makemessages) from a copy of the app."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "tests", "locale"))
    (copy / "locale").mkdir()
    # -P: the copy's own modules (an app's selectors.py) must not shadow the standard library.
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "id", "--no-location",
         "--no-wrap", "-v", "0"],
        cwd=copy, check=True, capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    committed = {_key(e) for e in polib.pofile(str(_po(app))).translated_entries()}
    missing = sorted(e.msgid for e in fresh if e.msgid and _key(e) not in committed)
    assert not missing, f"run makemessages -l id in {app} and translate: {missing}"
