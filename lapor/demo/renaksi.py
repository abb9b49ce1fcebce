"""Kutai Timur's Rencana Aksi (Renaksi) 2023–2026 in the demo, and what its readiness reads.

Diskominfo Staper, with a development partner, drafted a programme running to 2026 for every
perangkat daerah and the 18 kecamatan: the SOP by 31 July 2023, the appointment of liaison
officers, sosialisasi in batches, workshops, then Bimtek and Diklat for the officers who
handle complaints, with evaluations (docs/renaksi.md "The demo").

Everything is written through the services, as the hub (``kominfo``) and the trainees would do
it, with the clock moved (:func:`lapor.core.clock.frozen`) to the day each thing happened:

* the plan and its activities as typed in February 2023, then each activity marked done on the
  day it ended, with its evidence (an attendance list or a document as a one-page PDF drawn
  with pikepdf, the PDF library of the attachment checks; a photo as a tiny PNG drawn with
  Pillow) through
  :func:`lapor.renaksi.evidence.evidence_add`;
* a training space of the agency (:mod:`lapor.training`) a few days before now, with practice
  accounts for the officers of some units; the trainees of PUPR, the Dinas Kesehatan and the
  Kecamatan Sangatta Utara work practice reports to the end through the real report services
  (dispose, acknowledge, follow up), RSUD's trainee has not yet: so "Bimtek Dinas PUPR" is
  proven by the readiness indicator and the health cluster's Bimtek is not.

The readiness matrix then reads the demo as it is: liaison accounts (two of them, new, without
two-factor sign-in: :data:`lapor.demo.data.USERS` ``two_factor=False``), the SOP approved by
the loader, the trainees above, and the ~200 demo reports handled by the units.

Dates are the programme's own (2023–2026), not relative to now; an activity is marked done
only if its day is not after the demo's today, and nothing is dated after now. The
``demo:renaksi:v1`` marker records the load, so a demo loaded before this existed gets the
Renaksi at the next ``lapor demo``, and a second run changes nothing.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pikepdf
from django.utils import timezone as dj_timezone
from pikepdf import Name
from PIL import Image, ImageDraw

from lapor.accounts.models import User
from lapor.core import clock
from lapor.core.localtime import zone_info
from lapor.core.models import Marker
from lapor.demo import data
from lapor.orgs.actors import Actor, actor_for_user
from lapor.orgs.models import OrgNode, Role
from lapor.orgs.selectors import sop_for
from lapor.renaksi.evidence import evidence_add
from lapor.renaksi.models import Activity, ActivityKind, ActivityStatus, EvidenceKind, Indicator
from lapor.renaksi.services import activity_create, activity_update, plan_create
from lapor.reports import services as report_services
from lapor.reports.models import Report
from lapor.training.models import TrainingSpace
from lapor.training.selectors import space_nodes
from lapor.training.services import practice_account_create, training_space_create

MARKER_KEY = "demo:renaksi:v1"
PLAN_TITLE = "Rencana Aksi Pengelolaan Pengaduan SP4N-LAPOR! Kabupaten Kutai Timur 2023–2026"
PLAN_DESCRIPTION = (
    "Disusun oleh Diskominfo Staper Kabupaten Kutai Timur bersama mitra pembangunan. "
    "Melibatkan seluruh perangkat daerah dan 18 kecamatan: SOP pengelolaan pengaduan "
    "(paling lambat 31 Juli 2023), penunjukan admin penghubung, sosialisasi, workshop, "
    "bimbingan teknis (Bimtek) dan pendidikan dan pelatihan (Diklat) bagi petugas yang "
    "menangani pengaduan, serta evaluasi berkala. (Data demo.)"
)
SPACE_NAME = "Bimtek SP4N-LAPOR! Klaster Infrastruktur, Kesehatan dan Kecamatan"
HUB = data.VERIFIERS[data.KUTIM]  # kominfo: writes the plan, trains

KEC = data.KECAMATAN_PREFIX
OPD = ("kutim-diskominfo", "kutim-pupr", "kutim-dinkes", "kutim-disdikbud", "kutim-disdukcapil",
       "kutim-dlh", "kutim-dishub", "kutim-rsud", "kutim-bpbd", "kutim-inspektorat")
# The kecamatan in three sosialisasi rounds: the town and the coast road first, the interior
# (a day or more by road or river from Sangatta) last.
KEC_I = tuple(KEC + s for s in ("sangatta-utara", "sangatta-selatan", "teluk-pandan",
                                "rantau-pulung", "bengalon", "kaliorang"))
KEC_II = tuple(KEC + s for s in ("sangkulirang", "sandaran", "kaubun", "karangan",
                                 "batu-ampar", "muara-bengkal"))
KEC_III = tuple(KEC + s for s in ("muara-ancalong", "muara-wahau", "busang", "telen",
                                  "kombeng", "long-mesangat"))
KECAMATAN = KEC_I + KEC_II + KEC_III

# Trainees: (name, role, unit code or "" for the training hub, answers practice reports).
# Few on purpose: each practice account hashes its one-time password (Argon2, ~0.25 s).
TRAINEES: tuple[tuple[str, str, str, bool], ...] = (
    ("Fajar Ramadhani", Role.HUB_VERIFIER, "", False),
    ("Rudi Hartono", Role.LIAISON, "kutim-pupr", True),
    ("Hasanah Yusuf", Role.LIAISON, "kutim-dinkes", True),
    ("Yohanes Ledang", Role.LIAISON, "kutim-rsud", False),  # has not practised yet
    ("Nurul Hakim", Role.LIAISON, f"{KEC}sangatta-utara", True),
)


@dataclass(frozen=True)
class Proof:
    """An evidence file: its kind, display name and what it shows."""

    kind: str
    name: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    kind: str
    title: str
    start: date
    end: date
    units: tuple[str, ...]
    owner: str = HUB
    description: str = ""
    proof_indicator: str = ""
    done_on: date | None = None  # marked done that day (with its evidence)
    started: bool = False  # status "in_progress" (when not done)
    evidence: tuple[Proof, ...] = field(default_factory=tuple)


def _attendance(title: str) -> Proof:
    return Proof(EvidenceKind.ATTENDANCE, f"Daftar hadir — {title}.pdf")


def _photo(title: str) -> Proof:
    return Proof(EvidenceKind.PHOTO, f"Foto kegiatan — {title}.png")


STEPS: tuple[Step, ...] = (
    Step(ActivityKind.SOP, "Penyusunan SOP pengelolaan pengaduan SP4N-LAPOR!",
         date(2023, 3, 1), date(2023, 7, 31), OPD,
         description="Tim penyusun Diskominfo Staper dan mitra pembangunan; pembahasan dengan "
                     "Bagian Organisasi dan Inspektorat. Batas: 31 Juli 2023.",
         proof_indicator=Indicator.SOP, done_on=date(2023, 7, 27),
         evidence=(Proof(EvidenceKind.DOCUMENT, "Berita acara finalisasi SOP.pdf",
                         ("Berita Acara Finalisasi SOP Pengelolaan Pengaduan SP4N-LAPOR!",
                          "Rapat finalisasi tim penyusun, Sangatta, 27 Juli 2023",
                          "SOP disampaikan kepada Bupati untuk ditetapkan")),
                   _attendance("Rapat finalisasi SOP"))),
    Step(ActivityKind.LIAISON, "Penunjukan admin penghubung perangkat daerah (SK Bupati)",
         date(2023, 6, 1), date(2023, 8, 31), OPD, proof_indicator=Indicator.LIAISON,
         done_on=date(2023, 8, 21),
         evidence=(Proof(EvidenceKind.DOCUMENT, "SK Bupati admin penghubung.pdf",
                         ("Keputusan Bupati Kutai Timur tentang Admin Penghubung "
                          "SP4N-LAPOR! Perangkat Daerah (data demo)",
                          "Satu admin penghubung dan satu cadangan untuk setiap perangkat "
                          "daerah")),)),
    Step(ActivityKind.SOSIALISASI, "Sosialisasi SP4N-LAPOR! perangkat daerah — angkatan I",
         date(2023, 8, 14), date(2023, 9, 29), OPD[:5], done_on=date(2023, 9, 21),
         evidence=(_attendance("Sosialisasi angkatan I"), _photo("Sosialisasi angkatan I"))),
    Step(ActivityKind.SOSIALISASI, "Sosialisasi SP4N-LAPOR! perangkat daerah — angkatan II",
         date(2023, 10, 2), date(2023, 11, 30), OPD[5:], done_on=date(2023, 11, 23),
         evidence=(_attendance("Sosialisasi angkatan II"),)),
    Step(ActivityKind.LIAISON, "Penunjukan admin penghubung kecamatan",
         date(2024, 1, 8), date(2024, 3, 29), KECAMATAN, proof_indicator=Indicator.LIAISON,
         started=True,
         description="Baru Kecamatan Sangatta Utara yang menunjuk admin penghubung dengan "
                     "akun aktif; kecamatan lain menunggu SK Camat."),
    Step(ActivityKind.SOSIALISASI, "Sosialisasi SP4N-LAPOR! kecamatan — wilayah I (kota dan "
         "pesisir)", date(2024, 2, 5), date(2024, 3, 28), KEC_I, done_on=date(2024, 3, 20),
         evidence=(_attendance("Sosialisasi kecamatan wilayah I"),
                   _photo("Sosialisasi kecamatan wilayah I"))),
    Step(ActivityKind.WORKSHOP, "Workshop penanganan pengaduan dan tindak lanjut bagi admin "
         "penghubung", date(2024, 4, 22), date(2024, 4, 26), OPD, done_on=date(2024, 4, 26),
         evidence=(_attendance("Workshop admin penghubung"),
                   _photo("Workshop admin penghubung"))),
    Step(ActivityKind.SOSIALISASI, "Sosialisasi SP4N-LAPOR! kecamatan — wilayah II",
         date(2024, 5, 6), date(2024, 6, 28), KEC_II, done_on=date(2024, 6, 26),
         evidence=(_attendance("Sosialisasi kecamatan wilayah II"),)),
    Step(ActivityKind.SOSIALISASI, "Sosialisasi SP4N-LAPOR! kecamatan — wilayah III "
         "(pedalaman)", date(2024, 8, 5), date(2024, 10, 31), KEC_III, started=True,
         description="Tertunda: akses jalan ke Busang dan Long Mesangat pada musim hujan."),
    Step(ActivityKind.WORKSHOP, "Workshop penyusunan jawaban pengaduan untuk kecamatan",
         date(2025, 2, 10), date(2025, 2, 14), KEC_I + KEC_II, done_on=date(2025, 2, 14),
         evidence=(_attendance("Workshop kecamatan"),)),
    Step(ActivityKind.DIKLAT, "Diklat pengelola pengaduan — angkatan I",
         date(2025, 6, 2), date(2025, 8, 29), OPD[:5], done_on=date(2025, 8, 22),
         evidence=(_attendance("Diklat angkatan I"), _photo("Diklat angkatan I"))),
    Step(ActivityKind.OTHER, "Evaluasi semester I 2025", date(2025, 7, 1), date(2025, 7, 31),
         OPD, done_on=date(2025, 7, 30),
         evidence=(Proof(EvidenceKind.DOCUMENT, "Laporan evaluasi semester I 2025.pdf",
                         ("Laporan Evaluasi Semester I 2025",
                          "Kepatuhan tindak lanjut perangkat daerah dan kecamatan")),)),
    Step(ActivityKind.BIMTEK, "Bimtek klaster pelayanan dasar: Disdikbud dan Disdukcapil",
         date(2025, 9, 1), date(2025, 10, 31), ("kutim-disdikbud", "kutim-disdukcapil"),
         proof_indicator=Indicator.TRAINING, started=True,
         description="Menunggu ruang latihan; peserta belum menyelesaikan skenario latihan."),
    Step(ActivityKind.OTHER, "Evaluasi tahunan 2025", date(2026, 1, 5), date(2026, 1, 30), OPD,
         done_on=date(2026, 1, 28),
         evidence=(Proof(EvidenceKind.DOCUMENT, "Laporan evaluasi tahunan 2025.pdf",
                         ("Laporan Evaluasi Tahunan 2025 kepada Bupati Kutai Timur",)),)),
    Step(ActivityKind.BIMTEK, "Bimtek Dinas PUPR", date(2026, 11, 2), date(2026, 12, 18),
         ("kutim-pupr",), owner="pupr", proof_indicator=Indicator.TRAINING, started=True,
         description="Praktik di ruang latihan: disposisi, tindak lanjut dan jawaban akhir."),
    Step(ActivityKind.BIMTEK, "Bimtek klaster kesehatan: Dinas Kesehatan dan RSUD Kudungga",
         date(2026, 11, 2), date(2026, 12, 18), ("kutim-dinkes", "kutim-rsud"), owner="dinkes",
         proof_indicator=Indicator.TRAINING, started=True),
    Step(ActivityKind.DIKLAT, "Diklat pengelola pengaduan — angkatan II",
         date(2026, 12, 7), date(2026, 12, 11), OPD[5:]),
    Step(ActivityKind.BIMTEK, "Bimtek kecamatan Sangatta Utara dan Sangatta Selatan",
         date(2026, 12, 14), date(2026, 12, 18), KEC_I[:2], owner="camat.sangatta",
         proof_indicator=Indicator.TRAINING),
    Step(ActivityKind.OTHER, "Evaluasi akhir Renaksi 2023–2026 dan laporan kepada Bupati",
         date(2026, 12, 14), date(2026, 12, 30), OPD + KECAMATAN),
)
PLAN_CREATED = date(2023, 2, 13)


def renaksi_loaded() -> bool:
    return Marker.objects.filter(key=MARKER_KEY).exists()


def load_renaksi(*, nodes: dict[str, OrgNode], users: dict[str, User], now: datetime) -> int:
    """Load the Renaksi (module docs) unless it is there; the number of activities added.

    Runs inside the loader's transaction, after its reports and SOP approval."""
    if renaksi_loaded():
        return 0
    agency = nodes[data.KUTIM]
    hub = actor_for_user(users[HUB])
    with clock.frozen(now):
        zone = zone_info(sop_for(agency).timezone)
    today = dj_timezone.localtime(now, zone).date()
    _train(agency, hub, now)
    added = _plan(agency, hub, zone, today, now)
    Marker.objects.create(key=MARKER_KEY, value={"activities": added,
                                                 "loaded_at": now.isoformat()})
    return added


# ---------------------------------------------------------------- the plan


def _at(day: date, hour: int, zone: ZoneInfo, now: datetime) -> datetime:
    """``hour`` o'clock local on ``day``, never after now."""
    moment = datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)
    return min(moment, now - timedelta(minutes=5))


def _plan(agency: OrgNode, hub: Actor, zone: ZoneInfo, today: date, now: datetime) -> int:
    created = _at(PLAN_CREATED, 10, zone, now)
    with clock.frozen(created):
        plan = plan_create(actor=hub, agency=agency, title=PLAN_TITLE, start_year=2023,
                           end_year=2026, description=PLAN_DESCRIPTION)
    rows: list[tuple[Step, Activity]] = []
    for index, step in enumerate(STEPS):
        with clock.frozen(created + timedelta(minutes=3 * (index + 1))):
            rows.append((step, activity_create(
                actor=hub, plan=plan, kind=step.kind, title=step.title,
                planned_start=step.start, planned_end=step.end, unit_codes=step.units,
                owner=step.owner, description=step.description,
                proof_indicator=step.proof_indicator)))
    for step, activity in rows:
        if step.started and step.start <= today:
            with clock.frozen(_at(step.start, 9, zone, now)):
                activity_update(actor=hub, activity=activity,
                                changes={"status": ActivityStatus.IN_PROGRESS})
        if step.done_on is None or step.done_on > today:
            continue
        moment = _at(step.done_on, 15, zone, now)
        with clock.frozen(moment):
            for number, proof in enumerate(step.evidence):
                content = _file(proof, step, number)
                evidence_add(actor=hub, activity=activity, kind=proof.kind,
                             filename=proof.name, data=content)
            activity_update(actor=hub, activity=activity,
                            changes={"status": ActivityStatus.DONE, "done_on": step.done_on})
    return len(rows)


# ---------------------------------------------------------------- evidence files


def _file(proof: Proof, step: Step, number: int) -> bytes:
    if proof.kind == EvidenceKind.PHOTO:
        return _png(step.title, seed=len(step.title) * 31 + number)
    if proof.kind == EvidenceKind.ATTENDANCE:
        return _attendance_pdf(step)
    return _document_pdf(proof, step)


def _png(caption: str, *, seed: int) -> bytes:
    """A tiny drawn "photo" of a meeting room: a screen, a table and people (PNG)."""
    rng = random.Random(seed)  # noqa: S311  (a picture, not a secret)
    image = Image.new("RGB", (240, 135), (214, 206, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((70, 10, 170, 62), fill=(245, 245, 245), outline=(60, 60, 60))
    draw.rectangle((78, 18, 162, 30), fill=(180, 30, 40))  # the SP4N-LAPOR! slide
    draw.rectangle((20, 95, 220, 108), fill=(120, 84, 50))
    for n in range(9):
        x = 24 + n * 22 + rng.randint(-3, 3)
        shirt = rng.choice([(40, 90, 160), (230, 230, 230), (150, 40, 40), (70, 120, 70)])
        draw.ellipse((x, 70, x + 12, 82), fill=(150, 110, 80))
        draw.rectangle((x - 2, 82, x + 14, 100), fill=shirt)
    draw.text((6, 118), caption[:38], fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


_A4 = (595, 842)  # points
_LEFT = 56


def _pdf_text(text: str) -> bytes:
    """``text`` as a PDF string literal in WinAnsiEncoding (cp1252), escaped."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf(title: str, lines: list[str], table: list[list[str]] | None = None,
         widths: tuple[int, ...] = ()) -> bytes:
    """A one-page A4 PDF drawn with pikepdf (the project's PDF library): a title, lines of
    text and an optional ruled table; Helvetica, no embedded font, milliseconds to make."""
    ops: list[bytes] = [b"BT /F1 14 Tf %d 780 Td " % _LEFT + _pdf_text(title) + b" Tj ET"]
    y = 756
    for line in lines:
        ops.append(b"BT /F1 10 Tf %d %d Td " % (_LEFT, y) + _pdf_text(line) + b" Tj ET")
        y -= 15
    if table:
        y -= 10
        row_height = 20
        total = sum(widths)
        for row_index, row in enumerate(table):
            top = y - row_index * row_height
            ops.append(b"0.5 w %d %d %d %d re S" % (_LEFT, top - row_height, total, row_height))
            x = _LEFT
            for cell, width in zip(row, widths, strict=True):
                ops.append(b"%d %d m %d %d l S" % (x, top, x, top - row_height))
                size = 10 if row_index else 9
                font = b"/F2" if row_index == 0 else b"/F1"
                ops.append(b"BT " + font + b" %d Tf %d %d Td " % (size, x + 4, top - 14)
                           + _pdf_text(cell) + b" Tj ET")
                x += width
    pdf = pikepdf.new()
    fonts = pikepdf.Dictionary(
        F1=pikepdf.Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                              Encoding=Name.WinAnsiEncoding),
        F2=pikepdf.Dictionary(Type=Name.Font, Subtype=Name.Type1,
                              BaseFont=Name("/Helvetica-Bold"), Encoding=Name.WinAnsiEncoding))
    page = pikepdf.Dictionary(Type=Name.Page, MediaBox=[0, 0, *_A4],
                              Resources=pikepdf.Dictionary(Font=fonts),
                              Contents=pdf.make_stream(b"\n".join(ops)))
    pdf.pages.append(pikepdf.Page(pdf.make_indirect(page)))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _when(step: Step) -> str:
    day = step.done_on or step.end
    return f"{day.day} {data.MONTHS_ID[day.month - 1]} {day.year}"


def _place(unit: str) -> str:
    if unit.startswith(KEC):
        return "Kecamatan " + unit.removeprefix(KEC).replace("-", " ").title()
    return unit.removeprefix("kutim-").upper()


def _attendance_pdf(step: Step) -> bytes:
    """An attendance list (daftar hadir) with made-up participants of the units involved."""
    rng = random.Random(step.title)  # noqa: S311  (made-up names)
    rows = [["No", "Nama", "Perangkat daerah", "Jabatan", "Paraf"]]
    for number, unit in enumerate(step.units, start=1):
        person = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}"
        rows.append([str(number), person, _place(unit), "Admin penghubung", "hadir"])
    return _pdf("DAFTAR HADIR", [step.title, f"Sangatta, {_when(step)}",
                                 "Diskominfo Staper Kabupaten Kutai Timur (data demo)"],
                rows, widths=(28, 150, 170, 110, 45))


def _document_pdf(proof: Proof, step: Step) -> bytes:
    lines = proof.lines or (step.title,)
    return _pdf(lines[0], [*lines[1:], "", f"Sangatta, {_when(step)}",
                           "Pemerintah Kabupaten Kutai Timur - Diskominfo Staper (data demo)"])


# ---------------------------------------------------------------- the training space


def _train(agency: OrgNode, hub: Actor, now: datetime) -> None:
    """A Bimtek held three days ago: the space, its trainees, and their practice work."""
    opened = now - timedelta(days=3)
    with clock.frozen(opened):
        space = training_space_create(actor=hub, agency=agency, name=SPACE_NAME,
                                      report_count=6)
    copies = {n.code.removeprefix(f"latihan-{space.code}-"): n for n in space_nodes(space)}
    trainees: list[tuple[Actor, str, bool]] = []
    hub_trainee: Actor | None = None
    for index, (name, role, unit, answers) in enumerate(TRAINEES):
        node = space.root if not unit else copies[unit]
        with clock.frozen(opened + timedelta(minutes=10 + index)):
            account = practice_account_create(actor=hub, space=space, trainee_name=name,
                                              roles=[(node, role)])
        actor = actor_for_user(account.account.user)
        if not unit:
            hub_trainee = actor
        else:
            trainees.append((actor, unit, answers))
    if hub_trainee is None:
        raise RuntimeError("the demo Bimtek needs a hub trainee")
    _practise(space, hub_trainee, trainees, copies, opened=opened, now=now)


def _practise(space: TrainingSpace, hub_trainee: Actor, trainees: list[tuple[Actor, str, bool]],
              copies: dict[str, OrgNode], *, opened: datetime, now: datetime) -> None:
    """The hub trainee disposes one practice report to each unit whose trainees practise;
    there its trainees acknowledge, follow up and give the final answer."""
    reports = list(Report.objects.filter(is_training=True, tier=space.root)
                   .order_by("submitted_at", "id"))
    units = list(dict.fromkeys(unit for _, unit, answers in trainees if answers))
    at = max(opened, *(r.submitted_at for r in reports[:len(units)])) + timedelta(hours=1)
    step = min(timedelta(minutes=20), (now - at) / (6 * len(units) + 1))

    def call(service: Callable[..., object], **kwargs: object) -> None:
        nonlocal at
        at += step
        with clock.frozen(at):
            service(**kwargs)

    for report, unit in zip(reports, units, strict=False):
        call(report_services.report_dispose, actor=hub_trainee, report_id=report.pk,
             node_code=copies[unit].code, note="Latihan: mohon ditindaklanjuti.")
        workers = [a for a, u, answers in trainees if u == unit and answers]
        call(report_services.report_acknowledge, actor=workers[0], report_id=report.pk)
        for worker in workers[1:]:
            call(report_services.report_follow_up, actor=worker, report_id=report.pk,
                 body="Latihan: petugas sudah meninjau lokasi, perbaikan dijadwalkan.")
        call(report_services.report_follow_up, actor=workers[0], report_id=report.pk,
             body="Latihan: jawaban akhir kepada pelapor sesuai SOP.", final=True)


__all__ = ["MARKER_KEY", "PLAN_TITLE", "STEPS", "load_renaksi", "renaksi_loaded"]
