"""Application errors with stable machine-readable codes and bilingual messages.

Every refusal a client can see is an :class:`ApplicationError` subclass carrying a ``code``
from :data:`MESSAGES`. The API turns it into ``{"code", "message", "field"}`` with the HTTP status
of its class and the message in the language of ``Accept-Language`` (Indonesian first).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

# code -> (Bahasa Indonesia, English). Codes are a public contract: never rename one.
MESSAGES: dict[str, tuple[str, str]] = {
    "validation_error": ("Data yang dikirim tidak valid.", "The submitted data is invalid."),
    "required": ("Wajib diisi.", "This field is required."),
    "invalid_json": (
        "Isi permintaan bukan JSON yang valid.",
        "The request body is not valid JSON.",
    ),
    "invalid_encoding": ("Teks harus berupa UTF-8 yang valid.", "Text must be valid UTF-8."),
    "not_authenticated": ("Silakan masuk terlebih dahulu.", "Please sign in first."),
    "invalid_credentials": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "permission_denied": (
        "Anda tidak berwenang melakukan tindakan ini.",
        "You are not allowed to do this.",
    ),
    "not_found": ("Data tidak ditemukan.", "Not found."),
    "invalid_transition": (
        "Tindakan ini tidak dapat dilakukan pada status laporan saat ini.",
        "This action is not allowed in the report's current status.",
    ),
    "concurrent_update": (
        "Laporan baru saja diubah oleh petugas lain. Muat ulang dan coba lagi.",
        "The report was just changed by someone else. Reload and try again.",
    ),
    "invalid_access_code": ("Kode akses salah.", "Wrong access code."),
    "unknown_region": ("Kode wilayah tidak dikenal.", "Unknown region code."),
    "unknown_category": ("Kategori tidak dikenal.", "Unknown category."),
    "unknown_node": ("Unit organisasi tidak dikenal.", "Unknown organisation unit."),
    "sop_not_latest_draft": (
        "Hanya draf SOP terbaru yang dapat disahkan.",
        "Only the latest SOP draft can be approved.",
    ),
    "invalid_target": (
        "Tujuan disposisi tidak sah untuk laporan ini.",
        "This node is not a valid disposition target for this report.",
    ),
    "addressed_by_reporter": (
        "Pelapor menujukan laporan ini kepada instansi Anda: laporan tidak dapat diteruskan ke "
        "tingkat atas. Disposisikan atau arsipkan.",
        "The reporter addressed this report to your agency: it cannot be passed up. Dispose "
        "or archive it.",
    ),
    "invalid_reason": ("Alasan tidak dikenal.", "Unknown reason."),
    "unknown_user": ("Pengguna tidak dikenal.", "Unknown user."),
    "dates_out_of_order": (
        "Tanggal selesai tidak boleh sebelum tanggal mulai.",
        "The end date cannot be before the start date.",
    ),
    "outside_plan_period": (
        "Tanggal kegiatan berada di luar periode rencana aksi.",
        "The activity's dates fall outside the plan's period.",
    ),
    "push_unavailable": (
        "Notifikasi Web Push tidak diaktifkan di layanan ini.",
        "Web Push notifications are not enabled on this service.",
    ),
    "invalid_push_subscription": (
        "Langganan notifikasi dari peramban tidak valid.",
        "The browser's notification subscription is not valid.",
    ),
    "reason_required": ("Alasan wajib diisi.", "A reason is required."),
    "rating_required": (
        "Nilai kepuasan 1-5 wajib diisi saat menerima tindak lanjut.",
        "A rating from 1 to 5 is required to accept the follow-up.",
    ),
    "privacy_loosening": (
        "Anonim/rahasia tidak boleh dilonggarkan tanpa persetujuan pelapor.",
        "Anonymous/confidential cannot be loosened without the reporter's consent.",
    ),
    "sla_exceeds_national": (
        "Batas waktu SOP tidak boleh melebihi batas nasional.",
        "An SOP deadline may not exceed the national maximum.",
    ),
    "date_in_future": ("Tanggal kejadian tidak boleh di masa depan.", "The date is in the future."),
    "date_too_old": ("Tanggal terlalu lama di masa lalu.", "The date is too far in the past."),
    "invalid_cursor": ("Kursor halaman tidak valid.", "Invalid page cursor."),
    "query_too_short": (
        "Kata pencarian terlalu pendek: ketik minimal 3 huruf.",
        "The search is too short: type at least 3 letters.",
    ),
    "query_too_broad": (
        "Terlalu banyak laporan cocok. Tambahkan kata atau saring menurut wilayah, kategori "
        "atau status.",
        "Too many reports match. Add words or filter by region, category or status.",
    ),
    "merge_invalid": (
        "Laporan ini tidak dapat digabungkan ke laporan tersebut.",
        "This report cannot be merged into that report.",
    ),
    "already_supported": ("Anda sudah mendukung laporan ini.", "You already support this report."),
    "not_public": ("Laporan ini tidak publik.", "This report is not public."),
    "text_too_short": ("Teks terlalu pendek.", "The text is too short."),
    "text_too_long": ("Teks terlalu panjang.", "The text is too long."),
    "invalid_characters": (
        "Teks mengandung karakter yang tidak diizinkan.",
        "The text contains characters that are not allowed.",
    ),
    "invalid_coordinates": (
        "Koordinat harus berada di wilayah Indonesia dan diisi berpasangan.",
        "Coordinates must lie in Indonesia and come as a latitude/longitude pair.",
    ),
    "location_outside_indonesia": (
        "Lokasi ini tidak berada di kecamatan mana pun di Indonesia (atau terlalu jauh di "
        "laut). Periksa titik lokasinya, atau pilih wilayah kejadian.",
        "This location is not in any Indonesian district (or too far out at sea). Check the "
        "point, or choose the region where it happened.",
    ),
    "invalid_email": ("Alamat email tidak valid.", "Invalid email address."),
    "invalid_phone": ("Nomor telepon tidak valid.", "Invalid phone number."),
    "invalid_nik": ("NIK harus 16 digit angka.", "A NIK must be exactly 16 digits."),
    "duplicate": ("Data sudah ada.", "Already exists."),
    "request_too_large": ("Permintaan terlalu besar.", "The request is too large."),
    "too_many_reports": (
        "Terlalu banyak laporan dari pengirim yang sama. Coba lagi nanti.",
        "Too many reports from the same sender. Please try again later.",
    ),
    "channel_busy": (
        "Saluran ini sedang menerima terlalu banyak laporan. Coba lagi sebentar lagi.",
        "This channel is receiving too many reports right now. Please try again shortly.",
    ),
    "rate_limited": (
        "Terlalu banyak permintaan dari alamat jaringan ini. Coba lagi sebentar lagi.",
        "Too many requests from this network address. Please try again shortly.",
    ),
    "access_code_attempts": (
        "Terlalu banyak kode akses salah dicoba dari alamat jaringan ini. Kode akses yang "
        "benar tetap berlaku: coba lagi nanti, atau dari koneksi internet lain.",
        "Too many wrong access codes were tried from this network address. The right access "
        "code stays valid: try again later, or from another internet connection.",
    ),
    "too_many_attempts": (
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti.",
        "Too many failed sign-in attempts. Try again later.",
    ),
    "otp_required": (
        "Masukkan kode verifikasi dua langkah (aplikasi autentikator atau kode pemulihan).",
        "Enter your two-factor code (authenticator app or a recovery code).",
    ),
    "otp_invalid": ("Kode verifikasi dua langkah salah.", "Wrong two-factor code."),
    "otp_not_enrolled": (
        "Mulai pendaftaran autentikator terlebih dahulu (/auth/otp/enroll).",
        "Start the authenticator enrollment first (/auth/otp/enroll).",
    ),
    "otp_enrollment_required": (
        "Akun petugas wajib mengaktifkan verifikasi dua langkah sebelum masuk.",
        "Staff accounts must set up two-factor authentication before signing in.",
    ),
    "attachment_type_not_allowed": (
        "Jenis berkas tidak diizinkan. Kirim JPEG, PNG, WebP, PDF atau MP4.",
        "This file type is not allowed. Send JPEG, PNG, WebP, PDF or MP4.",
    ),
    "attachment_too_large": ("Berkas terlalu besar.", "The file is too large."),
    "attachment_limit_reached": (
        "Batas jumlah atau ukuran lampiran laporan ini sudah tercapai.",
        "This report has reached its attachment count or size limit.",
    ),
    "attachment_unreadable": (
        "Berkas rusak atau tidak dapat dibaca.",
        "The file is damaged or cannot be read.",
    ),
    "attachment_infected": (
        "Berkas ditolak karena terdeteksi mengandung virus.",
        "The file was refused: a virus was detected.",
    ),
    "attachment_scan_unavailable": (
        "Pemindai virus sedang tidak tersedia. Coba lagi nanti.",
        "The virus scanner is unavailable. Try again later.",
    ),
    "attachment_not_publishable": (
        "Lampiran ini tidak boleh dipublikasikan.",
        "This attachment may not be published.",
    ),
    "storage_failed": (
        "Berkas tidak dapat disimpan saat ini. Coba lagi nanti.",
        "The file could not be stored right now. Try again later.",
    ),
    "database_unavailable": (
        "Layanan sedang tidak dapat menyimpan data. Tidak ada yang tersimpan; coba lagi sebentar "
        "lagi.",
        "The service cannot reach its database right now. Nothing was stored; try again shortly.",
    ),
    # Inbound channels (issue #5: lapor.intake, lapor.channels)
    "idempotency_key_missing": (
        "Header Idempotency-Key wajib dikirim.",
        "The Idempotency-Key header is required.",
    ),
    "idempotency_key_reused": (
        "Idempotency-Key ini sudah dipakai untuk permintaan dengan isi yang berbeda.",
        "This Idempotency-Key was already used for a request with a different body.",
    ),
    "reference_exists": (
        "Nomor referensi aplikasi ini sudah dipakai untuk laporan lain.",
        "This application reference id was already used for another report.",
    ),
    "channel_disabled": (
        "Kanal ini tidak aktif di server ini.",
        "This channel is not enabled on this server.",
    ),
    "invalid_signature": (
        "Tanda tangan permintaan tidak ada atau salah.",
        "The request signature is missing or wrong.",
    ),
    "internal_error": (
        "Terjadi kesalahan pada server. Laporan Anda yang sudah diterima tetap tersimpan.",
        "Server error. Reports already acknowledged are kept.",
    ),
    # Federation between Lapor instances (lapor.federation, docs/federation.md).
    "unknown_peer": (
        "Instansi Lapor mitra tidak dikenal atau tokennya salah.",
        "Unknown peer instance or wrong token.",
    ),
    "bad_signature": (
        "Tanda tangan permintaan antarinstansi salah.",
        "The signature of the request between instances is wrong.",
    ),
    "stale_request": (
        "Waktu permintaan antarinstansi terlalu jauh dari jam server.",
        "The request's timestamp is too far from the server's clock.",
    ),
    "replayed_request": (
        "Permintaan antarinstansi ini sudah pernah diterima (pengulangan ditolak).",
        "This request between instances was already accepted (replay refused).",
    ),
    "peer_unreachable": (
        "Instansi Lapor mitra tidak dapat dihubungi.",
        "The peer instance cannot be reached.",
    ),
    "peer_error": (
        "Instansi Lapor mitra memberi jawaban yang tidak dapat dipakai.",
        "The peer instance gave an unusable answer.",
    ),
    "already_linked": (
        "Instansi ini sudah terhubung untuk instansi tersebut.",
        "This agency is already linked.",
    ),
    "number_outside_lane": (
        "Nomor pelacakan berada di luar rentang yang diberikan kepada instansi mitra.",
        "The tracking number is outside the range given to the peer instance.",
    ),
    # Statistics exports (lapor.stats).
    "export_too_large": (
        "Ekspor dengan identitas pelapor terlalu besar; persempit saringannya.",
        "An export with reporter identities is too large; narrow the filters.",
    ),
    # Federation: mirrored reports (lapor.federation.mirror, docs/federation.md).
    "held_by_peer": (
        "Laporan ini sedang ditangani di sistem instansi lain; perubahan hanya dapat dilakukan "
        "di sana.",
        "This report is being handled on the other instance's system; only it can change it.",
    ),
    "forwarded_to_peer": (
        "Dikirim ke sistem instansi yang menangani laporan ini; statusnya diperbarui sebentar "
        "lagi.",
        "Sent to the system of the agency handling this report; the status updates in a "
        "moment.",
    ),
    "invalid_entry": (
        "Entri federasi tidak valid.",
        "The federation entry is invalid.",
    ),
    "number_taken": (
        "Nomor pelacakan ini sudah dipakai laporan lain yang tidak dibagikan.",
        "This tracking number belongs to another report that is not shared.",
    ),
}


# The same codes said more precisely when the refusal carries its numbers (``detail``): the
# limit and what was sent, so nobody has to guess ("Teks terlalu panjang" named no limit).
DETAILED_MESSAGES: dict[str, tuple[str, str]] = {
    "text_too_long": (
        "Terlalu panjang: {length} karakter, paling banyak {max_length}.",
        "Too long: {length} characters, at most {max_length}.",
    ),
    "text_too_short": (
        "Terlalu pendek: {length} karakter, paling sedikit {min_length}.",
        "Too short: {length} characters, at least {min_length}.",
    ),
    "attachment_too_large": (
        "Berkas terlalu besar: {size_mb} MB, paling besar {max_mb} MB per berkas.",
        "The file is too large: {size_mb} MB, at most {max_mb} MB per file.",
    ),
}

# A required field says what is missing, in words for that field ((code, field) -> message).
FIELD_MESSAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("required", "type"): ("Pilih jenis laporan.", "Choose the type of report."),
    ("required", "title"): ("Tulis judul laporan.", "Write a title for your report."),
    ("required", "body"): (
        "Tulis isi laporan: apa yang terjadi, di mana, kapan.",
        "Describe what happened: what, where, when.",
    ),
    ("required", "region_code"): (
        "Pilih wilayah kejadian.", "Choose the region where it happened."),
}


def message_for(code: str, language: str, *, field: str | None = None,
                detail: Any = None) -> str:
    """The message for ``code`` in ``language`` ("en", else Indonesian): the field's own words
    for it if it has some, the detailed wording when ``detail`` holds its numbers."""
    pair = FIELD_MESSAGES.get((code, field or ""))
    if pair is None and isinstance(detail, dict) and code in DETAILED_MESSAGES:
        indonesian, english = DETAILED_MESSAGES[code]
        try:
            return (english if language == "en" else indonesian).format_map(detail)
        except (KeyError, ValueError):
            pass
    indonesian, english = pair or MESSAGES.get(code, MESSAGES["validation_error"])
    return english if language == "en" else indonesian


class ApplicationError(Exception):
    """A refusal with a stable code. Subclasses fix the HTTP status."""

    status: ClassVar[int] = 400

    def __init__(self, code: str, *, field: str | None = None, detail: Any = None,
                 errors: list[ApplicationError] | None = None) -> None:
        if code not in MESSAGES:
            raise KeyError(f"Undeclared error code {code!r}: add it to lapor.core.errors.MESSAGES")
        super().__init__(code)
        self.code = code
        self.field = field
        self.detail = detail
        # Every refusal of one request when there were several checks (FieldErrors); the
        # first one is also this error's own code/field/detail.
        self.errors = errors

    def message(self, language: str) -> str:
        return message_for(self.code, language, field=self.field, detail=self.detail)


class ValidationFailed(ApplicationError):
    status = 422


class NotAuthenticated(ApplicationError):
    status = 401


class PermissionDenied(ApplicationError):
    status = 403


class NotFound(ApplicationError):
    status = 404


class TooManyRequests(ApplicationError):
    """Throttled: ``retry_after`` seconds until a new attempt can succeed (``Retry-After``)."""

    status = 429

    def __init__(self, code: str, *, retry_after: int, detail: Any = None) -> None:
        super().__init__(code, detail=detail)
        self.retry_after = max(1, retry_after)


class Conflict(ApplicationError):
    """Invalid transition or a concurrent change: the request was valid, the state is not."""

    status = 409


class PayloadTooLarge(ApplicationError):
    status = 413


class UnsupportedMediaType(ApplicationError):
    status = 415


class ServiceUnavailable(ApplicationError):
    """A dependency (storage, virus scanner) failed; nothing was written. Safe to retry."""

    status = 503


class FieldErrors:
    """Collects the refusals of a request's fields, so one answer names all of them.

    ``with errors.field(): ...`` runs one check and keeps its :class:`ValidationFailed`;
    :meth:`raise_any` then raises one ``ValidationFailed`` carrying the first refusal's code
    and field (what a client reading only those sees) and all of them in ``errors``.
    """

    def __init__(self) -> None:
        self.found: list[ApplicationError] = []

    @contextmanager
    def field(self) -> Iterator[None]:
        try:
            yield
        except ValidationFailed as exc:
            self.found.extend(exc.errors or [exc])

    def has(self, field: str) -> bool:
        return any(e.field == field for e in self.found)

    def raise_any(self) -> None:
        if self.found:
            first = self.found[0]
            raise ValidationFailed(first.code, field=first.field, detail=first.detail,
                                   errors=list(self.found))
