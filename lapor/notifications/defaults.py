"""Shipped wording of every message (Bahasa Indonesia first, English), and the variables each
message may use. An agency (or the national root) overrides a message with a
:class:`~lapor.notifications.models.MessageTemplate` row; the allow-list is checked on save.

Templates use ``string.Template`` syntax (``$tracking_number`` or ``${tracking_number}``) and
are rendered with :meth:`string.Template.substitute` over a dict built for the message: there is
no attribute access, no filter, no code. No context carries a reporter's name, e-mail, phone
or NIK: the variables below are all there is (docs/notifications.md "Templates").
"""

from __future__ import annotations

# Report facts that every report message may show (to staff and to the reporter).
_REPORT = ("tracking_number", "title", "status", "agency", "unit", "track_url")
# Facts only staff messages carry.
_STAFF = (*_REPORT, "report_url", "due_date", "message")
# A Renaksi activity's reminder (no report).
_RENAKSI = ("activity", "plan", "agency", "units", "planned_end", "days")

VARIABLES: dict[str, tuple[str, ...]] = {
    "reporter.submitted": (*_REPORT, "due_date"),
    "reporter.hold": (*_REPORT, "message", "due_date"),
    "reporter.archived": (*_REPORT, "reason"),
    "reporter.disposed": (*_REPORT, "due_date"),
    "reporter.in_progress": _REPORT,
    "reporter.follow_up": (*_REPORT, "message"),
    "reporter.responded": (*_REPORT, "message", "due_date"),
    "reporter.closed": _REPORT,
    "staff.assigned": _STAFF,
    "staff.returned": _STAFF,
    "staff.passed_up": _STAFF,
    "staff.info_provided": _STAFF,
    "staff.reporter_reply": _STAFF,
    "staff.reporter_message": _STAFF,
    "staff.reminder": (*_STAFF, "deadline"),
    "staff.due_today": (*_STAFF, "deadline"),
    "staff.overdue": (*_STAFF, "deadline", "days_overdue"),
    "staff.escalation": (*_STAFF, "deadline", "days_overdue", "level"),
    "staff.hold_expired": (*_STAFF, "deadline"),
    "staff.digest": ("officer", "date", "due_count", "overdue_count", "items"),
    # Renaksi activities (lapor.renaksi.reminders): ``days`` is working days left / overdue.
    "staff.renaksi_due_soon": _RENAKSI,
    "staff.renaksi_overdue": _RENAKSI,
}

_FOOT_ID = "\n\nPantau laporan: $track_url\n-- LAPOR! (SP4N-LAPOR!)"
_FOOT_EN = "\n\nFollow the report: $track_url\n-- LAPOR! (SP4N-LAPOR!)"
_STAFF_ID = "\n\nBuka laporan: $report_url"
_STAFF_EN = "\n\nOpen the report: $report_url"

# event -> language -> (subject, body)
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "reporter.submitted": {
        "id": ("Laporan #$tracking_number diterima",
               "Laporan Anda \"$title\" telah kami terima dengan nomor #$tracking_number. "
               "Laporan akan diverifikasi paling lambat $due_date." + _FOOT_ID),
        "en": ("Report #$tracking_number received",
               "We received your report \"$title\" as #$tracking_number. It will be "
               "verified by $due_date." + _FOOT_EN),
    },
    "reporter.hold": {
        "id": ("Laporan #$tracking_number: informasi tambahan diperlukan",
               "Petugas meminta informasi tambahan:\n\n$message\n\nMohon jawab sebelum "
               "$due_date; tanpa jawaban laporan akan diarsipkan." + _FOOT_ID),
        "en": ("Report #$tracking_number: more information needed",
               "The verifier asks:\n\n$message\n\nPlease answer before $due_date; without "
               "an answer the report will be archived." + _FOOT_EN),
    },
    "reporter.archived": {
        "id": ("Laporan #$tracking_number diarsipkan",
               "Laporan Anda diarsipkan (alasan: $reason)." + _FOOT_ID),
        "en": ("Report #$tracking_number archived",
               "Your report was archived (reason: $reason)." + _FOOT_EN),
    },
    "reporter.disposed": {
        "id": ("Laporan #$tracking_number diteruskan ke $agency",
               "Laporan Anda telah diverifikasi dan diteruskan ke $unit ($agency). "
               "Tindak lanjut pertama paling lambat $due_date." + _FOOT_ID),
        "en": ("Report #$tracking_number sent to $agency",
               "Your report was verified and sent to $unit ($agency). First follow-up due "
               "by $due_date." + _FOOT_EN),
    },
    "reporter.in_progress": {
        "id": ("Laporan #$tracking_number sedang diproses",
               "$unit sedang memproses laporan Anda." + _FOOT_ID),
        "en": ("Report #$tracking_number in progress",
               "$unit is working on your report." + _FOOT_EN),
    },
    "reporter.follow_up": {
        "id": ("Tindak lanjut laporan #$tracking_number",
               "$unit menulis:\n\n$message" + _FOOT_ID),
        "en": ("Follow-up on report #$tracking_number",
               "$unit wrote:\n\n$message" + _FOOT_EN),
    },
    "reporter.responded": {
        "id": ("Laporan #$tracking_number telah ditindaklanjuti",
               "$unit menulis:\n\n$message\n\nAnda dapat menerima atau menanggapi jawaban ini "
               "sampai $due_date; setelah itu laporan ditutup." + _FOOT_ID),
        "en": ("Report #$tracking_number answered",
               "$unit wrote:\n\n$message\n\nYou may accept or answer until $due_date; the "
               "report is closed after that." + _FOOT_EN),
    },
    "reporter.closed": {
        "id": ("Laporan #$tracking_number selesai",
               "Laporan Anda telah ditutup. Terima kasih telah melapor." + _FOOT_ID),
        "en": ("Report #$tracking_number closed",
               "Your report is closed. Thank you for reporting." + _FOOT_EN),
    },
    "staff.assigned": {
        "id": ("Disposisi baru: #$tracking_number",
               "Laporan \"$title\" didisposisikan ke $unit. Tindak lanjut paling lambat "
               "$due_date.\n\n$message" + _STAFF_ID),
        "en": ("New assignment: #$tracking_number",
               "Report \"$title\" was assigned to $unit. Follow-up due by $due_date."
               "\n\n$message" + _STAFF_EN),
    },
    "staff.returned": {
        "id": ("Laporan #$tracking_number dikembalikan (bukan wewenang)",
               "Laporan \"$title\" dikembalikan ke $unit dengan alasan:\n\n$message" + _STAFF_ID),
        "en": ("Report #$tracking_number handed back (not our authority)",
               "Report \"$title\" was handed back to $unit:\n\n$message" + _STAFF_EN),
    },
    "staff.passed_up": {
        "id": ("Laporan diteruskan dari tingkat bawah: #$tracking_number",
               "Laporan \"$title\" diteruskan ke $unit untuk diverifikasi. Verifikasi paling "
               "lambat $due_date.\n\n$message" + _STAFF_ID),
        "en": ("Report passed up to you: #$tracking_number",
               "Report \"$title\" was passed up to $unit for verification. Verify by "
               "$due_date.\n\n$message" + _STAFF_EN),
    },
    "staff.info_provided": {
        "id": ("Pelapor menjawab: #$tracking_number",
               "Pelapor memberi informasi tambahan untuk \"$title\":\n\n$message" + _STAFF_ID),
        "en": ("The reporter answered: #$tracking_number",
               "The reporter added information to \"$title\":\n\n$message" + _STAFF_EN),
    },
    "staff.reporter_reply": {
        "id": ("Pelapor belum puas: #$tracking_number dibuka kembali",
               "Pelapor menanggapi \"$title\":\n\n$message\n\nBatas penyelesaian baru: "
               "$due_date." + _STAFF_ID),
        "en": ("Reporter not satisfied: #$tracking_number reopened",
               "The reporter answered \"$title\":\n\n$message\n\nNew resolution deadline: "
               "$due_date." + _STAFF_EN),
    },
    "staff.reporter_message": {
        "id": ("Pesan pelapor: #$tracking_number",
               "Pesan baru untuk \"$title\":\n\n$message" + _STAFF_ID),
        "en": ("Message from the reporter: #$tracking_number",
               "New message on \"$title\":\n\n$message" + _STAFF_EN),
    },
    "staff.reminder": {
        "id": ("Pengingat: #$tracking_number jatuh tempo $deadline",
               "Batas waktu ($deadline) laporan \"$title\" di $unit tinggal satu hari "
               "kerja." + _STAFF_ID),
        "en": ("Reminder: #$tracking_number due $deadline",
               "One working day left before the deadline ($deadline) of \"$title\" at "
               "$unit." + _STAFF_EN),
    },
    "staff.due_today": {
        "id": ("Jatuh tempo hari ini: #$tracking_number",
               "Batas waktu laporan \"$title\" di $unit adalah hari ini ($deadline)."
               + _STAFF_ID),
        "en": ("Due today: #$tracking_number",
               "The deadline of \"$title\" at $unit is today ($deadline)." + _STAFF_EN),
    },
    "staff.hold_expired": {
        "id": ("Tunda berakhir: #$tracking_number",
               "Pelapor tidak menjawab pertanyaan untuk laporan \"$title\" sampai $deadline; "
               "laporan diarsipkan sebagai tidak lengkap." + _STAFF_ID),
        "en": ("Hold expired: #$tracking_number",
               "The reporter did not answer the question about \"$title\" by $deadline; "
               "the report was archived as incomplete." + _STAFF_EN),
    },
    "staff.overdue": {
        "id": ("Terlambat: #$tracking_number",
               "Laporan \"$title\" di $unit melewati batas waktu $deadline "
               "($days_overdue hari kerja)." + _STAFF_ID),
        "en": ("Overdue: #$tracking_number",
               "Report \"$title\" at $unit passed its deadline $deadline ($days_overdue "
               "working days)." + _STAFF_EN),
    },
    "staff.escalation": {
        "id": ("Eskalasi tingkat $level: #$tracking_number",
               "Laporan \"$title\" di $unit terlambat $days_overdue hari kerja sejak "
               "$deadline dan dieskalasikan kepada Anda (tingkat $level)." + _STAFF_ID),
        "en": ("Escalation level $level: #$tracking_number",
               "Report \"$title\" at $unit is $days_overdue working days past $deadline and "
               "is escalated to you (level $level)." + _STAFF_EN),
    },
    "staff.digest": {
        "id": ("Ringkasan harian $date: $overdue_count terlambat, $due_count jatuh tempo",
               "Halo $officer,\n\nLaporan yang perlu Anda tangani:\n\n$items"),
        "en": ("Daily digest $date: $overdue_count overdue, $due_count due",
               "Hello $officer,\n\nReports that need you:\n\n$items"),
    },
    "staff.renaksi_due_soon": {
        "id": ("Renaksi: \"$activity\" jatuh tempo $planned_end",
               "Kegiatan \"$activity\" ($units) dalam $plan, $agency, direncanakan selesai "
               "$planned_end ($days hari kerja lagi). Catat kemajuan dan unggah buktinya di "
               "halaman Renaksi.\n-- LAPOR! (SP4N-LAPOR!)"),
        "en": ("Renaksi: \"$activity\" due $planned_end",
               "The activity \"$activity\" ($units) of $plan, $agency, is planned to end on "
               "$planned_end ($days working days left). Record its progress and upload the "
               "evidence on the Renaksi page.\n-- LAPOR! (SP4N-LAPOR!)"),
    },
    "staff.renaksi_overdue": {
        "id": ("Renaksi terlambat: \"$activity\"",
               "Kegiatan \"$activity\" ($units) dalam $plan, $agency, melewati rencana "
               "selesai $planned_end ($days hari kerja). Perbarui statusnya atau unggah "
               "buktinya di halaman Renaksi.\n-- LAPOR! (SP4N-LAPOR!)"),
        "en": ("Renaksi overdue: \"$activity\"",
               "The activity \"$activity\" ($units) of $plan, $agency, is past its planned "
               "end $planned_end ($days working days). Update its status or upload the "
               "evidence on the Renaksi page.\n-- LAPOR! (SP4N-LAPOR!)"),
    },
}
