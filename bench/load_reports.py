"""Load N realistic reports (default 100,000) into the PostgreSQL database of DATABASE_URL.

A benchmark fixture, not a test: it writes rows straight into the report tables with COPY, the
way a busy regency's database would look after a year, so the API can be measured on it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench \\
        .venv/bin/python bench/load_reports.py --reports 100000 --reset

Steps: ``lapor migrate``; ``lapor demo --reports 0`` unless the Kutai Timur tree and the demo
users already exist (a bench-only seed stands in while the demo command is missing); then the
reports, their reporter contacts, their timelines (submit, hold, archive, dispose, forward,
acknowledge, follow-up, respond, accept/close events) and their disposition hops; then
VACUUM ANALYZE.

The data is shaped like one regency (Kutai Timur, a hub agency that verifies its own reports):
~28% waiting for verification at the hub, 2% on hold, ~50% disposed or in progress at its units
(PUPR, other OPD, kecamatan; some forwarded to a sub-unit), the rest responded, closed or
archived. Submission dates span the last 365 days, open ones skewed towards recent; deadlines
come from the real working-day calendar (lapor.sla), so old open reports are overdue. On-hold
and responded reports are inside their 10-HK windows (a running worker would already have
archived or closed expired ones, and would otherwise do so during the measurement). Reporter
contacts are Fernet tokens and blind indexes written through lapor.privacy.vault, as
identity_store writes them, under the keys of LAPOR_DATA_DIR (share it with the server).
Columns added to the models later are filled with the model field's default.

``--reset`` truncates the report tables first and refuses to run on a database whose name does
not contain "bench" unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = os.environ.get("LAPOR_DEMO_PASSWORD", "lapor-demo-2026")
REPORT_TABLES = (
    "reports_reportevent",
    "reports_disposition",
    "reports_reportercontact",
    "reports_support",
    "reports_report",
)

# Share of reports per final status (DOMAIN.md lifecycle). Sums to 1.
STATUS_WEIGHTS = {
    "submitted": 0.28,
    "on_hold": 0.02,
    "disposed": 0.25,
    "in_progress": 0.25,
    "responded": 0.07,
    "closed": 0.11,
    "archived": 0.02,
}
# Age skew per status: age = 365 days * u**k (bigger k: more recent). Open reports are recent.
AGE_SKEW = {
    "submitted": 4.0,
    "on_hold": 3.0,
    "disposed": 3.0,
    "in_progress": 2.5,
    "responded": 2.0,
    "closed": 1.0,
    "archived": 1.0,
}
CHANNELS = [("web", 40), ("mobile", 25), ("sms", 10), ("whatsapp", 10), ("telegram", 3),
            ("x", 2), ("email", 4), ("walk_in", 3), ("phone", 2), ("integration", 1)]
TYPES = [("complaint", 75), ("aspiration", 18), ("information_request", 7)]
ARCHIVE_REASONS = ["out_of_scope", "too_general", "spam", "abusive", "incomplete"]

FIRST_NAMES = ["Siti", "Muhammad", "Ahmad", "Nur", "Dewi", "Budi", "Rina", "Agus", "Sri",
               "Andi", "Yusuf", "Fitri", "Hendra", "Wahyu", "Ratna", "Rahmat", "Indah",
               "Joko", "Aminah", "Sukardi", "Yohanes", "Maria", "Daeng", "Lestari", "Ilham",
               "Erwin", "Nurhayati", "Samsul", "Hasanah", "Bambang"]
LAST_NAMES = ["", "Aminah", "Saputra", "Wijaya", "Hidayat", "Lestari", "Pratama", "Rahman",
              "Santoso", "Kurniawan", "Sari", "Nugroho", "Siregar", "Lim", "Pasaribu",
              "Daeng Matta", "Mulyani", "Setiawan", "Hakim", "Wulandari"]
PLACES = ["depan Pasar Induk", "Jalan Yos Sudarso", "simpang tiga Sangatta Baru",
          "dekat SDN 001", "Gang Mawar RT 12", "Jalan Soekarno-Hatta", "belakang Puskesmas",
          "Jalan Poros Sangatta–Bengalon", "Kompleks Perumahan Teluk Lingga",
          "samping Masjid Agung Al-Faruq", "Jalan APT Pranoto", "dermaga Kenyamukan",
          "Jalan Ilham Maulana", "dekat kantor desa", "Jalan Pendidikan", "area Bukit Pelangi"]

# Text by topic: a category is matched to a topic by keywords in its code/name.
TOPICS: dict[str, dict[str, list[str]]] = {
    "jalan": {
        "titles": ["Jalan berlubang di {place}", "Aspal rusak parah di {place}",
                   "Jalan longsor di {district}", "Perbaikan jalan mangkrak di {place}"],
        "bodies": ["Jalan di {place}, Kecamatan {district}, berlubang besar dan tergenang air "
                   "saat hujan. Sudah beberapa pengendara motor jatuh, terutama malam hari.",
                   "Sejak {months} bulan lalu jalan ini rusak dan belum ada perbaikan. Mohon "
                   "Dinas PUPR segera menindaklanjuti karena jalur ini dipakai anak sekolah.",
                   "Proyek perbaikan jalan di {place} berhenti dan material dibiarkan di bahu "
                   "jalan sehingga membahayakan pengguna jalan."],
    },
    "air": {
        "titles": ["Air PDAM tidak mengalir di {place}", "Air keruh dari PDAM di {district}",
                   "Banjir dan drainase tersumbat di {place}"],
        "bodies": ["Sudah {days} hari air PDAM tidak mengalir di {place}. Warga terpaksa "
                   "membeli air galon untuk kebutuhan sehari-hari.",
                   "Saluran drainase di {place} tersumbat sampah sehingga setiap hujan deras "
                   "air meluap ke rumah warga di Kecamatan {district}."],
    },
    "listrik": {
        "titles": ["Lampu penerangan jalan mati di {place}", "PJU padam di {district}"],
        "bodies": ["Lampu penerangan jalan umum di {place} sudah mati sekitar {days} hari. "
                   "Jalan menjadi gelap dan rawan kecelakaan serta pencurian.",
                   "Beberapa tiang PJU di Kecamatan {district} tidak menyala sejak bulan lalu."],
    },
    "kesehatan": {
        "titles": ["Antrean panjang di Puskesmas {district}", "Obat kosong di puskesmas",
                   "Pelayanan RSUD kurang ramah"],
        "bodies": ["Pasien harus menunggu lebih dari {hours} jam untuk dilayani di Puskesmas "
                   "{district}. Petugas pendaftaran hanya satu orang.",
                   "Resep dari dokter tidak bisa ditebus karena stok obat kosong, pasien "
                   "diminta membeli di apotek luar dengan biaya sendiri."],
    },
    "pendidikan": {
        "titles": ["Atap kelas bocor di {place}", "Pungutan di sekolah negeri {district}",
                   "Kekurangan guru di sekolah {district}"],
        "bodies": ["Atap ruang kelas {place} bocor dan plafon hampir runtuh. Murid terpaksa "
                   "belajar di teras sekolah.",
                   "Orang tua murid diminta membayar iuran Rp{amount} untuk kegiatan sekolah "
                   "tanpa penjelasan penggunaannya."],
    },
    "kependudukan": {
        "titles": ["Blangko KTP-el kosong di Disdukcapil", "Pengurusan akta kelahiran lama",
                   "Perubahan KK belum selesai"],
        "bodies": ["Sudah {days} hari menunggu pencetakan KTP-el, setiap datang dijawab "
                   "blangko kosong. Mohon kepastian jadwal.",
                   "Pengurusan akta kelahiran anak saya belum selesai padahal berkas sudah "
                   "lengkap sejak {months} bulan lalu."],
    },
    "sampah": {
        "titles": ["Sampah menumpuk di {place}", "Truk sampah tidak datang di {district}",
                   "Pembakaran sampah liar di {place}"],
        "bodies": ["Sampah di TPS {place} sudah menumpuk lebih dari seminggu dan menimbulkan "
                   "bau menyengat di lingkungan warga Kecamatan {district}.",
                   "Ada warga yang membakar sampah setiap sore di {place}, asapnya masuk ke "
                   "rumah dan mengganggu pernapasan anak-anak."],
    },
    "sosial": {
        "titles": ["Bantuan sosial tidak tepat sasaran di {district}",
                   "Nama hilang dari daftar penerima bansos"],
        "bodies": ["Keluarga kami tidak lagi menerima bantuan padahal kondisi ekonomi belum "
                   "berubah, sementara tetangga yang mampu justru terdaftar.",
                   "Penyaluran bantuan di Kecamatan {district} dipotong Rp{amount} oleh oknum "
                   "pendamping tanpa alasan jelas."],
    },
    "perizinan": {
        "titles": ["Izin usaha tidak kunjung terbit", "Pungutan liar pengurusan izin"],
        "bodies": ["Permohonan izin usaha melalui OSS sudah {days} hari berstatus verifikasi "
                   "tanpa ada kabar dari DPMPTSP.",
                   "Saat mengurus izin saya diminta membayar Rp{amount} di luar ketentuan."],
    },
    "umum": {
        "titles": ["Pelayanan kantor {district} lambat", "Pegawai tidak ada di tempat",
                   "Mohon informasi jadwal pelayanan di {district}"],
        "bodies": ["Saat jam kerja kantor pelayanan di Kecamatan {district} kosong, warga "
                   "menunggu lebih dari {hours} jam tanpa kepastian.",
                   "Mohon informasi persyaratan dan jadwal pelayanan karena informasi di papan "
                   "pengumuman berbeda dengan yang disampaikan petugas."],
    },
}
TOPIC_KEYWORDS = [
    ("jalan", ("jalan", "jembatan", "road", "infrastr")),
    ("air", ("air", "pdam", "banjir", "drainase", "water")),
    ("listrik", ("listrik", "lampu", "pju", "penerangan")),
    ("kesehatan", ("kesehatan", "puskesmas", "rsud", "health", "bpjs")),
    ("pendidikan", ("pendidikan", "sekolah", "education")),
    ("kependudukan", ("kependudukan", "ktp", "adminduk", "capil", "akta")),
    ("sampah", ("sampah", "lingkungan", "kebersihan", "environment", "polusi")),
    ("sosial", ("sosial", "bansos", "bantuan")),
    ("perizinan", ("izin", "perizinan", "investasi", "permit")),
]
# Units whose code contains the key handle the topic more often.
TOPIC_UNITS = {"jalan": "pupr", "air": "pupr", "listrik": "perkim", "kesehatan": "dinkes",
               "pendidikan": "disdik", "kependudukan": "disdukcapil", "sampah": "dlh",
               "sosial": "dinsos", "perizinan": "dpmptsp"}


# ---------------------------------------------------------------- setup


def log(msg: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
    if not env.get("LAPOR_SECRET_KEY"):
        env["LAPOR_DEMO_MODE"] = "1"
    if not env.get("LAPOR_DATA_DIR"):
        env["LAPOR_DATA_DIR"] = str(Path(tempfile.gettempdir()) / "lapor-bench-data")
    return env


def lapor(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "lapor.cli", *args]
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True,  # noqa: S603
                          check=False)


def ensure_schema_and_tree(env: dict[str, str], agency: str, users: list[str]) -> str:
    """Migrate, then make sure the org tree and demo users exist. Returns how they got there."""
    result = lapor(["migrate", "--noinput", "-v", "0"], env)
    if result.returncode != 0:
        sys.exit(f"lapor migrate failed:\n{result.stdout}\n{result.stderr}")
    if tree_present(agency, users):
        return "already present"
    for extra in (["--reports", "0"], ["--reports", "1"], []):
        result = lapor(["demo", *extra], env)
        if "Unknown command" in result.stderr + result.stdout:
            break
        if result.returncode == 0 and tree_present(agency, users):
            return "lapor demo " + " ".join(extra)
        log(f"lapor demo {' '.join(extra)} failed (rc {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[-300:]}")
    log("`lapor demo` is not available: seeding a minimal Kutai Timur tree (bench fallback)")
    fallback_seed()
    if not tree_present(agency, users):
        sys.exit(f"the tree ({agency}) or users ({users}) are still missing")
    return "bench fallback seed"


def ensure_authenticators(users: list[str]) -> None:
    """Staff sign-in needs a TOTP code (docs/security.md): give each benchmark account a
    confirmed authenticator if it has none, with the demo key when the demo defines one.
    bench/run.py reads the key back from the database to compute the codes."""
    try:
        from lapor.accounts import two_factor  # noqa: PLC0415
    except ImportError:  # a version without 2FA
        return
    from lapor.accounts.models import User  # noqa: PLC0415

    try:
        from lapor.demo.loader import demo_totp_key_hex  # noqa: PLC0415

        key = demo_totp_key_hex()
    except ImportError:
        key = os.urandom(20).hex()
    for user in User.objects.filter(username__in=users):
        if two_factor.confirmed_totp(user) is None:
            two_factor.totp_set(user=user, key_hex=key)
            log(f"gave {user.username} a TOTP authenticator (bench sign-in)")


def tree_present(agency: str, users: list[str]) -> bool:
    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.orgs.models import OrgNode  # noqa: PLC0415

    return (OrgNode.objects.filter(code=agency).exists()
            and User.objects.filter(username__in=users).count() == len(users))


def fallback_seed() -> None:
    """A stand-in for ``lapor demo`` with the same codes and usernames (see the module doc)."""
    from django.db import transaction  # noqa: PLC0415

    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.categories.models import Category  # noqa: PLC0415
    from lapor.orgs.models import NodeKind, OrgNode, Role, Sop  # noqa: PLC0415
    from lapor.orgs.services import node_create, role_assign  # noqa: PLC0415
    from lapor.regions.models import Region  # noqa: PLC0415

    def node(code: str, name: str, kind: str, parent: OrgNode | None, **kw: Any) -> OrgNode:
        found = OrgNode.objects.filter(code=code).first()
        return found or node_create(code=code, name=name, kind=kind, parent=parent, **kw)

    with transaction.atomic():
        root = OrgNode.objects.filter(kind=NodeKind.ROOT).first() or node(
            "nasional", "Admin Nasional", NodeKind.ROOT, None)
        Sop.objects.get_or_create(node=root, defaults={"timezone": "WIB"})
        kutim = node("kutim", "Pemerintah Kabupaten Kutai Timur", NodeKind.AGENCY, root,
                     is_hub=True, region_id="64.08")
        Sop.objects.get_or_create(node=kutim, defaults={"timezone": "WITA",
                                                         "sms_keyword": "KUTIM"})
        units = {
            "pupr": "Dinas Pekerjaan Umum dan Penataan Ruang",
            "dinkes": "Dinas Kesehatan", "disdik": "Dinas Pendidikan dan Kebudayaan",
            "dishub": "Dinas Perhubungan", "dlh": "Dinas Lingkungan Hidup",
            "dinsos": "Dinas Sosial", "disdukcapil": "Dinas Kependudukan dan Pencatatan Sipil",
            "dpmptsp": "Dinas Penanaman Modal dan PTSP",
            "perkim": "Dinas Perumahan dan Kawasan Permukiman",
            "bpbd": "Badan Penanggulangan Bencana Daerah", "satpolpp": "Satuan Polisi Pamong Praja",
            "rsud": "RSUD Kudungga", "pdam": "Perumdam Tirta Tuah Benua",
        }
        made = {k: node(f"kutim-{k}", v, NodeKind.UNIT, kutim) for k, v in units.items()}
        node("kutim-pupr-binamarga", "Bidang Bina Marga", NodeKind.SUBUNIT, made["pupr"])
        node("kutim-pupr-sda", "Bidang Sumber Daya Air", NodeKind.SUBUNIT, made["pupr"])
        for district in Region.objects.filter(code__startswith="64.08.", level=3):
            slug = district.name.lower().replace(" ", "-")
            node(f"kutim-kec-{slug}", f"Kecamatan {district.name}", NodeKind.UNIT, kutim,
                 region_id=district.code)
        cats = [
            ("infrastruktur", "Infrastruktur", "Infrastructure", None, 14),
            ("jalan-jembatan", "Jalan dan jembatan", "Roads and bridges", "infrastruktur", 14),
            ("drainase-banjir", "Drainase dan banjir", "Drainage and floods", "infrastruktur", 14),
            ("air-bersih", "Air bersih", "Clean water", "infrastruktur", 5),
            ("penerangan-jalan", "Lampu penerangan jalan", "Street lighting", "infrastruktur", 5),
            ("kesehatan", "Kesehatan", "Health", None, 5),
            ("pendidikan", "Pendidikan", "Education", None, 14),
            ("kependudukan", "Administrasi kependudukan", "Civil registration", None, 5),
            ("lingkungan-sampah", "Lingkungan dan sampah", "Environment and waste", None, 5),
            ("bantuan-sosial", "Bantuan sosial", "Social assistance", None, 14),
            ("perizinan", "Perizinan", "Permits", None, 14),
            ("ketertiban", "Ketertiban umum", "Public order", None, 5),
            ("bencana", "Kebencanaan", "Disasters", None, 2),
            ("pelayanan-umum", "Pelayanan publik lainnya", "Other public services", None, 60),
        ]
        for code, name_id, name_en, parent, days in cats:
            Category.objects.get_or_create(code=code, defaults={
                "name_id": name_id, "name_en": name_en, "resolution_days": days,
                "parent": Category.objects.get(code=parent) if parent else None})
        for username, node_code, role, display in [
            ("kominfo", "kutim", Role.HUB_VERIFIER, "Admin Diskominfo Staper Kutim"),
            ("pupr", "kutim-pupr", Role.LIAISON, "Admin Penghubung PUPR"),
            ("nasional", root.code, Role.NATIONAL_VERIFIER, "Admin Nasional"),
        ]:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username=username, password=DEMO_PASSWORD,
                                                display_name=display)
            role_assign(user=user, node=OrgNode.objects.get(code=node_code), role=role)
    # Authenticators for staff sign-in: ensure_authenticators(), run after this seed.


# ---------------------------------------------------------------- generation


@dataclass
class World:
    """The org tree, categories, regions and users the generated rows point at."""

    agency: Any
    hub_user_id: int | None
    liaisons: dict[int, int]
    units: list[Any]
    unit_weights: list[float]
    children: dict[int, list[Any]]
    kecamatan_by_region: dict[str, Any]
    categories: list[Any]
    districts: list[Any]
    sop: Any
    calendar: Any
    deadline_cache: dict[tuple[date, int], datetime] = field(default_factory=dict)

    def deadline(self, start: datetime, days: int) -> datetime:
        key = (start.astimezone(self.calendar.tz).date(), days)
        found = self.deadline_cache.get(key)
        if found is None:
            found = self.deadline_cache[key] = self.calendar.deadline(start, days)
        return found


def topic_of(category: Any) -> str:
    text = f"{category.code} {category.name_id}".lower()
    for topic, words in TOPIC_KEYWORDS:
        if any(w in text for w in words):
            return topic
    return "umum"


def build_world(agency_code: str, hub_username: str, liaison_username: str) -> World:
    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.categories.models import Category  # noqa: PLC0415
    from lapor.core import clock  # noqa: PLC0415
    from lapor.orgs.models import NodeKind, OrgNode, RoleAssignment  # noqa: PLC0415
    from lapor.regions.models import Region  # noqa: PLC0415
    from lapor.sla.deadlines import clock_for  # noqa: PLC0415

    agency = OrgNode.objects.get(code=agency_code)
    nodes = list(OrgNode.objects.filter(path__startswith=agency.path, is_active=True)
                 .exclude(pk=agency.pk))
    units = [n for n in nodes if n.kind == NodeKind.UNIT]
    if not units:
        sys.exit(f"{agency_code} has no units: the demo tree is incomplete")
    children: dict[int, list[Any]] = {}
    for n in nodes:
        if n.kind == NodeKind.SUBUNIT and n.parent_id is not None:
            children.setdefault(n.parent_id, []).append(n)
    regency = agency.region_id or "64.08"
    districts = list(Region.objects.filter(code__startswith=regency + ".", level=3))
    if not districts:
        sys.exit(f"no districts under region {regency}: were regions loaded by migrate?")
    kecamatan_by_region = {n.region_id: n for n in units if n.region_id}
    # PUPR handles the most; kecamatan units are picked through the report's district.
    weights = []
    for n in units:
        if n.code.endswith("-pupr"):
            weights.append(12.0)
        elif n.region_id in kecamatan_by_region:
            weights.append(1.0)
        else:
            weights.append(3.0)
    categories = list(Category.objects.filter(is_active=True))
    leaves = [c for c in categories if not any(o.parent_id == c.pk for o in categories)]
    users = {u.username: u for u in User.objects.filter(
        username__in=[hub_username, liaison_username])}
    # Liaison officers act for their node (and its sub-units) in the generated timelines.
    liaisons: dict[int, int] = {}
    for ra in RoleAssignment.objects.filter(
        role__in=["liaison", "unit_officer"], node__path__startswith=agency.path
    ).order_by("-role"):  # liaison wins over unit_officer
        liaisons[ra.node_id] = ra.user_id
    now = clock.now()
    sop, calendar = clock_for(agency, around=now - timedelta(days=180))
    # The calendar covers (now-180d).year ± 1: widen it to every year a deadline can touch.
    from lapor.sla.calendar import indonesian_calendar  # noqa: PLC0415

    years = range(now.year - 2, now.year + 2)
    calendar = indonesian_calendar(tz_name=str(calendar.tz), years=years,
                                   extra_days_off=calendar.days_off)
    return World(
        agency=agency,
        hub_user_id=users[hub_username].pk if hub_username in users else None,
        liaisons=liaisons,
        units=units, unit_weights=weights, children=children,
        kecamatan_by_region=kecamatan_by_region,
        categories=leaves or categories, districts=districts, sop=sop, calendar=calendar,
    )


class Generator:
    """Builds the rows of one report at a time: report, contact, events, dispositions."""

    def __init__(self, world: World, rng: random.Random, now: datetime,
                 taken_tracking: set[str]) -> None:
        from stdnum import verhoeff  # noqa: PLC0415

        self.w = world
        self.rng = rng
        try:
            from lapor.privacy import vault  # noqa: PLC0415
        except ImportError:
            vault = None  # type: ignore[assignment]
        self.vault = vault
        self.now = now
        self.taken = taken_tracking
        self.verhoeff = verhoeff
        self.statuses = list(STATUS_WEIGHTS)
        self.status_w = list(accumulate(STATUS_WEIGHTS.values()))
        self.channels = [c for c, _ in CHANNELS]
        self.channel_w = list(accumulate(w for _, w in CHANNELS))
        self.types = [t for t, _ in TYPES]
        self.type_w = list(accumulate(w for _, w in TYPES))
        self.unit_w = list(accumulate(world.unit_weights))
        self.topic_by_cat = {c.pk: topic_of(c) for c in world.categories}
        self.units_by_key: dict[str, Any] = {}
        for key in TOPIC_UNITS.values():
            for n in world.units:
                if n.code.endswith("-" + key):
                    self.units_by_key[key] = n

    def tracking_number(self) -> str:
        while True:
            body = str(self.rng.randrange(10**10, 10**11))
            number = body + self.verhoeff.calc_check_digit(body)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def text(self, topic: str, district: str) -> tuple[str, str, str]:
        rng = self.rng
        t = TOPICS[topic]
        place = rng.choice(PLACES)
        fill = {"place": place, "district": district, "days": rng.randint(2, 30),
                "months": rng.randint(1, 11), "hours": rng.randint(2, 6),
                "amount": f"{rng.randint(5, 50) * 10_000:,}".replace(",", ".")}
        title = rng.choice(t["titles"]).format(**fill)
        sentences = rng.sample(t["bodies"], k=min(len(t["bodies"]), rng.randint(1, 2)))
        body = " ".join(s.format(**fill) for s in sentences)
        if rng.random() < 0.5:
            body += " Terima kasih atas perhatian Bapak/Ibu."
        return title[:200], body, f"{place}, Kecamatan {district}"

    def unit_for(self, topic: str, region_code: str) -> Any:
        rng = self.rng
        key = TOPIC_UNITS.get(topic)
        if key in self.units_by_key and rng.random() < 0.6:
            return self.units_by_key[key]
        kec = self.w.kecamatan_by_region.get(region_code)
        if kec is not None and rng.random() < 0.3:
            return kec
        return rng.choices(self.w.units, cum_weights=self.unit_w)[0]

    def recent(self, start: datetime, working_days: int) -> datetime:
        """A moment after ``start`` whose ``working_days`` clock has not run out by now (the
        worker's sweep would already have acted on an expired one)."""
        span = timedelta(days=1.4 * working_days)
        for _ in range(8):
            moment = max(self.now - span * self.rng.random(), start)
            if self.w.deadline(moment, working_days) > self.now:
                return moment
            span /= 2
        return self.now - timedelta(seconds=1)

    def step(self, start: datetime, low_h: float, high_h: float, share: float) -> datetime:
        """A moment after ``start``: ``low_h``–``high_h`` hours, but never past ``share`` of the
        time left until now (so every timestamp stays in the past)."""
        wanted = timedelta(hours=self.rng.uniform(low_h, high_h))
        room = (self.now - start) * share
        return start + min(wanted, room)

    def report(self, report_id: int, next_disp_id: int) -> tuple[
        list[Any], list[Any], list[list[Any]], list[list[Any]], int
    ]:
        """Rows for one report; returns (report, contact, events, dispositions, next_disp_id)."""
        rng, w = self.rng, self.w
        status = rng.choices(self.statuses, cum_weights=self.status_w)[0]
        age = timedelta(days=365 * rng.random() ** AGE_SKEW[status], seconds=rng.randint(0, 3600))
        t0 = self.now - age - timedelta(minutes=1)
        category = rng.choice(w.categories)
        topic = self.topic_by_cat[category.pk]
        district = rng.choice(w.districts)
        title, body, address = self.text(topic, district.name)
        channel = rng.choices(self.channels, cum_weights=self.channel_w)[0]
        with_coords = channel in ("mobile", "web") and rng.random() < 0.4
        verify_due = w.deadline(t0, w.sop.verify_days)
        r: dict[str, Any] = {
            "status": status, "verified_at": None, "first_followup_at": None,
            "responded_at": None, "closed_at": None, "verify_due_at": verify_due,
            "verify_days_left": None, "hold_due_at": None, "followup_due_at": None,
            "resolution_due_at": None, "reply_due_at": None, "resolution_days": None,
            "staff_due_at": verify_due, "rating": None, "archive_reason": "",
            "current_node": w.agency.pk, "updated_at": t0,
        }
        events = [[report_id, "submit", None, "reporter", None, t0, "", "submitted", "public", "",
                   json.dumps({"channel": channel, "tier": w.agency.code})]]
        disps: list[list[Any]] = []
        if status in ("on_hold", "archived"):
            self.verifier_stops(report_id, status, t0, r, events)
        elif status != "submitted":
            unit = self.unit_for(topic, district.code)
            next_disp_id = self.handled(report_id, status, t0=t0, unit=unit,
                                        days=category.resolution_days, r=r, events=events,
                                        disps=disps, next_disp_id=next_disp_id)
        report = [
            report_id, self.tracking_number(), f"{rng.getrandbits(256):064x}",
            rng.choices(self.types, cum_weights=self.type_w)[0], title, body,
            (t0 - timedelta(days=rng.randint(0, 20))).date() if rng.random() < 0.5 else None,
            round(rng.uniform(0.35, 1.6), 6) if with_coords else None,
            round(rng.uniform(116.6, 118.4), 6) if with_coords else None,
            address, channel, rng.random() < 0.15, rng.random() < 0.05, status, t0,
            r["verified_at"], r["first_followup_at"], r["responded_at"], r["closed_at"],
            r["verify_due_at"], r["verify_days_left"], r["hold_due_at"], r["followup_due_at"],
            r["resolution_due_at"], r["reply_due_at"], r["resolution_days"], r["staff_due_at"],
            r["rating"], r["archive_reason"], 0, 1, r["updated_at"],
            w.agency.pk, category.pk, r["current_node"], None, district.code, None, w.agency.pk,
            w.agency.pk,
        ]
        return report, self.contact(report_id, channel), events, disps, next_disp_id

    def contact(self, report_id: int, channel: str) -> list[Any]:
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}".strip()
        has_phone = channel in ("sms", "whatsapp", "phone") or rng.random() < 0.5
        phone = f"+62812{rng.randint(10_000_000, 99_999_999)}" if has_phone else ""
        email = (f"{name.split()[0].lower()}{rng.randint(1, 999)}@example.id"
                 if channel in ("email", "web") and rng.random() < 0.7 else "")
        if self.vault is None:  # a version before the identity vault (issue #3)
            return [report_id, name, email, phone, "", "", ""]
        v = self.vault
        # As lapor.privacy.identity.identity_store writes it: Fernet tokens + blind indexes.
        return [report_id, v.encrypt(name), v.encrypt(email), v.encrypt(phone), v.encrypt(""),
                v.phone_index(phone), v.email_index(email)]

    def verifier_stops(self, report_id: int, status: str, t0: datetime, r: dict[str, Any],
                       events: list[list[Any]]) -> None:
        """The hub verifier puts the report on hold (tunda) or archives it."""
        w, hub, hub_node = self.w, self.w.hub_user_id, self.w.agency.pk
        t1 = self.step(t0, 2, 60, 0.5)
        if status == "on_hold":
            # Still within its hold window: the worker's sweep archives expired holds.
            t1 = max(t1, self.recent(t0, w.sop.hold_days))
            r.update(hold_due_at=w.deadline(t1, w.sop.hold_days), staff_due_at=None,
                     verify_days_left=self.rng.randint(0, w.sop.verify_days), updated_at=t1)
            events.append([report_id, "hold", hub, "hub_verifier", hub_node, t1, "submitted",
                           "on_hold", "reporter", "Mohon lengkapi lokasi tepat dan foto kejadian.",
                           json.dumps({"verify_days_left": r["verify_days_left"]})])
            return
        reason = self.rng.choice(ARCHIVE_REASONS)
        r.update(closed_at=t1, staff_due_at=None, archive_reason=reason, updated_at=t1)
        events.append([report_id, "archive", hub, "hub_verifier", hub_node, t1, "submitted",
                       "archived", "public", "", json.dumps({"reason": reason})])

    def handled(self, report_id: int, status: str, *, t0: datetime, unit: Any, days: int,
                r: dict[str, Any], events: list[list[Any]], disps: list[list[Any]],
                next_disp_id: int) -> int:
        """Disposed to ``unit`` (maybe forwarded to a sub-unit), then as far as ``status``."""
        rng, w, hub, hub_node = self.rng, self.w, self.w.hub_user_id, self.w.agency.pk
        t1 = self.step(t0, 1, 96, 0.3)
        resolution_due = w.deadline(t1, days)
        followup_due = min(w.deadline(t1, w.sop.first_followup_days), resolution_due)
        r.update(verified_at=t1, resolution_days=days, resolution_due_at=resolution_due,
                 followup_due_at=followup_due, staff_due_at=followup_due,
                 current_node=unit.pk, updated_at=t1)
        events.append([report_id, "dispose", hub, "hub_verifier", hub_node, t1, "submitted",
                       "disposed", "public", "",
                       json.dumps({"node": unit.code, "node_name": unit.name,
                                   "resolution_days": days})])
        disps.append([next_disp_id, report_id, unit.pk, None, hub, hub_node, "", "active", "",
                      t1, None])
        next_disp_id += 1
        last, node = t1, unit
        kids = w.children.get(unit.pk)
        if kids and rng.random() < 0.25:
            t2 = self.step(last, 1, 48, 0.3)
            child = rng.choice(kids)
            disps[-1][7], disps[-1][10] = "forwarded", t2
            disps.append([next_disp_id, report_id, child.pk, disps[-1][0], None, unit.pk, "",
                          "active", "", t2, None])
            next_disp_id += 1
            events.append([report_id, "forward", self.handler_user(unit), "liaison", unit.pk,
                           t2, "disposed", "disposed", "internal", "",
                           json.dumps({"node": child.code, "node_name": child.name})])
            r.update(current_node=child.pk, updated_at=t2)
            last, node = t2, child
        if status == "disposed":
            return next_disp_id
        actor = self.handler_user(node)
        last = self.step(last, 1, 72, 0.3)
        events.append([report_id, "acknowledge", actor, "liaison", node.pk, last, "disposed",
                       "in_progress", "public", "", "{}"])
        r.update(updated_at=last)
        if status == "in_progress":
            if rng.random() < 0.5:
                t4 = self.step(last, 2, 120, 0.5)
                r.update(first_followup_at=t4, staff_due_at=resolution_due, updated_at=t4)
                events.append([report_id, "follow_up", actor, "liaison", node.pk, t4,
                               "in_progress", "in_progress", "public",
                               "Laporan sedang ditinjau di lapangan oleh tim teknis.", "{}"])
            return next_disp_id
        t5 = self.step(last, 4, 400, 0.5)
        if status == "responded":
            # Reply window still open: the worker's sweep closes expired ones.
            t5 = max(t5, self.recent(last, w.sop.reply_window_days))
        r.update(first_followup_at=t5, responded_at=t5, staff_due_at=None, updated_at=t5,
                 reply_due_at=w.deadline(t5, w.sop.reply_window_days))
        events.append([report_id, "respond", actor, "liaison", node.pk, t5, "in_progress",
                       "responded", "public",
                       "Sudah ditindaklanjuti oleh petugas; mohon konfirmasi.", "{}"])
        if status == "closed":
            t6 = self.step(t5, 2, 240, 0.8)
            accepted = rng.random() < 0.6
            rating = rng.choices([1, 2, 3, 4, 5], weights=[5, 5, 15, 35, 40])[0]
            r.update(closed_at=t6, staff_due_at=None, rating=rating if accepted else None,
                     updated_at=t6)
            disps[-1][7], disps[-1][10] = "ended", t6
            if accepted:
                events.append([report_id, "accept", None, "reporter", None, t6, "responded",
                               "closed", "reporter", "", json.dumps({"rating": rating})])
            else:
                events.append([report_id, "auto_close", None, "system", None, t6, "responded",
                               "closed", "public", "", "{}"])
        return next_disp_id

    def handler_user(self, node: Any) -> int | None:
        """The liaison of the node (or of its parent unit); None where no account exists."""
        return self.w.liaisons.get(node.pk) or self.w.liaisons.get(node.parent_id)


REPORT_COLUMNS = (
    "id", "tracking_number", "access_code_hash", "type", "title", "body", "incident_date",
    "latitude", "longitude", "address", "channel", "is_anonymous", "is_confidential", "status",
    "submitted_at", "verified_at", "first_followup_at", "responded_at", "closed_at",
    "verify_due_at", "verify_days_left", "hold_due_at", "followup_due_at", "resolution_due_at",
    "reply_due_at", "resolution_days", "staff_due_at", "rating", "archive_reason",
    "support_count", "version", "updated_at", "agency_id", "category_id", "current_node_id",
    "duplicate_of_id", "region_id", "reporter_user_id", "target_agency_id", "tier_id",
)
CONTACT_COLUMNS = ("report_id", "name", "email", "phone", "nik", "phone_index", "email_index")
EVENT_COLUMNS = ("report_id", "kind", "actor_id", "actor_role", "actor_node_id", "created_at",
                 "from_status", "to_status", "visibility", "body", "payload")
DISPOSITION_COLUMNS = ("id", "report_id", "node_id", "parent_id", "disposed_by_id",
                       "disposed_from_id", "note", "state", "return_reason", "created_at",
                       "ended_at")


class TableShape:
    """Maps the generator's columns onto the table as the models define it today: columns the
    generator does not know get the model field's default (a NOT NULL column added to a model
    with a default keeps this loader working); generated columns the table lacks are dropped."""

    def __init__(self, model: Any, generated: tuple[str, ...]) -> None:
        self.table = model._meta.db_table
        position = {name: i for i, name in enumerate(generated)}
        self.columns: list[str] = []
        self.sources: list[tuple[int, Any]] = []  # (index in generated row, or -1 and constant)
        for f in model._meta.concrete_fields:
            if f.column in position:
                self.columns.append(f.column)
                self.sources.append((position[f.column], None))
            elif not f.primary_key:
                default = f.get_default() if f.has_default() or not f.null else None
                if isinstance(default, (dict, list)):
                    default = json.dumps(default)
                self.columns.append(f.column)
                self.sources.append((-1, default))
        self.identity = all(i >= 0 for i, _ in self.sources)

    def copy(self, cur: Any, rows: list[Any]) -> None:
        sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        sources = self.sources
        with cur.copy(sql) as copy:
            if self.identity:
                for row in rows:
                    copy.write_row([row[i] for i, _ in sources])
            else:
                for row in rows:
                    copy.write_row([row[i] if i >= 0 else c for i, c in sources])


def table_shapes() -> list[TableShape]:
    """Report, contact, event, disposition: the order of a generated batch."""
    from lapor.reports.models import (  # noqa: PLC0415
        Disposition,
        Report,
        ReporterContact,
        ReportEvent,
    )

    return [TableShape(Report, REPORT_COLUMNS), TableShape(ReporterContact, CONTACT_COLUMNS),
            TableShape(ReportEvent, EVENT_COLUMNS),
            TableShape(Disposition, DISPOSITION_COLUMNS)]


def reserve_ids(cur: Any, table: str, count: int) -> int:
    """Take ``count`` consecutive ids from the table's identity sequence; returns the first."""
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    seq = cur.fetchone()[0]
    cur.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    cur.execute(f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608
                f"(SELECT last_value FROM {seq}))")  # (table and sequence names are ours)
    first = int(cur.fetchone()[0]) + 1
    cur.execute("SELECT setval(%s, %s)", [seq, first + count - 1])
    return first


def db_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


class CopyWriter(threading.Thread):
    """COPYs batch k while the main thread generates batch k+1 (psycopg waits on the socket
    without holding the GIL, so generation and ingestion overlap on two cores)."""

    def __init__(self, conn: Any, started: float) -> None:
        super().__init__(name="copy-writer")
        self.conn = conn
        self.started = started
        self.batches: queue.Queue[tuple[list[Any], ...] | None] = queue.Queue(maxsize=2)
        self.counts = {"reports": 0, "contacts": 0, "events": 0, "dispositions": 0}
        self.shapes = table_shapes()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            cur = self.conn.cursor()
            while (batch := self.batches.get()) is not None:
                for shape, rows in zip(self.shapes, batch, strict=True):
                    shape.copy(cur, rows)
                self.conn.commit()
                for key, rows in zip(self.counts, batch, strict=True):
                    self.counts[key] += len(rows)
                elapsed = time.monotonic() - self.started
                log(f"{self.counts['reports']:>7,} reports "
                    f"({self.counts['reports'] / elapsed:,.0f} reports/s, "
                    f"{sum(self.counts.values()) / elapsed:,.0f} rows/s)")
        except BaseException as exc:  # handed to the main thread by load()
            self.failure = exc
            while self.batches.get() is not None:  # drain so the producer never blocks
                pass


def prepare_tables(conn: Any, reports: int, *, reset: bool) -> tuple[set[str], int, int]:
    """Truncate if asked; return the tracking numbers in use and the first free report and
    disposition ids (reserved from their sequences)."""
    cur = conn.cursor()
    if reset:
        cur.execute(f"TRUNCATE {', '.join(REPORT_TABLES)} RESTART IDENTITY CASCADE")
        conn.commit()
        log("report tables truncated")
    cur.execute("SELECT tracking_number FROM reports_report")
    taken = {row[0] for row in cur.fetchall()}
    first_id = reserve_ids(cur, "reports_report", max(1, reports))
    next_disp = reserve_ids(cur, "reports_disposition", max(1, 2 * reports))  # ≤ 2 hops each
    conn.commit()
    return taken, first_id, next_disp


def setup_django(database_url: str) -> dict[str, str]:
    import django  # noqa: PLC0415

    env = child_env(database_url)
    for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LAPOR_DATA_DIR", "LAPOR_DEMO_MODE"):
        if key in env:
            os.environ[key] = env[key]
    sys.path.insert(0, str(REPO))
    django.setup()
    return env


def load(args: argparse.Namespace) -> dict[str, Any]:
    env = setup_django(args.database_url)
    import psycopg  # noqa: PLC0415

    from lapor.core import clock  # noqa: PLC0415

    started = time.monotonic()
    how = ensure_schema_and_tree(env, args.agency, [args.hub_user, args.liaison_user])
    ensure_authenticators([args.hub_user, args.liaison_user])
    setup_s = time.monotonic() - started
    log(f"schema migrated, org tree and users: {how} ({setup_s:.1f} s)")
    world = build_world(args.agency, args.hub_user, args.liaison_user)
    log(f"tree: {len(world.units)} units under {args.agency}, "
        f"{sum(len(v) for v in world.children.values())} sub-units, "
        f"{len(world.categories)} categories, {len(world.districts)} districts")

    if args.reports == 0 and not args.reset:
        return {"reports": 0, "rows": 0, "setup_seconds": round(setup_s, 2), "tree": how}
    t_load = time.monotonic()
    with psycopg.connect(args.database_url, autocommit=False) as conn:
        taken, first_id, next_disp = prepare_tables(conn, args.reports, reset=args.reset)
        gen = Generator(world, random.Random(args.seed), clock.now(), taken)
        writer = CopyWriter(conn, t_load)
        writer.start()
        done = 0
        try:
            while done < args.reports and writer.failure is None:
                n = min(args.batch, args.reports - done)
                batch: tuple[list[Any], ...] = ([], [], [], [])
                for i in range(n):
                    rep, con, evs, ds, next_disp = gen.report(first_id + done + i, next_disp)
                    batch[0].append(rep)
                    batch[1].append(con)
                    batch[2].extend(evs)
                    batch[3].extend(ds)
                writer.batches.put(batch)
                done += n
        finally:
            writer.batches.put(None)
            writer.join()
        if writer.failure is not None:
            raise writer.failure
        copy_s = time.monotonic() - t_load
        conn.autocommit = True
        t_an = time.monotonic()
        for table in REPORT_TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        analyze_s = time.monotonic() - t_an
    total_s = time.monotonic() - t_load
    counts = writer.counts
    rows = sum(counts.values())
    log(f"loaded {counts['reports']:,} reports, {counts['events']:,} events, "
        f"{counts['dispositions']:,} dispositions ({rows:,} rows) in {copy_s:.1f} s "
        f"({rows / copy_s:,.0f} rows/s); VACUUM ANALYZE {analyze_s:.1f} s; total {total_s:.1f} s")
    return {"reports": counts["reports"], "rows": rows, "counts": counts,
            "setup_seconds": round(setup_s, 2), "copy_seconds": round(copy_s, 2),
            "analyze_seconds": round(analyze_s, 2), "load_seconds": round(total_s, 2),
            "rows_per_second": round(rows / copy_s), "tree": how}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reports", type=int, default=100_000,
                   help="reports to add (100,000; 0: only migrate and check the tree)")
    p.add_argument("--reset", action="store_true", help="truncate the report tables first")
    p.add_argument("--force", action="store_true",
                   help="allow --reset on a database whose name lacks 'bench'")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                   help="PostgreSQL URL (default: $DATABASE_URL)")
    p.add_argument("--batch", type=int, default=5_000, help="reports per COPY batch")
    p.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    p.add_argument("--agency", default="kutim", help="the hub agency the reports go to")
    p.add_argument("--hub-user", default="kominfo")
    p.add_argument("--liaison-user", default="pupr")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    args = p.parse_args(argv)
    if not args.database_url or not args.database_url.startswith(("postgres://",
                                                                  "postgresql://")):
        p.error("a PostgreSQL DATABASE_URL (or --database-url) is required")
    if args.reset and "bench" not in db_name(args.database_url) and not args.force:
        p.error(f"--reset on database {db_name(args.database_url)!r}: its name lacks 'bench'; "
                "add --force if you mean it")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    summary = load(args)
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
