"""The SOP document of an agency, built from its live settings (docs/sop-document.md).

:func:`sop_document` reads the agency's SOP row, days off, routing rules, escalation chain, units,
roles and categories and returns plain dataclasses; nothing is written. The procedure rows come
from :data:`lapor.reports.states.TRANSITIONS`: every action that moves a report through the
lifecycle is covered by a row, and rows whose action the agency's settings make impossible (no
forwarding without units below the agency, no supervision row without a supervisor or an
escalation chain) are left out. Everything version-specific (number, dates, approving official)
lives on :class:`lapor.sopdoc.models.SopVersion`, so approving never changes the content hash.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lapor.categories.models import Category
from lapor.orgs.models import (
    DayOff,
    EscalationStep,
    NodeKind,
    OrgNode,
    Role,
    RoleAssignment,
    RoutingRule,
)
from lapor.orgs.selectors import sop_for
from lapor.reports.states import TRANSITIONS, Action

TITLE = "SOP Pengelolaan Pengaduan Pelayanan Publik melalui SP4N-LAPOR!"

# Only what could be checked is cited by number (docs/sop-document.md "Legal references").
LEGAL_BASIS = (
    "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
    "Peraturan Presiden Nomor 76 Tahun 2013 tentang Pengelolaan Pengaduan Pelayanan Publik",
)

# Actions that are not steps of the procedure: notes, messages, privacy flags and public
# support happen alongside any step; un-archiving belongs to the higher (national) tier.
NON_PROCEDURAL = frozenset({Action.NOTE, Action.REPORTER_MESSAGE, Action.SET_PRIVACY,
                            Action.SUPPORT, Action.UNARCHIVE})

TERMINATOR, PROCESS, DECISION = "terminator", "process", "decision"


@dataclass(frozen=True)
class Lane:
    key: str
    label: str


@dataclass(frozen=True)
class Edge:
    target: str  # key of the row the connector leads to
    label: str = ""  # "Ya" / "Tidak" on decision branches


@dataclass(frozen=True)
class Step:
    key: str
    lane: str
    symbol: str  # TERMINATOR, PROCESS or DECISION
    activity: str
    requirements: str
    time: str
    output: str
    note: str
    actions: tuple[str, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class Identity:
    agency_name: str
    agency_code: str
    title: str
    legal_basis: tuple[str, ...]
    qualifications: tuple[str, ...]
    related_sops: tuple[str, ...]
    equipment: tuple[str, ...]
    warnings: tuple[str, ...]
    records: tuple[str, ...]
    timezone: str
    days_off: tuple[str, ...]


@dataclass(frozen=True)
class SopDocument:
    identity: Identity
    lanes: tuple[Lane, ...]
    steps: tuple[Step, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def step_number(self, key: str) -> int:
        return next(i for i, s in enumerate(self.steps, start=1) if s.key == key)


def document_from_json(content: dict[str, Any]) -> SopDocument:
    """The inverse of :meth:`SopDocument.as_json` (for a stored version's snapshot)."""
    ident = content["identity"]
    identity = Identity(**{k: tuple(v) if isinstance(v, list) else v  # type: ignore[arg-type]
                           for k, v in ident.items()})  # (JSON lists back to tuples)
    lanes = tuple(Lane(**lane) for lane in content["lanes"])
    steps = tuple(
        Step(**{**s, "actions": tuple(s["actions"]),
                "edges": tuple(Edge(**e) for e in s["edges"])})
        for s in content["steps"]
    )
    return SopDocument(identity=identity, lanes=lanes, steps=steps)


def _hk(days: int) -> str:
    return f"{days} HK"


def _names(nodes: list[OrgNode], limit: int = 3) -> str:
    names = list(dict.fromkeys(n.name for n in nodes))
    return ", ".join(names[:limit]) + (", dst." if len(names) > limit else "")


def _lanes(agency: OrgNode, *, units: bool, supervision: bool) -> tuple[Lane, ...]:
    verifier = ("Verifikator instansi (admin koordinator)" if agency.is_hub
                else "Verifikator nasional")
    lanes = [Lane("reporter", "Pelapor"), Lane("verifier", verifier)]
    if units:
        lanes.append(Lane("liaison", "Admin penghubung OPD"))
    lanes.append(Lane("officer", "Petugas unit"))
    if supervision:
        lanes.append(Lane("supervisor", "Pimpinan"))
    lanes.append(Lane("system", "Sistem"))
    return tuple(lanes)


def _incoming(agency: OrgNode, *, receives_region_reports: bool) -> str:
    """Which reports the verifiers receive: the SOP's region routing setting, in words."""
    if agency.kind == NodeKind.ROOT:
        return ("Laporan masuk tanpa instansi tujuan yang tidak diterima hub wilayahnya, dan "
                "laporan kepada instansi tanpa verifikator.")
    if not agency.is_hub:
        return "Laporan masuk."
    if receives_region_reports and agency.region is not None:
        return ("Laporan yang ditujukan kepada instansi, serta laporan tanpa instansi tujuan "
                f"tentang wilayah {agency.region.name} dari semua kanal.")
    return ("Laporan yang ditujukan kepada instansi; laporan tanpa instansi tujuan tentang "
            "wilayahnya diterima hub provinsi atau verifikator nasional.")


def sop_document(agency: OrgNode) -> SopDocument:
    """Build the SOP document of ``agency`` (an agency or the national root) from its settings."""
    sop = sop_for(agency)
    subtree = OrgNode.objects.filter(path__startswith=agency.path, is_active=True)
    units = list(subtree.filter(kind=NodeKind.UNIT).order_by("name"))
    chain = [s.node for s in EscalationStep.objects.filter(agency=agency)
             .select_related("node").order_by("order")]
    supervised = RoleAssignment.objects.filter(
        node__path__startswith=agency.path, role=Role.SUPERVISOR).exists()
    supervision = bool(chain) or supervised
    rules = list(RoutingRule.objects.filter(agency=agency).select_related("target"))
    tiers = sorted(set(Category.objects.filter(is_active=True)
                       .values_list("resolution_days", flat=True))) or [14]
    days_off = tuple(f"{d.date:%d-%m-%Y}: {d.reason}"
                     for d in DayOff.objects.filter(node=agency).order_by("date"))
    handler = "liaison" if units else "officer"
    keyword = f"; SMS 1708 dengan kata kunci {sop.sms_keyword}" if sop.sms_keyword else ""
    routing = (f"{len(rules)} aturan penerusan, a.l. ke {_names([r.target for r in rules])}."
               if rules else "Tujuan disposisi ditetapkan verifikator.")
    escalation = ("Rantai eskalasi: " + " → ".join(n.name for n in chain) + "."
                  if chain else "Eskalasi kepada pimpinan unit.")
    resolution = "/".join(str(t) for t in tiers)
    incoming = _incoming(agency, receives_region_reports=sop.receives_region_reports)
    # Only a hub's verifiers pass a report up (lapor.reports.services.report_pass_up).
    passes_up = agency.kind != NodeKind.ROOT and agency.is_hub

    def step(  # noqa: PLR0917  (one procedure row: positional reads like the table)
            key: str, lane: str, symbol: str, activity: str, requirements: str, time: str,
            output: str, note: str, actions: tuple[Action, ...], *edges: Edge) -> Step:
        return Step(key, lane, symbol, activity, requirements, time, output, note,
                    tuple(str(a) for a in actions), edges)

    rows = [
        step("submit", "reporter", TERMINATOR,
             "Menyampaikan laporan melalui kanal SP4N-LAPOR! (situs, aplikasi, surel, "
             f"media sosial{keyword}).",
             "Uraian, lokasi dan waktu kejadian; lampiran bila ada.", "-",
             "Laporan tercatat dengan nomor pelacakan.",
             "Pelapor dapat memilih anonim atau rahasia.", (), Edge("verify")),
        step("verify", "verifier", DECISION,
             "Memverifikasi laporan: termasuk pelayanan publik dan layak ditindaklanjuti?",
             incoming, _hk(sop.verify_days), "Laporan terverifikasi.",
             "Verifikator dapat menetapkan anonim/rahasia.", (),
             Edge("complete", "Ya"), Edge("archive", "Tidak")),
        step("complete", "verifier", DECISION, "Informasi laporan sudah lengkap?",
             "Laporan terverifikasi.", "-", "Keputusan kelengkapan.", "", (),
             Edge("dispose", "Ya"), Edge("hold", "Tidak")),
        step("hold", "verifier", PROCESS,
             "Menunda laporan dan meminta informasi tambahan kepada pelapor.",
             "Daftar informasi yang kurang.", "-", "Permintaan informasi.",
             "Waktu verifikasi berhenti selama ditunda.", (Action.HOLD,), Edge("provide_info")),
        step("provide_info", "reporter", DECISION, "Pelapor melengkapi informasi?",
             "Permintaan informasi.", _hk(sop.hold_days), "Informasi tambahan.", "",
             (Action.PROVIDE_INFO,), Edge("complete", "Ya"), Edge("auto_archive", "Tidak")),
        step("auto_archive", "system", TERMINATOR,
             "Mengarsipkan laporan secara otomatis sebagai tidak lengkap.",
             "Batas waktu tunda terlewati.", "-", "Laporan diarsipkan.", "",
             (Action.AUTO_ARCHIVE,)),
        step("archive", "verifier", TERMINATOR,
             "Mengarsipkan laporan dengan alasan dari daftar baku" + (
                 "; laporan tanpa instansi tujuan di luar kewenangan instansi diteruskan ke "
                 "tingkat verifikasi di atasnya (hub provinsi atau verifikator nasional)."
                 if passes_up else "."),
             "Alasan: di luar kewenangan, terlalu umum, duplikat, spam, SARA, tidak lengkap.",
             "-", "Laporan diarsipkan dan pelapor diberi tahu.",
             "Pembukaan kembali hanya oleh verifikator tingkat lebih tinggi.",
             (Action.ARCHIVE, *((Action.PASS_UP,) if passes_up else ()))),
        step("dispose", "verifier", PROCESS,
             "Mendisposisikan laporan kepada perangkat daerah yang berwenang.",
             "Laporan lengkap dan terverifikasi.", _hk(sop.verify_days),
             "Disposisi dengan batas waktu.", routing, (Action.DISPOSE,), Edge("authority")),
        step("authority", handler, DECISION,
             "Laporan menjadi kewenangan unit penerima?", "Disposisi.", "-",
             "Keputusan kewenangan.", "", (), Edge("forward" if units else "acknowledge", "Ya"),
             Edge("return", "Tidak")),
        step("return", handler, PROCESS,
             "Mengembalikan laporan sebagai bukan wewenang, dengan alasan.",
             "Alasan bukan wewenang.", "-", "Laporan kembali ke pendisposisi.",
             "Setiap perpindahan tercatat.",
             (Action.RETURN_TO_VERIFIER, *((Action.RETURN_TO_FORWARDER,) if units else ())),
             Edge("dispose")),
        step("forward", "liaison", PROCESS,
             "Meneruskan laporan kepada unit kerja pelaksana di bawahnya.",
             "Disposisi.", "-", "Disposisi lanjutan.",
             f"{len(units)} unit kerja di bawah instansi." if units else "", (Action.FORWARD,),
             Edge("acknowledge")),
        step("acknowledge", "officer", PROCESS,
             "Menerima laporan dan menyampaikan tindak lanjut awal.",
             "Disposisi; data pendukung.", _hk(sop.first_followup_days),
             "Tindak lanjut awal.", "Dihitung sejak disposisi.",
             (Action.ACKNOWLEDGE, Action.FOLLOW_UP),
             Edge("supervise" if supervision else "respond")),
        step("supervise", "supervisor", PROCESS,
             "Memantau penyelesaian; menerima eskalasi laporan yang melewati batas waktu.",
             "Daftar laporan terlambat.", _hk(sop.escalate_after_days),
             "Arahan penyelesaian.", escalation, (), Edge("respond")),
        step("respond", "officer", PROCESS,
             "Menyampaikan tindak lanjut akhir kepada pelapor.",
             "Hasil penanganan; bukti pendukung.", f"{resolution} HK",
             "Tindak lanjut akhir.", "Sesuai tingkat kategori laporan.",
             (Action.RESPOND,), Edge("reply")),
        step("reply", "reporter", DECISION, "Pelapor menerima tindak lanjut?",
             "Tindak lanjut akhir.", _hk(sop.reply_window_days), "Tanggapan dan nilai 1–5.",
             "Tidak puas: dibuka kembali dengan batas waktu baru.",
             (Action.ACCEPT, Action.REOPEN), Edge("close", "Ya"), Edge("respond", "Tidak")),
        step("close", "system", TERMINATOR, "Laporan selesai.",
             "Diterima pelapor atau tanpa tanggapan.", "-", "Laporan berstatus Selesai.",
             f"Ditutup otomatis setelah {_hk(sop.reply_window_days)} tanpa tanggapan; "
             "verifikator dapat menutup dengan alasan.", (Action.AUTO_CLOSE, Action.CLOSE)),
    ]
    if not units:
        rows = [r for r in rows if r.key != "forward"]
    if not supervision:
        rows = [r for r in rows if r.key != "supervise"]
    lanes = _lanes(agency, units=bool(units), supervision=supervision)
    identity = Identity(
        agency_name=agency.name, agency_code=agency.code, title=TITLE, legal_basis=LEGAL_BASIS,
        qualifications=(
            "Memahami alur SP4N-LAPOR! dan ketentuan pelayanan publik.",
            "Mampu mengoperasikan aplikasi pengelolaan pengaduan.",
            "Menjaga kerahasiaan identitas pelapor.",
        ),
        related_sops=("SOP Pelayanan Informasi Publik (PPID).",
                      "SOP pelayanan pada masing-masing perangkat daerah."),
        equipment=("Komputer atau telepon pintar dengan akses internet.",
                   "Akun petugas dengan autentikasi dua faktor.", "Aplikasi Lapor."),
        warnings=(
            "Batas waktu dihitung dalam hari kerja (HK) zona waktu "
            f"{sop.timezone}; hari libur nasional, cuti bersama dan hari libur daerah "
            "tidak dihitung.",
            "Identitas pelapor anonim tidak boleh diungkap tanpa izin dan alasan tertulis.",
            "Laporan yang melewati batas waktu dieskalasikan dan ditandai merah.",
        ),
        records=("Laporan dan seluruh riwayatnya.", "Disposisi dan tindak lanjut.",
                 "Log audit.", "Tanggapan dan penilaian pelapor."),
        timezone=sop.timezone, days_off=days_off,
    )
    return SopDocument(identity=identity, lanes=lanes, steps=tuple(rows))


def procedural_actions(document: SopDocument) -> set[str]:
    return {a for s in document.steps for a in s.actions}


def allowed_actions(*, units: bool, hub: bool = True) -> set[str]:
    """The lifecycle actions an agency's procedure must cover (tests compare with the rows):
    without units nothing is forwarded, and only a hub (not the national root) passes a
    report up."""
    actions = {str(a) for a in TRANSITIONS if a not in NON_PROCEDURAL}
    if not units:
        actions -= {Action.FORWARD, Action.RETURN_TO_FORWARDER}
    if not hub:
        actions -= {Action.PASS_UP}
    return actions
