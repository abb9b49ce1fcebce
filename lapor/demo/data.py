"""Static content of the demo: organisation tree, categories, routing, accounts and texts.

Everything here is plain data; :mod:`lapor.demo.loader` turns it into rows through the domain
services. Place names (kecamatan, desa/kelurahan) are real Kutai Timur names taken from the
Kemendagri codes in ``shared/data/wilayah`` (ODbL); people, phone numbers and events are made up.

Placeholders in report templates and answers:

``{desa}``       "Desa Sepaso" / "Kelurahan Teluk Lingga" (a village of the report's kecamatan)
``{kec}``        "Bengalon" (the kecamatan's name)
``{jalan}``      a road of that kecamatan ("jalan poros Sangatta–Bengalon")
``{rt}``         "RT 07"
``{patokan}``    a landmark ("dekat masjid")
``{lama}``       a duration ("dua minggu")
``{puskesmas}``  "Puskesmas Bengalon"
``{sekolah}``    "SD Negeri 004 Bengalon"
``{unit}``       the name of the unit handling the report (answers only)
``{tanggal}``    a local date in Indonesian, "Senin, 12 Oktober 2026" (answers only)
"""

from __future__ import annotations

from dataclasses import dataclass

from lapor.orgs.models import NodeKind, Role
from lapor.reports.models import Channel, ReportType
from lapor.reports.states import ArchiveReason

SEED = 2026
MARKER_KEY = "demo:v1"
DEFAULT_PASSWORD = "lapor-demo-2026"  # noqa: S105  (documented demo password)
PASSWORD_ENV = "LAPOR_DEMO_PASSWORD"  # noqa: S105  (a variable name)
# Every staff role needs two-factor sign-in; all demo staff accounts share this published,
# demo-only authenticator key (base32): any authenticator app, or `oathtool --totp -b KEY`.
DEMO_TOTP_KEY = "LAPORDEMOLAPORDEMOLAPORDEMOLAPOR"
DEFAULT_REPORTS = 200
WINDOW_DAYS = 90
KUTIM_REGION = "64.08"

# ---------------------------------------------------------------- organisation tree


@dataclass(frozen=True)
class NodeSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    is_hub: bool = False
    region: str | None = None


@dataclass(frozen=True)
class SopSpec:
    """An agency's SOP row: created with ``timezone``, then changed through ``sop_update``."""

    timezone: str
    # Applied with sop_update by ``editor`` (a username) when the row is new; None: unchanged.
    editor: str = "sysadmin"
    verify_days: int | None = None
    first_followup_days: int | None = None
    escalate_after_days: int | None = None
    sms_keyword: str | None = None
    # The hub receives its region's reports that name no agency (docs/lifecycle.md).
    receives_region_reports: bool | None = None


ROOT = "nasional"
KUTIM = "kutim"
KALTIM = "kaltim"
KEMENKES = "kemenkes"

NODES: tuple[NodeSpec, ...] = (
    NodeSpec(ROOT, "Admin Nasional SP4N-LAPOR!", NodeKind.ROOT, None),
    # Pemerintah Kabupaten Kutai Timur: the hub's verifiers sit at Diskominfo Staper, so the
    # agency node is the hub and Diskominfo Staper is also a unit (it answers its own reports).
    NodeSpec(KUTIM, "Pemerintah Kabupaten Kutai Timur", NodeKind.AGENCY, ROOT, is_hub=True,
             region=KUTIM_REGION),
    NodeSpec("kutim-diskominfo",
             "Dinas Komunikasi, Informatika, Statistik dan Persandian (Diskominfo Staper)",
             NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-pupr", "Dinas Pekerjaan Umum dan Penataan Ruang (PUPR)", NodeKind.UNIT,
             KUTIM),
    NodeSpec("kutim-pupr-binamarga", "Bidang Bina Marga", NodeKind.SUBUNIT, "kutim-pupr"),
    NodeSpec("kutim-pupr-sda", "Bidang Sumber Daya Air", NodeKind.SUBUNIT, "kutim-pupr"),
    NodeSpec("kutim-dinkes", "Dinas Kesehatan", NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-dinkes-pkm-sangatta-utara", "UPT Puskesmas Sangatta Utara",
             NodeKind.SUBUNIT, "kutim-dinkes", region="64.08.04"),
    NodeSpec("kutim-disdikbud", "Dinas Pendidikan dan Kebudayaan", NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)",
             NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-dlh", "Dinas Lingkungan Hidup", NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-dishub", "Dinas Perhubungan", NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-rsud", "RSUD Kudungga", NodeKind.UNIT, KUTIM, region="64.08.04"),
    NodeSpec("kutim-bpbd", "Badan Penanggulangan Bencana Daerah (BPBD)", NodeKind.UNIT, KUTIM),
    NodeSpec("kutim-inspektorat", "Inspektorat Daerah", NodeKind.UNIT, KUTIM),
    # The 18 kecamatan are added from the regions table (children of 64.08), after these.
    NodeSpec(KALTIM, "Pemerintah Provinsi Kalimantan Timur", NodeKind.AGENCY, ROOT, is_hub=True,
             region="64"),
    NodeSpec("kaltim-pupr",
             "Dinas Pekerjaan Umum, Penataan Ruang dan Perumahan Rakyat (PUPR-PERA)",
             NodeKind.UNIT, KALTIM),
    NodeSpec("kaltim-disdikbud", "Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur",
             NodeKind.UNIT, KALTIM),
    NodeSpec(KEMENKES, "Kementerian Kesehatan", NodeKind.AGENCY, ROOT, is_hub=True),
    NodeSpec("kemenkes-sdmk", "Direktorat Jenderal Sumber Daya Manusia Kesehatan",
             NodeKind.UNIT, KEMENKES),
)

KECAMATAN_PREFIX = "kutim-kec-"
# The town of Sangatta: Sangatta Utara and Sangatta Selatan.
SANGATTA = ("64.08.04", "64.08.12")

SOPS: dict[str, SopSpec] = {
    ROOT: SopSpec("WIB"),
    # Kutai Timur verifies within 2 HK (shorter than the national 3 HK) and takes SMS "KUTIM".
    # Both hubs receive their region's reports that name no agency: Kutai Timur's own, and
    # the province's hub those of the regencies/cities without a hub of their own.
    KUTIM: SopSpec("WITA", editor="kominfo", verify_days=2, escalate_after_days=2,
                   sms_keyword="KUTIM", receives_region_reports=True),
    KALTIM: SopSpec("WITA", editor="kaltim", sms_keyword="KALTIM", receives_region_reports=True),
    KEMENKES: SopSpec("WIB", editor="kemenkes", escalate_after_days=3),
}

# Hari Jadi Kabupaten Kutai Timur: UU 47/1999 formed the regency on 12 October 1999.
KUTIM_ANNIVERSARY = (10, 12)
KUTIM_FOUNDED = 1999

# (category code or None, region prefix, target node code, priority). More specific rules win.
KUTIM_ROUTING: tuple[tuple[str | None, str, str, int], ...] = (
    ("infrastruktur", "", "kutim-pupr", 100),
    ("jalan-rusak", "", "kutim-pupr", 100),
    ("jembatan", "", "kutim-pupr", 100),
    ("drainase-banjir", "", "kutim-pupr", 100),
    ("lampu-jalan", "", "kutim-dishub", 100),
    ("kesehatan", "", "kutim-dinkes", 100),
    ("pelayanan-puskesmas", "", "kutim-dinkes", 100),
    ("bpjs-kesehatan", "", "kutim-dinkes", 100),
    ("pelayanan-rsud", "", "kutim-rsud", 100),
    ("pendidikan", "", "kutim-disdikbud", 100),
    ("sekolah-rusak", "", "kutim-disdikbud", 100),
    ("ppdb", "", "kutim-disdikbud", 100),
    ("pungutan-sekolah", "", "kutim-disdikbud", 100),
    ("kependudukan", "", "kutim-disdukcapil", 100),
    ("ktp-el", "", "kutim-disdukcapil", 100),
    ("akta-kelahiran", "", "kutim-disdukcapil", 100),
    ("kartu-keluarga", "", "kutim-disdukcapil", 100),
    ("lingkungan", "", "kutim-dlh", 100),
    ("sampah", "", "kutim-dlh", 100),
    # Waste in Sangatta Utara is collected by the kecamatan's own UPT kebersihan.
    ("sampah", "64.08.04", f"{KECAMATAN_PREFIX}sangatta-utara", 10),
    ("pencemaran", "", "kutim-dlh", 100),
    ("perhubungan", "", "kutim-dishub", 100),
    ("angkutan-umum", "", "kutim-dishub", 100),
    ("rambu-lalu-lintas", "", "kutim-dishub", 100),
    ("aparatur", "", "kutim-inspektorat", 100),
    ("pungli", "", "kutim-inspektorat", 100),
    ("disiplin-asn", "", "kutim-inspektorat", 100),
    ("bencana-darurat", "", "kutim-bpbd", 10),
)
# Overdue reports are escalated first to the Inspektorat, then to the regency itself.
KUTIM_ESCALATION: tuple[str, ...] = ("kutim-inspektorat", KUTIM)

# ---------------------------------------------------------------- categories


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name_id: str
    name_en: str
    resolution_days: int
    parent: str | None = None


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("infrastruktur", "Infrastruktur", "Infrastructure", 14),
    CategorySpec("jalan-rusak", "Jalan rusak", "Damaged roads", 14, "infrastruktur"),
    CategorySpec("jembatan", "Jembatan", "Bridges", 14, "infrastruktur"),
    CategorySpec("drainase-banjir", "Drainase dan genangan banjir", "Drainage and flooding", 5,
                 "infrastruktur"),
    CategorySpec("lampu-jalan", "Penerangan jalan umum", "Street lighting", 5, "infrastruktur"),
    CategorySpec("kesehatan", "Kesehatan", "Health", 14),
    CategorySpec("pelayanan-puskesmas", "Pelayanan puskesmas", "Community health centres", 5,
                 "kesehatan"),
    CategorySpec("bpjs-kesehatan", "BPJS Kesehatan / JKN", "National health insurance", 14,
                 "kesehatan"),
    CategorySpec("pelayanan-rsud", "Pelayanan rumah sakit daerah", "Regional hospital services",
                 5, "kesehatan"),
    CategorySpec("pendidikan", "Pendidikan", "Education", 14),
    CategorySpec("sekolah-rusak", "Sarana dan prasarana sekolah", "School facilities", 14,
                 "pendidikan"),
    CategorySpec("ppdb", "Penerimaan murid baru (SPMB)", "School admissions", 5, "pendidikan"),
    CategorySpec("pungutan-sekolah", "Pungutan di sekolah", "School fees and levies", 14,
                 "pendidikan"),
    CategorySpec("kependudukan", "Administrasi kependudukan", "Civil registration", 5),
    CategorySpec("ktp-el", "KTP elektronik", "Electronic ID card", 5, "kependudukan"),
    CategorySpec("akta-kelahiran", "Akta kelahiran dan kematian", "Birth and death certificates",
                 5, "kependudukan"),
    CategorySpec("kartu-keluarga", "Kartu keluarga", "Family card", 5, "kependudukan"),
    CategorySpec("lingkungan", "Lingkungan hidup", "Environment", 14),
    CategorySpec("sampah", "Sampah dan kebersihan", "Waste and cleanliness", 5, "lingkungan"),
    CategorySpec("pencemaran", "Pencemaran lingkungan", "Pollution", 14, "lingkungan"),
    CategorySpec("perhubungan", "Perhubungan", "Transport", 14),
    CategorySpec("angkutan-umum", "Angkutan umum", "Public transport", 14, "perhubungan"),
    CategorySpec("rambu-lalu-lintas", "Rambu dan lampu lalu lintas", "Traffic signs and signals",
                 5, "perhubungan"),
    CategorySpec("aparatur", "Aparatur dan tata kelola", "Civil service and governance", 14),
    CategorySpec("pungli", "Pungutan liar", "Illegal levies", 14, "aparatur"),
    CategorySpec("disiplin-asn", "Disiplin aparatur", "Civil servant discipline", 14, "aparatur"),
    CategorySpec("bencana-darurat", "Bencana dan kedaruratan", "Disasters and emergencies", 2),
    CategorySpec("lainnya", "Lainnya", "Other", 60),
)

# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    role: str | None  # None: a citizen account
    node: str | None
    # Listed first in the demo logins table (the accounts named in the README).
    primary: bool = True
    # False: a staff account that has not set up two-factor sign-in yet (asked at first
    # sign-in); the Renaksi readiness matrix shows it (lapor.demo.renaksi).
    two_factor: bool = True


USERS: tuple[UserSpec, ...] = (
    UserSpec("nasional", "Admin Nasional", Role.NATIONAL_VERIFIER, ROOT),
    UserSpec("kominfo", "Admin Koordinator Diskominfo Staper Kutim", Role.HUB_VERIFIER, KUTIM),
    UserSpec("pupr", "Admin Penghubung Dinas PUPR", Role.LIAISON, "kutim-pupr"),
    UserSpec("pupr.petugas", "Petugas Dinas PUPR", Role.UNIT_OFFICER, "kutim-pupr"),
    UserSpec("dinkes", "Admin Penghubung Dinas Kesehatan", Role.LIAISON, "kutim-dinkes"),
    UserSpec("camat.sangatta", "Admin Penghubung Kecamatan Sangatta Utara", Role.LIAISON,
             f"{KECAMATAN_PREFIX}sangatta-utara"),
    UserSpec("bupati", "Pimpinan Pemkab Kutai Timur", Role.SUPERVISOR, KUTIM),
    UserSpec("inspektorat", "Auditor Inspektorat Kutai Timur", Role.AUDITOR, KUTIM),
    UserSpec("ombudsman", "Ombudsman RI (auditor)", Role.AUDITOR, ROOT),
    UserSpec("sysadmin", "Administrator Sistem", Role.SYSADMIN, ROOT),
    UserSpec("warga", "Rina Marlina", None, None),
    # Liaison officers of the other units, so every demo follow-up has a realistic author.
    UserSpec("disdikbud", "Admin Penghubung Disdikbud", Role.LIAISON, "kutim-disdikbud",
             primary=False),
    UserSpec("disdukcapil", "Admin Penghubung Disdukcapil", Role.LIAISON, "kutim-disdukcapil",
             primary=False),
    UserSpec("dlh", "Admin Penghubung Dinas Lingkungan Hidup", Role.LIAISON, "kutim-dlh",
             primary=False),
    UserSpec("dishub", "Admin Penghubung Dinas Perhubungan", Role.LIAISON, "kutim-dishub",
             primary=False),
    UserSpec("rsud", "Admin Penghubung RSUD Kudungga", Role.LIAISON, "kutim-rsud",
             primary=False),
    UserSpec("bpbd", "Admin Penghubung BPBD", Role.LIAISON, "kutim-bpbd", primary=False),
    UserSpec("inspektorat.penghubung", "Admin Penghubung Inspektorat", Role.LIAISON,
             "kutim-inspektorat", primary=False),
    # Newly appointed liaison officers who have not signed in yet (no authenticator).
    UserSpec("dlh.cadangan", "Admin Penghubung Cadangan DLH", Role.LIAISON, "kutim-dlh",
             primary=False, two_factor=False),
    UserSpec("camat.bengalon", "Admin Penghubung Kecamatan Bengalon", Role.LIAISON,
             f"{KECAMATAN_PREFIX}bengalon", primary=False, two_factor=False),
    UserSpec("kaltim", "Admin Koordinator Pemprov Kaltim", Role.HUB_VERIFIER, KALTIM,
             primary=False),
    UserSpec("kemenkes", "Admin Koordinator Kemenkes", Role.HUB_VERIFIER, KEMENKES,
             primary=False),
)

# Who verifies a tier, and who handles a unit (looked up from the node up to its agency).
VERIFIERS: dict[str, str] = {ROOT: "nasional", KUTIM: "kominfo", KALTIM: "kaltim",
                             KEMENKES: "kemenkes"}
LIAISONS: dict[str, str] = {
    KUTIM: "kominfo",
    "kutim-pupr": "pupr",
    "kutim-dinkes": "dinkes",
    f"{KECAMATAN_PREFIX}sangatta-utara": "camat.sangatta",
    "kutim-disdikbud": "disdikbud",
    "kutim-disdukcapil": "disdukcapil",
    "kutim-dlh": "dlh",
    "kutim-dishub": "dishub",
    "kutim-rsud": "rsud",
    "kutim-bpbd": "bpbd",
    "kutim-inspektorat": "inspektorat.penghubung",
    KALTIM: "kaltim",
    KEMENKES: "kemenkes",
}
OFFICERS: dict[str, str] = {"kutim-pupr": "pupr.petugas"}
SUPERVISOR = "bupati"

# Units that pass a report on to one of their sub-units, by category (and region).
SUBUNIT_FORWARDS: dict[tuple[str, str], str] = {
    ("kutim-pupr", "jalan-rusak"): "kutim-pupr-binamarga",
    ("kutim-pupr", "jembatan"): "kutim-pupr-binamarga",
    ("kutim-pupr", "drainase-banjir"): "kutim-pupr-sda",
    ("kutim-dinkes", "pelayanan-puskesmas"): "kutim-dinkes-pkm-sangatta-utara",
}

# ---------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    villages: tuple[str, ...]
    roads: tuple[str, ...]
    latitude: float
    longitude: float
    weight: int = 2


PLACES: dict[str, Place] = {
    "64.08.01": Place(("Desa Kelinjau Ulu", "Desa Kelinjau Ilir", "Desa Long Tesak",
                       "Desa Senyiur"),
                      ("jalan poros Muara Ancalong–Muara Bengkal", "Jalan Pendidikan Kelinjau"),
                      0.43, 116.66),
    "64.08.02": Place(("Desa Muara Wahau", "Desa Wahau Baru", "Desa Nehes Liah Bing",
                       "Desa Jak Luay", "Desa Wanasari"),
                      ("jalan poros Muara Wahau–Kombeng", "Jalan Trans Wahau",
                       "jalan poros Muara Wahau–Busang"), 1.03, 116.86, 7),
    "64.08.03": Place(("Desa Muara Bengkal Ilir", "Desa Muara Bengkal Ulu", "Desa Ngayau",
                       "Desa Benua Baru"),
                      ("jalan poros Muara Bengkal", "Jalan Tepian Sungai Muara Bengkal"),
                      0.35, 116.73),
    "64.08.04": Place(("Kelurahan Teluk Lingga", "Desa Sangatta Utara", "Desa Swarga Bara",
                       "Desa Singa Gembara"),
                      ("Jalan Yos Sudarso", "Jalan APT Pranoto", "Jalan Soekarno-Hatta",
                       "Jalan Jenderal Sudirman", "Jalan Poros Sangatta–Bengalon",
                       "Jalan Pendidikan"), 0.51, 117.55, 34),
    "64.08.05": Place(("Desa Benua Baru Ilir", "Desa Kerayaan", "Desa Pelawan", "Desa Maloy",
                       "Desa Sempayau"),
                      ("jalan poros Sangkulirang–Kaliorang", "jalan menuju Pelabuhan Maloy"),
                      1.00, 117.98, 6),
    "64.08.06": Place(("Desa Long Lees", "Desa Mekar Baru", "Desa Long Pejeng"),
                      ("jalan poros Busang–Muara Wahau",), 1.08, 116.42),
    "64.08.07": Place(("Desa Long Segar", "Desa Juk Ayaq", "Desa Muara Pantun"),
                      ("jalan poros Telen–Muara Wahau",), 0.90, 116.79),
    "64.08.08": Place(("Desa Miau Baru", "Desa Sri Pantun", "Desa Kombeng Indah",
                       "Desa Marga Mulya"),
                      ("jalan poros Kombeng–Muara Wahau",), 1.01, 117.04),
    "64.08.09": Place(("Desa Sepaso", "Desa Sepaso Timur", "Desa Tepian Langsat",
                       "Desa Tepian Baru", "Desa Muara Bengalon"),
                      ("jalan poros Sangatta–Bengalon", "jalan poros Bengalon–Sangkulirang"),
                      0.80, 117.69, 8),
    "64.08.10": Place(("Desa Kaliorang", "Desa Bukit Makmur", "Desa Bangun Jaya",
                       "Desa Bukit Harapan"),
                      ("jalan poros Kaliorang–Sangkulirang", "Jalan Kaliorang–Kaubun"),
                      0.86, 117.87, 5),
    "64.08.11": Place(("Desa Sandaran", "Desa Manubar", "Desa Tadoan", "Desa Susuk Dalam"),
                      ("jalan poros Sandaran",), 1.24, 118.30),
    "64.08.12": Place(("Kelurahan Singa Geweh", "Desa Sangatta Selatan", "Desa Sangkima",
                       "Desa Teluk Singkama"),
                      ("Jalan Poros Sangatta–Bontang", "Jalan Pinang Sangatta Selatan"),
                      0.46, 117.54, 12),
    "64.08.13": Place(("Desa Teluk Pandan", "Desa Kandolo", "Desa Martadinata",
                       "Desa Suka Rahmat"),
                      ("Jalan Poros Sangatta–Bontang", "Jalan Desa Kandolo"), 0.30, 117.46, 5),
    "64.08.14": Place(("Desa Tanjung Labu", "Desa Margo Mulyo", "Desa Pulung Sari",
                       "Desa Rantau Makmur"),
                      ("jalan poros Rantau Pulung", "Jalan Poros Sangatta–Rantau Pulung"),
                      0.59, 117.31, 4),
    "64.08.15": Place(("Desa Bumi Etam", "Desa Bukit Permata", "Desa Cipta Graha",
                       "Desa Kadungan Jaya"),
                      ("jalan poros Kaubun–Kaliorang",), 0.74, 117.81),
    "64.08.16": Place(("Desa Karangan Dalam", "Desa Baay", "Desa Karangan Hilir",
                       "Desa Mukti Lestari"),
                      ("jalan poros Karangan–Sangkulirang",), 1.15, 117.74),
    "64.08.17": Place(("Desa Batu Timbau", "Desa Mawai Indah", "Desa Himba Lestari"),
                      ("jalan poros Batu Ampar",), 0.79, 117.19),
    "64.08.18": Place(("Desa Sumber Sari", "Desa Sumber Agung", "Desa Mukti Utama",
                       "Desa Tanah Abang"),
                      ("jalan poros Long Mesangat",), 0.49, 116.92),
}

LANDMARKS = (
    "dekat masjid", "depan SD negeri", "samping pos ronda", "dekat simpang tiga",
    "depan warung makan", "dekat jembatan kayu", "depan kantor desa", "dekat pangkalan ojek",
    "samping gereja", "dekat lapangan sepak bola",
)
DURATIONS = ("dua minggu", "tiga minggu", "sebulan", "lebih dari sebulan", "dua bulan",
             "hampir tiga bulan", "sepuluh hari")
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")

# ---------------------------------------------------------------- reporters

FIRST_NAMES = (
    "Ahmad", "Siti", "Budi", "Rina", "Muhammad", "Nur", "Dedi", "Yuliani", "Rahmat", "Sri",
    "Agus", "Wahyuni", "Hendra", "Fitri", "Rudi", "Dewi", "Syahrul", "Hasanah", "Andi",
    "Marlina", "Yohanes", "Lusia", "Irwan", "Kartini", "Samsul", "Herlina", "Daeng", "Ratna",
    "Joko", "Erna", "Markus", "Hajrah", "Fajar", "Nurul", "Arif", "Susanti", "Yakobus",
    "Maria", "Hamdan", "Indah",
)
LAST_NAMES = (
    "Saputra", "Hidayat", "Wati", "Kurniawan", "Lestari", "Pratama", "Rahman", "Sari",
    "Gunawan", "Nugroho", "Simanjuntak", "Pasaribu", "Lahang", "Hamzah", "Syamsuddin",
    "Bahar", "Setiawan", "Anwar", "Wijaya", "Ramadhani", "Paembonan", "Nasution", "Ledang",
    "Mappiasse", "Hakim", "Susilo", "Rusdi", "Yusuf", "Tandi", "Ngau",
)
# Mobile prefixes of Indonesian operators (Telkomsel, Indosat, XL, Tri).
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0815", "0857",
                  "0858", "0817", "0818", "0819", "0877", "0878", "0895", "0896")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

# (channel, weight): web and the app dominate; SMS and WhatsApp are common in the regions.
CHANNELS: tuple[tuple[str, int], ...] = (
    (Channel.WEB, 30), (Channel.MOBILE, 22), (Channel.WHATSAPP, 14), (Channel.SMS, 10),
    (Channel.TELEGRAM, 5), (Channel.X, 6), (Channel.EMAIL, 6), (Channel.WALK_IN, 7),
)

# ---------------------------------------------------------------- report templates


@dataclass(frozen=True)
class Template:
    """One kind of report: its text, and the agency's final answer to it."""

    category: str
    title: str
    body: str
    # The final follow-up ("ditindaklanjuti"); the category's answer when empty.
    answer: str = ""
    type: str = ReportType.COMPLAINT
    weight: int = 3
    # The kecamatan (district codes) it can come from when the text names a place; any
    # kecamatan when empty, any outside the town of Sangatta when ``remote``.
    regions: tuple[str, ...] = ()
    remote: bool = False
    # The agency responsible when it is not Kutai Timur, and the unit there.
    agency: str = KUTIM
    unit: str | None = None
    # Likely to be sent anonymously / confidentially (reports about officials).
    sensitive: bool = False


ASP = ReportType.ASPIRATION
INFO = ReportType.INFORMATION_REQUEST

TEMPLATES: tuple[Template, ...] = (
    # Infrastruktur
    Template("jalan-rusak", "Jalan berlubang di {jalan}",
             "Jalan di {jalan}, {desa}, {patokan}, berlubang besar dan tergenang air setiap "
             "hujan. Sudah {lama} tidak ada perbaikan dan beberapa pengendara motor terjatuh "
             "pada malam hari. Mohon segera ditambal sebelum ada korban.",
             "Pada {tanggal} tim {unit} telah menambal lubang di {jalan} dengan aspal dingin dan "
             "memasang rambu sementara. Terima kasih atas laporannya.", weight=9),
    Template("jalan-rusak", "Ruas {jalan} rusak parah dan berlumpur",
             "Ruas {jalan} di sekitar {desa}, Kecamatan {kec}, rusak parah, aspal mengelupas dan "
             "berlumpur. Truk pengangkut sawit sering terjebak sehingga jalan tertutup "
             "berjam-jam. Anak sekolah terpaksa berjalan kaki melewati lumpur.",
             "Penanganan ruas {jalan} telah dilakukan pada {tanggal} berupa penimbunan batu dan "
             "perataan dengan alat berat. Pengaspalan dijadwalkan dalam paket pemeliharaan "
             "berkala tahun depan.", weight=7),
    Template("jalan-rusak", "Semenisasi jalan lingkungan {rt} {desa}",
             "Jalan lingkungan di {rt} {desa}, Kecamatan {kec}, masih tanah dan becek setiap "
             "hujan. Warga sudah mengusulkan semenisasi lewat musrenbang dua tahun berturut-turut "
             "tetapi belum terealisasi. Mohon dapat dianggarkan tahun depan.",
             "Usulan semenisasi jalan lingkungan {rt} {desa} telah dimasukkan dalam rencana kerja "
             "{unit} tahun anggaran berikutnya. Pelaksanaan menunggu penetapan APBD.", type=ASP),
    Template("jalan-rusak", "Aspal Jalan Soekarno-Hatta amblas dekat Pasar Induk Sangatta",
             "Aspal di Jalan Soekarno-Hatta, Sangatta Utara, dekat simpang menuju Pasar Induk "
             "Sangatta amblas sekitar satu meter dan retaknya makin lebar. Kendaraan harus "
             "menghindar ke lajur berlawanan, sangat berbahaya pada jam sibuk pagi.",
             "Badan jalan yang amblas di Jalan Soekarno-Hatta telah dibongkar, dipadatkan, dan "
             "diaspal ulang pada {tanggal}. Lalu lintas kembali normal dua lajur.",
             regions=("64.08.04",)),
    Template("jembatan", "Jembatan kayu di {desa} lapuk",
             "Jembatan kayu penghubung {rt} dengan kebun warga di {desa}, Kecamatan {kec}, "
             "papannya lapuk dan beberapa sudah patah. Setiap hari anak sekolah melintas. Mohon "
             "segera diganti sebelum ada yang jatuh ke sungai.",
             "Papan jembatan yang lapuk telah diganti dengan kayu ulin pada {tanggal} dan "
             "jembatan sudah aman dilalui."),
    Template("jembatan", "Oprit jembatan di {jalan} ambles",
             "Oprit jembatan di {jalan} dekat {desa} ambles sehingga ada patahan setinggi kurang "
             "lebih 30 cm di ujung jembatan. Mobil harus berhenti total untuk lewat dan sudah "
             "dua kali motor terpental di lokasi ini.",
             "Oprit jembatan telah ditimbun dan dipadatkan kembali pada {tanggal}; patahan di "
             "ujung jembatan sudah rata dan lalu lintas normal."),
    Template("jembatan", "Usulan jembatan gantung di {desa}",
             "Warga {desa}, Kecamatan {kec}, mengusulkan pembangunan jembatan gantung "
             "menyeberangi sungai. Selama ini warga memakai perahu ketinting, dan saat air "
             "pasang sangat berbahaya bagi anak-anak yang berangkat sekolah.",
             "Tim {unit} telah melakukan survei lokasi pada {tanggal}. Usulan jembatan gantung "
             "di {desa} masuk daftar prioritas perencanaan teknis tahun depan.", type=ASP,
             weight=1),
    Template("drainase-banjir", "Drainase tersumbat, {jalan} tergenang",
             "Saluran drainase di sepanjang {jalan}, {patokan}, tersumbat sampah dan sedimen. "
             "Setiap hujan deras air meluap ke jalan dan masuk ke rumah warga setinggi mata "
             "kaki. Mohon parit dikeruk dan gorong-gorong dibersihkan.", weight=5),
    Template("drainase-banjir", "Genangan di Kelurahan Teluk Lingga setiap hujan",
             "Kawasan Kelurahan Teluk Lingga, Sangatta Utara, selalu tergenang setiap hujan "
             "lebih dari satu jam. Parit di {rt} tidak pernah dikeruk sejak tahun lalu dan air "
             "baru surut keesokan harinya.", regions=("64.08.04",)),
    Template("drainase-banjir", "Gorong-gorong runtuh di {desa}",
             "Gorong-gorong di bawah jalan {desa} {patokan} runtuh sehingga air tidak mengalir "
             "dan jalan di atasnya mulai berlubang. Kalau hujan, halaman rumah warga "
             "tergenang.",
             "Gorong-gorong yang runtuh telah diganti dengan box culvert beton pada {tanggal}; "
             "air kembali mengalir dan jalan di atasnya sudah ditimbun."),
    Template("lampu-jalan", "Lampu PJU padam di {jalan}",
             "Sudah {lama} sekitar lima tiang lampu penerangan jalan umum di {jalan} padam. "
             "Jalan menjadi gelap gulita dan rawan kecelakaan serta pencurian sepeda motor.",
             "Lampu penerangan jalan umum di {jalan} telah diganti dengan lampu LED dan menyala "
             "kembali sejak {tanggal}.", weight=5),
    Template("lampu-jalan", "Tiang lampu jalan miring hampir roboh",
             "Tiang lampu jalan di {jalan}, {patokan}, miring setelah tertabrak truk dan "
             "kabelnya menjuntai rendah. Sangat berbahaya bagi pengguna jalan, apalagi saat "
             "hujan.",
             "Tiang lampu yang miring telah ditegakkan dan kabel dirapikan pada {tanggal}."),
    Template("lampu-jalan", "Usulan lampu jalan di pintu masuk {desa}",
             "Mohon dipasang lampu penerangan di jalan masuk {desa}, Kecamatan {kec}. Jalan "
             "sepanjang satu kilometer ini gelap total pada malam hari padahal ramai dilalui "
             "karyawan tambang yang pulang shift malam.",
             "Usulan pemasangan lampu penerangan di jalan masuk {desa} telah dicatat dan akan "
             "dipasang dalam program PJU tenaga surya tahun depan.", type=ASP, weight=2),
    # Kesehatan
    Template("pelayanan-puskesmas", "Antrean lama di {puskesmas}",
             "Saya berobat ke {puskesmas} pagi hari dan baru dilayani setelah menunggu lebih "
             "dari empat jam. Loket pendaftaran hanya dijaga satu orang dan tidak ada nomor "
             "antrean, sehingga pasien lansia ikut berdesakan.",
             "{puskesmas} telah menerapkan nomor antrean dan menambah petugas loket pendaftaran "
             "mulai {tanggal}. Pasien lansia kini mendapat loket prioritas.", weight=4),
    Template("pelayanan-puskesmas", "Dokter tidak ada di {puskesmas} saat jam layanan",
             "Sudah tiga kali saya membawa anak berobat ke {puskesmas} pada jam layanan tetapi "
             "dokter tidak ada di tempat, hanya perawat. Mohon jadwal dokter diumumkan dan "
             "dipatuhi.",
             "Kepala {puskesmas} telah dibina dan jadwal dokter kini diumumkan di papan "
             "informasi serta media sosial puskesmas sejak {tanggal}."),
    Template("pelayanan-puskesmas", "Obat hipertensi kosong di {puskesmas}",
             "Ibu saya pasien hipertensi rutin, tetapi {lama} ini obat amlodipin di {puskesmas} "
             "selalu kosong dan kami disuruh membeli sendiri di apotek. Mohon ketersediaan obat "
             "program diperhatikan.",
             "Stok obat hipertensi di {puskesmas} telah dipenuhi dari Instalasi Farmasi "
             "Kabupaten pada {tanggal}. Pasien dapat mengambil obat rutin seperti biasa."),
    Template("bpjs-kesehatan", "Kepesertaan BPJS PBI tiba-tiba nonaktif",
             "Kartu KIS PBI keluarga kami dinonaktifkan tanpa pemberitahuan, padahal kami masih "
             "tergolong tidak mampu dan tinggal di {desa}. Saat berobat di {puskesmas} kami "
             "diminta membayar sebagai pasien umum.",
             "Kepesertaan PBI keluarga pelapor telah diaktifkan kembali melalui usulan Dinas "
             "Sosial pada {tanggal}. Silakan berobat dengan kartu yang sama."),
    Template("bpjs-kesehatan", "Cara pindah faskes BPJS ke {puskesmas}",
             "Mohon informasi cara memindahkan fasilitas kesehatan tingkat pertama BPJS dari "
             "klinik di Samarinda ke {puskesmas} karena kami sudah pindah domisili ke {desa}. "
             "Apakah bisa lewat aplikasi atau harus datang ke kantor BPJS?",
             "Pindah faskes dapat dilakukan sendiri melalui aplikasi Mobile JKN, menu Ubah Data "
             "Peserta, paling cepat tiga bulan setelah terdaftar di faskes lama. Bantuan juga "
             "tersedia di loket BPJS Kesehatan Sangatta.", type=INFO),
    Template("pelayanan-rsud", "Penanganan IGD RSUD Kudungga lambat",
             "Ayah saya dibawa ke IGD RSUD Kudungga dengan sesak napas pada malam hari, namun "
             "baru ditangani setelah hampir dua jam. Petugas beralasan menunggu dokter jaga. "
             "Mohon evaluasi pelayanan IGD.",
             "Manajemen RSUD Kudungga telah menambah dokter jaga IGD pada malam hari dan "
             "memperbaiki alur triase mulai {tanggal}. Mohon maaf atas ketidaknyamanannya.",
             regions=("64.08.04",), weight=3),
    Template("pelayanan-rsud", "Toilet ruang rawat inap RSUD Kudungga kotor",
             "Toilet di ruang rawat inap kelas III RSUD Kudungga kotor, air sering mati dan "
             "lampunya rusak. Keluarga pasien terpaksa mengambil air dari lantai bawah.",
             "Toilet ruang rawat inap telah dibersihkan, pompa air diperbaiki, dan jadwal "
             "kebersihan diperketat sejak {tanggal}.", regions=("64.08.04",)),
    Template("pelayanan-rsud", "Dokter poliklinik RSUD Kudungga datang terlambat",
             "Pendaftaran poli penyakit dalam RSUD Kudungga dibuka pukul 07.00, tetapi dokter "
             "baru datang sekitar pukul 11.00. Pasien dari kecamatan jauh harus menginap di "
             "Sangatta karena tidak sempat pulang.",
             "Jadwal praktik dokter poliklinik telah ditetapkan mulai pukul 08.00 dan kehadiran "
             "dokter dipantau bidang pelayanan sejak {tanggal}.", regions=("64.08.04",)),
    # Pendidikan
    Template("sekolah-rusak", "Atap kelas {sekolah} bocor",
             "Atap tiga ruang kelas di {sekolah}, {desa}, bocor parah. Saat hujan siswa "
             "terpaksa dipulangkan lebih awal dan plafon mulai runtuh. Mohon segera direhab.",
             "Perbaikan atap dan plafon tiga ruang kelas {sekolah} telah selesai dikerjakan pada "
             "{tanggal}. Kegiatan belajar kembali normal.", weight=4),
    Template("sekolah-rusak", "{sekolah} kekurangan meja dan kursi",
             "Sebagian siswa kelas I di {sekolah} duduk di lantai karena meja dan kursi rusak "
             "dan belum diganti sejak awal tahun ajaran. Komite sekolah sudah bersurat ke dinas "
             "tetapi belum ada jawaban.",
             "Sebanyak 30 set meja dan kursi siswa telah dikirim ke {sekolah} pada {tanggal}."),
    Template("sekolah-rusak", "Usulan ruang kelas baru di {sekolah}",
             "Jumlah murid di {sekolah} terus bertambah karena perumahan baru di {desa}, "
             "sehingga dua rombongan belajar harus masuk siang. Kami mengusulkan penambahan dua "
             "ruang kelas baru.",
             "Usulan pembangunan dua ruang kelas baru di {sekolah} telah diajukan dalam Dana "
             "Alokasi Khusus bidang pendidikan tahun depan.", type=ASP, weight=1),
    Template("ppdb", "Hasil seleksi domisili SPMB SMP tidak sesuai jarak",
             "Anak saya tidak diterima di SMP negeri terdekat yang jaraknya kurang dari satu "
             "kilometer dari rumah kami di {desa}, sementara ada calon murid yang rumahnya lebih "
             "jauh diterima. Mohon transparansi hasil seleksi jalur domisili.",
             "Hasil verifikasi ulang jalur domisili telah diumumkan pada {tanggal}; dua data "
             "jarak yang keliru telah dikoreksi dan anak pelapor diterima melalui daftar "
             "tunggu."),
    Template("ppdb", "Jadwal pendaftaran SD negeri di Kecamatan {kec}",
             "Mohon informasi jadwal dan syarat pendaftaran murid baru SD negeri di Kecamatan "
             "{kec} untuk tahun ajaran depan. Apakah pendaftaran harus daring atau bisa langsung "
             "ke sekolah?",
             "Pendaftaran murid baru SD negeri dibuka secara daring dan langsung di sekolah pada "
             "bulan Juni. Syaratnya akta kelahiran, kartu keluarga, dan usia minimal enam tahun "
             "pada 1 Juli.", type=INFO),
    Template("pungutan-sekolah", "Pungutan uang seragam dan buku di {sekolah}",
             "Orang tua murid baru di {sekolah} diminta membayar Rp750.000 untuk seragam, buku "
             "LKS, dan uang gedung tanpa rincian dan tanpa kuitansi. Bukankah sekolah negeri "
             "tidak boleh memungut biaya seperti ini?",
             "{unit} telah memanggil kepala {sekolah}. Pungutan dihentikan dan uang yang sudah "
             "dibayarkan orang tua murid dikembalikan pada {tanggal}.", sensitive=True),
    # Kependudukan
    Template("ktp-el", "KTP-el belum dicetak setelah {lama}",
             "Saya sudah merekam KTP-el di kantor Kecamatan {kec} sejak {lama} yang lalu tetapi "
             "sampai sekarang belum dicetak dengan alasan blangko habis. Saya perlu KTP untuk "
             "melamar kerja di perusahaan.",
             "KTP-el pelapor telah dicetak pada {tanggal} dan dapat diambil di kantor Kecamatan "
             "{kec} dengan membawa bukti perekaman.", weight=5),
    Template("ktp-el", "Alat perekaman KTP-el di Kecamatan {kec} rusak",
             "Sudah dua kali saya datang ke kantor Kecamatan {kec} untuk perekaman KTP-el "
             "tetapi alat perekamannya rusak. Mohon ada jadwal perekaman keliling ke desa-desa, "
             "terutama untuk lansia.",
             "Alat perekaman di Kecamatan {kec} telah diperbaiki pada {tanggal}, dan perekaman "
             "keliling untuk lansia dijadwalkan bersama pemerintah desa."),
    Template("ktp-el", "Syarat mengurus KTP-el yang hilang",
             "Mohon informasi syarat mengurus KTP-el yang hilang. Apakah harus dengan surat "
             "kehilangan dari kepolisian, dan apakah bisa diurus di Kecamatan {kec} tanpa ke "
             "Sangatta?",
             "KTP-el yang hilang dapat dicetak ulang dengan membawa kartu keluarga dan surat "
             "kehilangan dari kepolisian, di kantor Disdukcapil maupun kantor Kecamatan {kec}. "
             "Layanan ini gratis.", type=INFO, remote=True),
    Template("akta-kelahiran", "Akta kelahiran anak belum terbit",
             "Saya mengajukan akta kelahiran anak melalui layanan daring Disdukcapil {lama} yang "
             "lalu tetapi statusnya masih diproses. Akta dibutuhkan untuk pendaftaran sekolah "
             "bulan depan.",
             "Akta kelahiran telah terbit pada {tanggal} dan dikirim ke surel pelapor sebagai "
             "dokumen elektronik bertanda tangan elektronik."),
    Template("akta-kelahiran", "Cara mengurus akta kematian orang tua",
             "Mohon informasi dokumen apa saja yang diperlukan untuk mengurus akta kematian "
             "ayah saya yang meninggal di rumah di {desa}, dan berapa lama prosesnya.",
             "Akta kematian dapat diurus dengan surat keterangan kematian dari desa, kartu "
             "keluarga, serta KTP-el almarhum dan pelapor. Proses selesai dalam tiga hari kerja "
             "dan tidak dipungut biaya.", type=INFO),
    Template("kartu-keluarga", "Nama anak salah di kartu keluarga",
             "Nama anak kedua saya tertulis salah pada kartu keluarga terbaru. Kami sudah "
             "mengajukan perbaikan di kantor Disdukcapil {lama} yang lalu tetapi belum ada "
             "kabar.",
             "Kartu keluarga dengan nama yang sudah diperbaiki telah terbit pada {tanggal} dan "
             "dapat dicetak sendiri dari surel pelapor."),
    # Lingkungan
    Template("sampah", "Sampah menumpuk di TPS {jalan}",
             "Sampah di TPS {jalan}, {patokan}, sudah {lama} tidak diangkut. Baunya menyengat, "
             "lalat banyak, dan sampah meluber ke badan jalan.",
             "Sampah di TPS {jalan} telah diangkut seluruhnya pada {tanggal} dan jadwal "
             "pengangkutan ditambah menjadi setiap hari.", weight=6),
    Template("sampah", "Sampah di belakang Pasar Induk Sangatta",
             "Tumpukan sampah di belakang Pasar Induk Sangatta tidak diangkut beberapa hari dan "
             "air lindinya mengalir ke parit. Pedagang dan pembeli terganggu bau busuk, apalagi "
             "setelah hujan.",
             "Sampah di belakang Pasar Induk Sangatta telah diangkut pada {tanggal}; dua "
             "kontainer tambahan ditempatkan dan diangkut setiap pagi.", regions=("64.08.04",),
             weight=3),
    Template("sampah", "Warga membuang sampah ke sungai di {desa}",
             "Banyak warga membuang sampah rumah tangga ke sungai di {desa} karena tidak ada "
             "tempat pembuangan sementara. Mohon disediakan TPS dan jadwal pengangkutan.",
             "Pemerintah desa bersama {unit} telah menyediakan kontainer sampah di {desa} sejak "
             "{tanggal}, diangkut dua kali seminggu."),
    Template("pencemaran", "Air sungai keruh diduga limbah tambang",
             "Air sungai di {desa}, Kecamatan {kec}, berubah keruh kecoklatan dan ikan banyak "
             "mati sejak {lama}. Warga menduga ada limbah dari kolam pengendapan tambang batu "
             "bara di hulu. Mohon diambil sampel air.",
             "Hasil uji laboratorium sampel air menunjukkan padatan tersuspensi melebihi baku "
             "mutu. Perusahaan telah diberi teguran tertulis pada {tanggal} dan wajib "
             "memperbaiki kolam pengendapannya.", weight=3),
    Template("pencemaran", "Bau limbah pabrik kelapa sawit",
             "Warga {desa} mencium bau busuk dari kolam limbah pabrik kelapa sawit terutama "
             "malam hari. Beberapa anak mengeluh sesak napas dan mual.",
             "{unit} telah memeriksa instalasi pengolahan limbah pabrik pada {tanggal}. "
             "Perusahaan diwajibkan menutup kolam limbah terbuka dalam 30 hari.",
             sensitive=True),
    Template("pencemaran", "Debu jalan hauling batu bara dekat permukiman",
             "Jalan hauling batu bara yang melintas dekat permukiman di {desa} menimbulkan debu "
             "tebal setiap hari. Atap dan jemuran warga menghitam; mohon perusahaan diwajibkan "
             "menyiram jalan.",
             "Perusahaan telah diperintahkan menyiram jalan hauling minimal empat kali sehari "
             "sejak {tanggal}; pelaksanaannya diawasi {unit}."),
    # Perhubungan
    Template("angkutan-umum", "Tidak ada angkutan umum dari Kecamatan {kec} ke Sangatta",
             "Warga Kecamatan {kec} kesulitan ke Sangatta karena tidak ada angkutan umum resmi, "
             "hanya travel tidak berizin dengan tarif mahal. Mohon dibuka trayek angkutan "
             "perdesaan.",
             "Usulan trayek angkutan perdesaan dari Kecamatan {kec} ke Sangatta telah dikaji "
             "bersama Organda dan akan dibuka melalui program angkutan perintis.", type=ASP,
             remote=True),
    Template("angkutan-umum", "Tarif travel Sangatta–Samarinda naik sepihak",
             "Tarif travel Sangatta–Samarinda naik dari Rp150.000 menjadi Rp200.000 tanpa "
             "pengumuman. Penumpang yang menolak diturunkan di jalan. Mohon penertiban tarif.",
             "{unit} telah menertibkan tarif angkutan pada {tanggal}. Penumpang dapat melapor "
             "kembali jika masih terjadi kenaikan sepihak."),
    Template("rambu-lalu-lintas", "Lampu lalu lintas mati di simpang {jalan}",
             "Lampu lalu lintas di simpang {jalan} mati sejak {lama}. Setiap jam pulang kerja "
             "terjadi kemacetan dan beberapa kali hampir terjadi tabrakan.",
             "Lampu lalu lintas di simpang {jalan} telah diperbaiki dan berfungsi normal sejak "
             "{tanggal}.", regions=SANGATTA, weight=3),
    Template("rambu-lalu-lintas", "Rambu tikungan tajam di {jalan} hilang",
             "Rambu peringatan tikungan tajam di {jalan} dekat {desa} hilang. Sudah ada dua "
             "kecelakaan tunggal bulan ini karena pengendara dari luar daerah tidak tahu ada "
             "tikungan.",
             "Rambu peringatan tikungan dan delineator telah dipasang kembali di {jalan} pada "
             "{tanggal}."),
    # Aparatur
    Template("pungli", "Dugaan pungli pengurusan surat di kantor desa",
             "Saat mengurus surat keterangan usaha di kantor {desa}, saya diminta membayar "
             "Rp200.000 oleh oknum perangkat desa tanpa kuitansi. Warga lain juga mengalami hal "
             "yang sama.",
             "Inspektorat telah memeriksa oknum yang dilaporkan dan merekomendasikan sanksi "
             "kepada kepala desa pada {tanggal}. Identitas pelapor tetap dirahasiakan.",
             sensitive=True, weight=3),
    Template("pungli", "Oknum menawarkan percepatan izin dengan imbalan",
             "Pengurusan izin usaha saya dipersulit dan seorang oknum menawarkan bantuan "
             "percepatan dengan imbalan uang Rp1.500.000. Saya keberatan karena layanan ini "
             "seharusnya gratis.",
             "Tim Saber Pungli telah memeriksa oknum yang dilaporkan dan merekomendasikan "
             "sanksi disiplin pada {tanggal}. Izin pelapor diproses sesuai standar pelayanan.",
             sensitive=True),
    Template("disiplin-asn", "Kantor Kecamatan {kec} sering kosong pada jam kerja",
             "Pada hari Senin dan Jumat kantor Kecamatan {kec} sering kosong pada jam kerja, "
             "pelayanan baru buka setelah pukul 10.00. Warga dari desa jauh terpaksa pulang "
             "tanpa dilayani.",
             "Hasil inspeksi mendadak pada {tanggal} telah disampaikan kepada Camat {kec} untuk "
             "pembinaan disiplin pegawai; jam layanan kini dipantau melalui presensi "
             "elektronik.", sensitive=True),
    # Bencana
    Template("bencana-darurat", "Banjir merendam permukiman di {desa}",
             "Sejak dini hari banjir setinggi lutut orang dewasa merendam puluhan rumah di "
             "{desa}, Kecamatan {kec}. Warga membutuhkan perahu evakuasi, makanan siap saji, dan "
             "air bersih.",
             "Tim BPBD bersama TNI/Polri dan relawan telah mengevakuasi warga {desa} dan "
             "menyalurkan logistik pada {tanggal}. Posko pengungsian dibuka di kantor desa.",
             weight=3),
    Template("bencana-darurat", "Longsor menutup sebagian {jalan}",
             "Tanah longsor menutup sebagian badan {jalan} dekat {desa}. Kendaraan hanya bisa "
             "lewat satu jalur dan tebing masih rawan longsor susulan.",
             "Material longsor di {jalan} telah dibersihkan dengan alat berat pada {tanggal} "
             "dan rambu peringatan rawan longsor telah dipasang."),
    Template("bencana-darurat", "Pohon tumbang melintang di {jalan}",
             "Pohon besar tumbang melintang di {jalan} setelah hujan angin sore tadi dan "
             "menimpa kabel listrik. Jalan tertutup total, mohon segera dievakuasi.",
             "Pohon tumbang di {jalan} telah dipotong dan dievakuasi oleh tim BPBD bersama PLN "
             "pada {tanggal}; jalan kembali dapat dilalui."),
    # Lainnya
    Template("lainnya", "Informasi bantuan modal dan pelatihan UMKM",
             "Mohon informasi apakah Pemkab Kutai Timur memiliki program bantuan modal atau "
             "pelatihan untuk UMKM, dan bagaimana cara mendaftar bagi pelaku usaha di {desa}.",
             "Pelatihan dan pendampingan UMKM diselenggarakan Dinas Koperasi dan UKM setiap "
             "triwulan; pendaftaran melalui kantor desa atau langsung ke dinas dengan membawa "
             "KTP-el dan NIB.", type=INFO, unit="kutim-diskominfo"),
    Template("lainnya", "Sinyal seluler tidak ada di {desa}",
             "{desa}, Kecamatan {kec}, belum terjangkau sinyal seluler maupun internet. Anak "
             "sekolah kesulitan mengerjakan tugas daring dan warga harus naik ke bukit untuk "
             "menelepon.",
             "Diskominfo Staper telah mengusulkan {desa} sebagai lokasi pembangunan BTS kepada "
             "BAKTI Komdigi pada {tanggal}; sementara itu akses internet desa disediakan di "
             "kantor desa.", unit="kutim-diskominfo", weight=2),
    Template("lainnya", "Usulan taman dan ruang terbuka hijau di Sangatta",
             "Sangatta membutuhkan lebih banyak taman kota dan ruang terbuka hijau yang ramah "
             "anak. Kami mengusulkan lahan kosong dekat Jalan Pendidikan dijadikan taman.",
             "Usulan taman di dekat Jalan Pendidikan telah diteruskan ke Bappeda dan Dinas "
             "Perumahan dan Kawasan Permukiman untuk dikaji dalam rencana tata ruang.",
             type=ASP, regions=("64.08.04",), unit="kutim-diskominfo", weight=1),
    # Other agencies (named by the reporter: their own hub verifies)
    Template("jalan-rusak", "Jalan provinsi di Kecamatan {kec} rusak berat",
             "Ruas jalan provinsi di {jalan} sekitar {desa} rusak berat sepanjang beberapa "
             "kilometer. Perjalanan ke Sangatta yang biasanya dua jam kini bisa lima jam. Mohon "
             "Pemprov Kaltim segera menangani.",
             "UPTD Pengelolaan Jalan dan Jembatan Provinsi telah melakukan penanganan darurat "
             "ruas {jalan} pada {tanggal}. Peningkatan jalan masuk program tahun anggaran "
             "berikutnya.", agency=KALTIM, unit="kaltim-pupr", remote=True, weight=3),
    Template("pendidikan", "SMA negeri di Kecamatan {kec} kekurangan guru",
             "SMA negeri di Kecamatan {kec} kekurangan guru matematika dan fisika sejak awal "
             "semester, sehingga jam pelajaran sering kosong. Mohon Dinas Pendidikan Provinsi "
             "menambah guru.",
             "Dua guru PPPK mata pelajaran matematika dan fisika telah ditempatkan di sekolah "
             "tersebut mulai {tanggal}.", agency=KALTIM, unit="kaltim-disdikbud", weight=2),
    Template("kesehatan", "Pengurusan STR perawat terhambat",
             "Saya perawat di {puskesmas}. Pengurusan surat tanda registrasi (STR) saya sudah "
             "{lama} tidak ada kabar di sistem, padahal STR diperlukan untuk perpanjangan SIP.",
             "STR pelapor telah diterbitkan pada {tanggal} dan dapat diunduh melalui akun SATU "
             "SEHAT SDMK. STR kini berlaku seumur hidup.", agency=KEMENKES,
             unit="kemenkes-sdmk", weight=2),
    Template("kesehatan", "Insentif tenaga kesehatan belum dibayarkan",
             "Insentif tenaga kesehatan di {puskesmas} untuk tiga bulan terakhir belum "
             "dibayarkan. Mohon informasi kapan insentif akan dicairkan.",
             "Insentif tenaga kesehatan dibayarkan melalui pemerintah daerah setelah verifikasi "
             "data; data {puskesmas} telah diverifikasi pada {tanggal} dan pembayaran diproses "
             "bulan ini.", type=INFO, agency=KEMENKES, unit="kemenkes-sdmk"),
)


# Reports archived at verification, by archive reason.
ARCHIVE_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    ArchiveReason.OUT_OF_SCOPE: (
        ("Sengketa batas tanah dengan tetangga",
         "Tetangga saya memasang pagar melewati batas tanah kami sekitar setengah meter di "
         "{desa}. Mohon pemerintah memerintahkan tetangga membongkar pagarnya."),
        ("Teman tidak mau membayar utang",
         "Teman saya meminjam uang Rp5.000.000 sejak tahun lalu dan sampai sekarang tidak mau "
         "membayar. Mohon dibantu menagih."),
        ("Gaji karyawan toko belum dibayar pemilik",
         "Saya bekerja di sebuah toko di Sangatta dan gaji dua bulan belum dibayar oleh pemilik "
         "toko. Mohon pemerintah memaksa pemilik membayar."),
    ),
    ArchiveReason.TOO_GENERAL: (
        ("Pelayanan pemerintah kurang baik",
         "Pelayanan publik di Kutai Timur masih kurang baik, mohon diperbaiki semuanya."),
        ("Tolong perhatikan rakyat kecil",
         "Mohon pemerintah lebih memperhatikan nasib rakyat kecil di daerah ini."),
    ),
    ArchiveReason.SPAM: (
        ("Tes aplikasi LAPOR", "Tes tes, hanya mencoba aplikasi. Abaikan saja pesan ini."),
        ("Pinjaman cepat cair tanpa jaminan",
         "Butuh dana cepat? Pinjaman tanpa jaminan cair 10 menit, hubungi admin kami sekarang "
         "juga!!!"),
    ),
    ArchiveReason.ABUSIVE: (
        ("Pejabat tidak becus semua",
         "Kalian semua pejabat tidak becus dan tidak punya otak, percuma rakyat bayar pajak!! "
         "Urus saja kantong sendiri."),
    ),
    ArchiveReason.INCOMPLETE: (
        ("Jalan rusak parah", "Jalannya rusak parah, tolong diperbaiki secepatnya."),
        ("Bantuan belum cair", "Bantuan saya belum cair sampai sekarang, mohon dibantu."),
        ("Pelayanan lambat sekali", "Pelayanannya lambat sekali, tolong ditegur petugasnya."),
    ),
}

ARCHIVE_NOTES: dict[str, str] = {
    ArchiveReason.OUT_OF_SCOPE: (
        "Laporan ini merupakan sengketa perdata antarwarga dan bukan kewenangan pelayanan "
        "publik. Silakan menempuh musyawarah di tingkat desa atau jalur hukum."),
    ArchiveReason.TOO_GENERAL: (
        "Laporan terlalu umum: tidak menyebutkan layanan, lokasi, maupun waktu kejadian. "
        "Silakan kirim laporan baru dengan rincian yang jelas."),
    ArchiveReason.SPAM: "Laporan tidak berisi pengaduan, aspirasi, atau permintaan informasi.",
    ArchiveReason.ABUSIVE: (
        "Laporan mengandung kata-kata kasar. Silakan sampaikan kembali dengan bahasa yang "
        "santun disertai rincian permasalahan."),
    ArchiveReason.DUPLICATE: "Laporan yang sama sudah diterima dan sedang ditangani.",
}

# ---------------------------------------------------------------- staff and reporter texts

# "Tunda" questions and the reporter's answer: about the location when the text names a road,
# about the history for other complaints, about the reporter's village otherwise.
HOLD_LOCATION = (
    "Mohon lengkapi lokasi persis (nama jalan, RT, dan patokan) agar laporan dapat kami "
    "teruskan ke perangkat daerah yang berwenang.",
    "Lokasinya di {jalan} {rt}, {patokan}, {desa}.")
HOLD_HISTORY = (
    "Sejak kapan masalah ini terjadi, dan apakah sudah pernah disampaikan ke desa atau "
    "kecamatan?",
    "Sejak {lama} yang lalu. Sudah pernah disampaikan ke kepala desa tetapi belum ada tindak "
    "lanjut.")
HOLD_ADDRESS = (
    "Mohon lengkapi desa/kelurahan tempat tinggal Anda agar dapat kami teruskan ke perangkat "
    "daerah yang tepat.",
    "Saya tinggal di {desa} {rt}, Kecamatan {kec}.")
# Questions to reports archived as incomplete (no answer came), by report title.
INCOMPLETE_QUESTIONS: dict[str, str] = {
    "Jalan rusak parah": "Mohon sebutkan lokasi jalan (nama jalan, desa/kelurahan, kecamatan) "
                         "dan sejak kapan kerusakan terjadi.",
    "Bantuan belum cair": "Bantuan apa yang Anda maksud, dari instansi mana, dan kapan "
                          "diajukan?",
    "Pelayanan lambat sekali": "Layanan apa dan di kantor mana yang Anda maksud, serta kapan "
                               "kejadiannya?",
}
DISPOSE_NOTES: tuple[str, ...] = (
    "Mohon ditindaklanjuti sesuai kewenangan.",
    "Diteruskan sesuai SOP pengelolaan pengaduan Kabupaten Kutai Timur.",
    "Mohon koordinasi dengan pemerintah desa dan kecamatan setempat.",
    "Mohon segera ditinjau ke lokasi dan hasilnya disampaikan kepada pelapor.",
)
NATIONAL_NOTES: dict[str, str] = {
    KUTIM: "Diteruskan ke Pemerintah Kabupaten Kutai Timur sesuai lokasi kejadian.",
    KALTIM: "Diteruskan ke Pemerintah Provinsi Kalimantan Timur sesuai kewenangan.",
    KEMENKES: "Diteruskan ke Kementerian Kesehatan sesuai kewenangan.",
}
FORWARD_NOTE = "Mohon {unit} menindaklanjuti laporan ini."
PRIVACY_NOTE = (
    "Laporan menyebut nama pihak terlapor; ditandai rahasia pada verifikasi untuk melindungi "
    "pelapor.")

# A unit that may wrongly receive a report of the category, and its "bukan wewenang" reason.
MISROUTES: dict[str, tuple[str, str]] = {
    "lampu-jalan": ("kutim-pupr", "Penerangan jalan umum dikelola Dinas Perhubungan, bukan "
                                  "kewenangan Dinas PUPR."),
    "sampah": ("kutim-pupr", "Pengangkutan sampah merupakan kewenangan Dinas Lingkungan Hidup "
                             "atau kecamatan, bukan Dinas PUPR."),
    "rambu-lalu-lintas": ("kutim-pupr", "Rambu dan lampu lalu lintas kewenangan Dinas "
                                        "Perhubungan."),
    "drainase-banjir": ("kutim-dlh", "Drainase jalan merupakan kewenangan Dinas PUPR Bidang "
                                     "Sumber Daya Air, bukan DLH."),
    "bpjs-kesehatan": ("kutim-rsud", "Kepesertaan BPJS PBI diurus Dinas Kesehatan bersama "
                                     "Dinas Sosial, bukan RSUD."),
    "pencemaran": ("kutim-dinkes", "Pengawasan limbah perusahaan kewenangan Dinas Lingkungan "
                                   "Hidup."),
    "jalan-rusak": ("kutim-dishub", "Perbaikan jalan kewenangan Dinas PUPR Bidang Bina Marga, "
                                    "bukan Dinas Perhubungan."),
}

ACKNOWLEDGE_NOTES: tuple[str, ...] = (
    "Laporan diterima, sedang dijadwalkan peninjauan lapangan.",
    "Sudah dikoordinasikan dengan petugas lapangan.",
)

# Progress updates (non-final follow-ups) by category; aspirations and information requests
# use their own. Final answers come from the template, else from FINAL_ANSWERS.
PROGRESS: dict[str, tuple[str, ...]] = {
    "jalan-rusak": (
        "Tim {unit} telah meninjau lokasi di {jalan}. Volume kerusakan sedang dihitung untuk "
        "penanganan pemeliharaan rutin.",
        "Penanganan sementara berupa penimbunan batu telah dilakukan; perbaikan permanen "
        "menunggu material aspal tiba."),
    "jembatan": ("Tim {unit} telah meninjau jembatan dan menghitung kebutuhan material "
                 "perbaikan.",),
    "drainase-banjir": ("Tim {unit} menjadwalkan pengerukan saluran bersama warga dan "
                        "pemerintah desa.",),
    "lampu-jalan": ("Petugas {unit} telah memeriksa lokasi dan menjadwalkan perbaikan jaringan "
                    "penerangan.",),
    "pelayanan-puskesmas": ("{unit} telah meminta klarifikasi kepala puskesmas terkait keluhan "
                            "ini.",),
    "bpjs-kesehatan": ("Data kepesertaan pelapor sedang diverifikasi bersama Dinas Sosial dan "
                       "BPJS Kesehatan.",),
    "pelayanan-rsud": ("Manajemen {unit} telah memanggil petugas terkait untuk klarifikasi.",),
    "sekolah-rusak": ("Tim {unit} telah meninjau sekolah dan menghitung kebutuhan perbaikan.",),
    "ppdb": ("Panitia SPMB sedang memeriksa ulang data jarak domisili calon murid.",),
    "pungutan-sekolah": ("{unit} telah memanggil kepala sekolah untuk klarifikasi.",),
    "ktp-el": ("Data perekaman pelapor sudah ditemukan dan masuk antrean cetak.",),
    "akta-kelahiran": ("Berkas pelapor sedang diverifikasi petugas pencatatan sipil.",),
    "kartu-keluarga": ("Permohonan perbaikan data sedang diproses.",),
    "sampah": ("Petugas kebersihan telah dijadwalkan untuk pengangkutan tambahan.",),
    "pencemaran": ("Tim {unit} telah mengambil sampel untuk diuji di laboratorium.",),
    "angkutan-umum": ("{unit} sedang berkoordinasi dengan Organda dan pengusaha angkutan.",),
    "rambu-lalu-lintas": ("Petugas {unit} telah memeriksa lokasi dan memesan suku cadang.",),
    "pungli": ("Laporan sedang ditelaah tim Saber Pungli untuk pemeriksaan lebih lanjut.",),
    "disiplin-asn": ("Inspektorat telah menjadwalkan inspeksi mendadak ke kantor yang "
                     "dilaporkan.",),
    "bencana-darurat": ("Tim reaksi cepat {unit} telah diberangkatkan ke lokasi.",),
    "lainnya": ("Laporan sedang dikoordinasikan dengan perangkat daerah terkait.",),
    "pendidikan": ("Permasalahan sedang dikoordinasikan dengan cabang dinas pendidikan "
                   "wilayah.",),
    "kesehatan": ("Permohonan pelapor sedang diverifikasi pada sistem.",),
}
PROGRESS_BY_TYPE: dict[str, tuple[str, ...]] = {
    ReportType.ASPIRATION: ("Usulan pelapor telah dicatat dan akan dibahas dalam penyusunan "
                            "rencana kerja {unit}.",),
    ReportType.INFORMATION_REQUEST: ("Permintaan informasi sedang disiapkan oleh {unit}.",),
}
FINAL_ANSWERS: dict[str, str] = {
    "drainase-banjir": ("Pada {tanggal} saluran drainase di lokasi telah dikeruk dan "
                        "gorong-gorong dibersihkan dari sedimen. Air sudah mengalir normal."),
}
FINAL_ANSWER = ("Laporan telah ditindaklanjuti oleh {unit} pada {tanggal}. Terima kasih atas "
                "partisipasi Anda.")

ACCEPT_COMMENTS: dict[int, tuple[str, ...]] = {
    5: ("Terima kasih, sudah ditangani dengan cepat dan baik.",
        "Alhamdulillah sudah beres. Respons petugas sangat cepat."),
    4: ("Sudah ditangani, terima kasih. Semoga dipelihara terus.",
        "Terima kasih atas tindak lanjutnya."),
    3: ("Sudah ada tindakan walaupun agak lama.",),
    2: ("Ditindaklanjuti tetapi hasilnya belum maksimal.",),
    1: ("Saya terima saja, tetapi penanganannya sangat lambat.",),
}
RATINGS: tuple[tuple[int, int], ...] = ((5, 42), (4, 30), (3, 14), (2, 8), (1, 6))
REOPEN_COMMENTS: dict[str, tuple[str, ...]] = {
    ReportType.COMPLAINT: (
        "Belum selesai, kondisinya masih sama seperti sebelumnya.",
        "Petugas belum pernah datang ke lokasi, mohon dicek ulang.",
        "Hanya sebagian yang ditangani, masalah utamanya belum selesai.",
    ),
    ReportType.ASPIRATION: ("Mohon kepastian waktu pelaksanaannya, bukan hanya dicatat.",),
    ReportType.INFORMATION_REQUEST: (
        "Jawabannya belum menjawab pertanyaan saya, mohon dijelaskan lebih rinci.",),
}
CLOSE_REASONS: tuple[str, ...] = (
    "Permasalahan telah diselesaikan melalui mediasi di kantor kecamatan; pelapor menyatakan "
    "puas melalui telepon.",
    "Hasil verifikasi lapangan menunjukkan permasalahan sudah tertangani; pelapor tidak dapat "
    "dihubungi.",
)
# Reminders the hub writes on overdue reports (instructions relayed from the leadership).
SUPERVISOR_NOTES: tuple[str, ...] = (
    "Mohon {unit} segera menindaklanjuti; laporan ini sudah melewati batas waktu SOP.",
    "Agar dilaporkan perkembangannya pada rapat evaluasi pengaduan minggu ini.",
)
HUB_NOTES: tuple[str, ...] = (
    "Sudah dikonfirmasi ke {unit} melalui telepon.",
    "Pelapor menghubungi call center menanyakan perkembangan laporan.",
)
