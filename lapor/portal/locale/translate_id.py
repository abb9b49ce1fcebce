"""Fill lapor/portal/locale/id/LC_MESSAGES/django.po from the table below (run after
makemessages; every entry must be translated, none fuzzy). Usage:
    .venv/bin/python lapor/portal/locale/translate_id.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PO = Path(__file__).parent / "id" / "LC_MESSAGES" / "django.po"

ID: dict[str, str | tuple[str, str]] = {
    "Complaint (pengaduan): something in a public service went wrong":
        "Pengaduan: ada masalah dalam pelayanan publik",
    "Aspiration (aspirasi): a suggestion or an idea": "Aspirasi: saran atau gagasan",
    "Information request (permintaan informasi)": "Permintaan informasi",
    "Complaint": "Pengaduan",
    "Aspiration": "Aspirasi",
    "Information request": "Permintaan informasi",
    "Type of report": "Jenis laporan",
    "Title": "Judul laporan",
    "One short sentence: what happened, where (5 to 200 characters).":
        "Satu kalimat singkat: apa yang terjadi dan di mana (5 sampai 200 karakter).",
    "What happened?": "Apa yang terjadi?",
    "Describe the problem: when, where, who is affected, what you expect. Do not write ID "
    "numbers or phone numbers of other people.":
        "Jelaskan masalahnya: kapan, di mana, siapa yang terdampak, dan apa harapan Anda. "
        "Jangan menuliskan NIK atau nomor telepon orang lain.",
    "Date it happened (optional)": "Tanggal kejadian (opsional)",
    "Search for a region by name": "Cari wilayah berdasarkan nama",
    "Address or landmark (optional)": "Alamat atau patokan lokasi (opsional)",
    "Latitude": "Lintang (latitude)",
    "Longitude": "Bujur (longitude)",
    "Category (optional)": "Kategori (opsional)",
    "Agency to send it to (optional)": "Instansi tujuan (opsional)",
    "If you do not know, leave it empty: the national verifiers send it to the right agency.":
        "Jika tidak tahu, biarkan kosong: verifikator nasional akan meneruskannya ke instansi "
        "yang berwenang.",
    "Keep my identity secret (anonymous)": "Rahasiakan identitas saya (anonim)",
    "Your name and contact details are never shown to the agency handling the report nor to "
    "the public (the person you report about may work there). Only officers given a special "
    "permission by the national administrators can open them, with a written reason that is "
    "recorded.":
        "Nama dan kontak Anda tidak pernah ditampilkan kepada instansi yang menangani laporan "
        "maupun kepada publik (orang yang Anda laporkan mungkin bekerja di sana). Hanya petugas "
        "yang diberi izin khusus oleh admin nasional yang dapat membukanya, dengan alasan "
        "tertulis yang dicatat.",
    "Keep the content of my report secret (confidential)":
        "Rahasiakan isi laporan (rahasia)",
    "The report is not published in the public list or search. Only you, the verifiers and "
    "the offices handling it can read it.":
        "Laporan tidak ditampilkan di daftar laporan publik maupun pencarian. Hanya Anda, "
        "verifikator, dan instansi yang menanganinya yang dapat membacanya.",
    "Your name (optional)": "Nama Anda (opsional)",
    "E-mail (optional)": "Email (opsional)",
    "Phone number (optional)": "Nomor telepon (opsional)",
    "NIK, national identity number (optional)": "NIK, nomor induk kependudukan (opsional)",
    "16 digits. Stored encrypted; only needed if the agency must identify you.":
        "16 digit angka. Disimpan terenkripsi; hanya diperlukan jika instansi harus "
        "memastikan identitas Anda.",
    "— Not sure —": "— Tidak tahu —",
    "— Let the verifiers decide —": "— Serahkan kepada verifikator —",
    "Tracking number": "Nomor pelacakan",
    "The 12-digit number you received when you sent the report.":
        "Nomor 12 digit yang Anda terima saat mengirim laporan.",
    "Access code": "Kode akses",
    "The code shown once when you sent the report, like ABCD-EFGH-JKMN-PQRS.":
        "Kode yang ditampilkan satu kali saat Anda mengirim laporan, misalnya "
        "ABCD-EFGH-JKMN-PQRS.",
    "Your message": "Pesan Anda",
    "File (photo, PDF or video)": "Berkas (foto, PDF, atau video)",
    "Is your problem resolved?": "Apakah masalah Anda sudah selesai?",
    "Yes, I accept the follow-up": "Ya, saya menerima tindak lanjut ini",
    "No, it is not resolved": "Belum, masalahnya belum selesai",
    "How satisfied are you? (1 = not at all, 5 = very)":
        "Seberapa puas Anda? (1 = sangat tidak puas, 5 = sangat puas)",
    "Comment (required if it is not resolved)": "Komentar (wajib jika belum selesai)",
    "Search": "Cari",
    "Category": "Kategori",
    "Region code": "Kode wilayah",
    "For example 64.08 (Kutai Timur).": "Misalnya 64.08 (Kutai Timur).",
    "Status": "Status",
    "Agency": "Instansi",
    "All": "Semua",
    "Your name": "Nama Anda",
    "E-mail or phone number": "Email atau nomor telepon",
    "You sign in with it. Not verified yet: type it carefully.":
        "Dipakai untuk masuk. Belum diverifikasi: ketik dengan teliti.",
    "Password": "Kata sandi",
    "At least 10 characters, not a common password.":
        "Minimal 10 karakter dan bukan kata sandi yang umum.",
    "Password again": "Ulangi kata sandi",
    "The two passwords are not the same.": "Kedua kata sandi tidak sama.",
    "Not found": "Halaman tidak ditemukan",
    "There is no public page here. A report may not exist, may be confidential, or may not be "
    "verified yet.":
        "Tidak ada halaman publik di sini. Laporan mungkin tidak ada, dirahasiakan, atau belum "
        "diverifikasi.",
    "If it is your report, track it with its tracking number and access code.":
        "Jika ini laporan Anda, lacak dengan nomor pelacakan dan kode aksesnya.",
    "Track a report": "Lacak laporan",
    "Home": "Beranda",
    "Please wait": "Mohon tunggu",
    "Please wait a moment": "Mohon tunggu sebentar",
    "You can try again in about %(minutes)s minute.": (
        "Anda dapat mencoba lagi sekitar %(minutes)s menit lagi.",
        "Anda dapat mencoba lagi sekitar %(minutes)s menit lagi.",
    ),
    "To protect reporters, the number of attempts is limited, for example when an access code "
    "is typed wrongly many times.":
        "Untuk melindungi pelapor, jumlah percobaan dibatasi, misalnya jika kode akses salah "
        "diketik berkali-kali.",
    "No public report matches these filters.": "Tidak ada laporan publik yang sesuai dengan "
                                               "saringan ini.",
    "No public reports yet.": "Belum ada laporan publik.",
    "Pages": "Halaman",
    "Back to the newest": "Kembali ke yang terbaru",
    "Older reports": "Laporan sebelumnya",
    "Chosen:": "Dipilih:",
    "%(n)s region found:": ("%(n)s wilayah ditemukan:", "%(n)s wilayah ditemukan:"),
    "No region found for “%(q)s”. Try a shorter name.":
        "Tidak ada wilayah untuk “%(q)s”. Coba nama yang lebih pendek.",
    "Or narrow it down:": "Atau persempit pilihan:",
    "Show the areas inside the chosen region": "Tampilkan wilayah di dalam wilayah terpilih",
    "Region where it happened": "Wilayah kejadian",
    "Type a province, regency, district or village name, search, then choose. You may narrow "
    "it down to the district.":
        "Ketik nama provinsi, kabupaten/kota, kecamatan, atau desa/kelurahan, cari, lalu pilih. "
        "Anda dapat mempersempitnya sampai kecamatan.",
    "Search region": "Cari wilayah",
    "%(n)s supporter": ("%(n)s dukungan", "%(n)s dukungan"),
    "supporter": ("dukungan", "dukungan"),
    "Support (dukung)": "Dukung",
    "Support shows this problem matters to more people. Each person counts once.":
        "Dukungan menunjukkan masalah ini penting bagi banyak orang. Setiap orang dihitung "
        "satu kali.",
    "Reporter": "Pelapor",
    "to %(node)s": "ke %(node)s",
    "Nothing yet.": "Belum ada.",
    "Sign in": "Masuk",
    "You do not need an account to send or track a report.":
        "Anda tidak memerlukan akun untuk mengirim atau melacak laporan.",
    "Go to the officers' sign-in (/petugas/masuk/)": "Masuk sebagai petugas (/petugas/masuk/)",
    "No account yet?": "Belum punya akun?",
    "Create an account": "Buat akun",
    "My reports": "Laporan saya",
    "Signed in as %(name)s.": "Masuk sebagai %(name)s.",
    "You have not sent a report while signed in yet.":
        "Anda belum mengirim laporan saat masuk dengan akun ini.",
    "Send a report": "Buat laporan",
    "An account is optional. With it, the reports you send while signed in are listed "
    "together, and you can open them without the access code.":
        "Akun tidak wajib. Dengan akun, laporan yang Anda kirim saat masuk terkumpul di satu "
        "tempat dan dapat dibuka tanpa kode akses.",
    "Create account": "Buat akun",
    "Already have an account?": "Sudah punya akun?",
    "Layanan Aspirasi dan Pengaduan Online Rakyat": "Layanan Aspirasi dan Pengaduan Online "
                                                    "Rakyat",
    "Main menu": "Menu utama",
    "Track": "Lacak",
    "Public reports": "Laporan publik",
    "Sign out": "Keluar",
    "Account": "Akun",
    "Run by %(operator)s, connected to SP4N-LAPOR!, the national public-service complaint "
    "system.":
        "Dikelola oleh %(operator)s, terhubung dengan SP4N-LAPOR!, sistem pengelolaan "
        "pengaduan pelayanan publik nasional.",
    "Privacy: what we keep and who sees it": "Privasi: apa yang kami simpan dan siapa yang "
                                             "melihatnya",
    "API documentation": "Dokumentasi API",
    "Officers' sign-in": "Masuk petugas",
    "Reports checked by the verifiers and sent to an agency. Confidential reports are never "
    "listed.":
        "Laporan yang sudah diperiksa verifikator dan diteruskan ke instansi. Laporan rahasia "
        "tidak pernah ditampilkan.",
    "Show reports": "Tampilkan laporan",
    "Clear filters": "Hapus saringan",
    "Loading…": "Memuat…",
    "Public service complaints and aspirations": "Pengaduan dan aspirasi pelayanan publik",
    "Report a public service problem, follow it to the answer":
        "Laporkan masalah pelayanan publik, pantau sampai ada jawaban",
    "LAPOR! is the national channel for complaints, aspirations and information requests about "
    "public services. Every report is checked, sent to the agency responsible and must be "
    "answered within set deadlines.":
        "LAPOR! adalah saluran nasional untuk pengaduan, aspirasi, dan permintaan informasi "
        "tentang pelayanan publik. Setiap laporan diperiksa, diteruskan ke instansi yang "
        "berwenang, dan wajib dijawab dalam batas waktu yang ditetapkan.",
    "Reports so far": "Laporan sejauh ini",
    "reports received": "laporan diterima",
    "followed up or closed": "sudah ditindaklanjuti atau selesai",
    "reports followed up": "laporan ditindaklanjuti",
    "agencies handling reports": "instansi menangani laporan",
    "How a report travels": "Alur laporan",
    "Send": "Kirim",
    "You write what happened and where. You get a tracking number and an access code.":
        "Anda menulis apa yang terjadi dan di mana. Anda menerima nomor pelacakan dan kode "
        "akses.",
    "Verification": "Verifikasi",
    "Verifiers check it within 3 working days, and may ask you for more information.":
        "Verifikator memeriksanya paling lambat 3 hari kerja dan dapat meminta informasi "
        "tambahan.",
    "Disposition": "Disposisi",
    "It is sent to the agency responsible for the problem.":
        "Laporan diteruskan ke instansi yang berwenang menangani masalah tersebut.",
    "Follow-up": "Tindak lanjut",
    "The agency handles it and writes its answer within its deadline.":
        "Instansi menanganinya dan menuliskan jawaban dalam batas waktunya.",
    "Your reply and rating": "Tanggapan dan penilaian",
    "You accept the answer with a rating, or say it is not resolved yet.":
        "Anda menerima jawaban dengan memberi nilai, atau menyatakan masalahnya belum selesai.",
    "Search public reports": "Cari laporan publik",
    "Words to look for": "Kata yang dicari",
    "Newest public reports": "Laporan publik terbaru",
    "See all public reports": "Lihat semua laporan publik",
    "Your privacy": "Privasi Anda",
    "Your name and contact details are stored encrypted and are never published. If you choose "
    "anonymous, the agency you report about does not see who you are either. If you choose "
    "confidential, your report is not shown in the public list. Photos lose their hidden "
    "location data when uploaded.":
        "Nama dan kontak Anda disimpan terenkripsi dan tidak pernah dipublikasikan. Jika Anda "
        "memilih anonim, instansi yang Anda laporkan juga tidak melihat siapa Anda. Jika Anda "
        "memilih rahasia, laporan Anda tidak ditampilkan di daftar publik. Data lokasi "
        "tersembunyi pada foto dihapus saat diunggah.",
    "Fields marked optional may be left empty. You will get a tracking number and a one-time "
    "access code at the end.":
        "Isian bertanda opsional boleh dikosongkan. Di akhir, Anda menerima nomor pelacakan "
        "dan kode akses yang hanya ditampilkan sekali.",
    "The report was not sent yet.": "Laporan belum terkirim.",
    "Please correct what is marked below; everything you typed is kept.":
        "Perbaiki isian yang ditandai di bawah; semua yang sudah Anda ketik tetap tersimpan.",
    "Please choose your files again: a browser cannot keep chosen files when the page reloads.":
        "Pilih berkas Anda lagi: peramban tidak dapat menyimpan berkas yang dipilih saat "
        "halaman dimuat ulang.",
    "Your report": "Laporan Anda",
    "Exact place (optional)": "Lokasi persis (opsional)",
    "Coordinates help officers find the place. Your device can fill them in, or type them.":
        "Koordinat membantu petugas menemukan lokasi. Perangkat Anda dapat mengisinya, atau "
        "ketik sendiri.",
    "Finding your location…": "Mencari lokasi Anda…",
    "Location filled in.": "Lokasi sudah diisi.",
    "Your location could not be found. You can type it or leave it empty.":
        "Lokasi Anda tidak dapat ditemukan. Anda dapat mengetiknya atau mengosongkannya.",
    "Use my current location": "Gunakan lokasi saya saat ini",
    "Where to send it (optional)": "Tujuan laporan (opsional)",
    "Photos and documents (optional)": "Foto dan dokumen (opsional)",
    "Up to %(max_files)s files": "Paling banyak %(max_files)s berkas",
    "JPEG, PNG, WebP, PDF or MP4, at most %(max_megabytes)s MB each. Hidden data in photos "
    "(such as location) is removed.":
        "JPEG, PNG, WebP, PDF, atau MP4, paling besar %(max_megabytes)s MB per berkas. Data "
        "tersembunyi pada foto (seperti lokasi) dihapus.",
    "Privacy": "Privasi",
    "About you (optional)": "Data diri (opsional)",
    "Contact details let officers ask you questions. They are stored encrypted and never "
    "published.":
        "Kontak memudahkan petugas bertanya kepada Anda. Data ini disimpan terenkripsi dan "
        "tidak pernah dipublikasikan.",
    "Send report": "Kirim laporan",
    "The report": "Laporan",
    "Type": "Jenis",
    "Region": "Wilayah",
    "Received": "Diterima",
    "Files published by the officers": "Berkas yang dipublikasikan petugas",
    "File %(id)s": "Lampiran %(id)s",
    "History": "Riwayat",
    "Support": "Dukungan",
    "Is this your report?": "Ini laporan Anda?",
    "Open it with your access code": "Buka dengan kode akses Anda",
    "Report sent": "Laporan terkirim",
    "Your report has been received": "Laporan Anda sudah diterima",
    "Thank you. Verifiers will check it within 3 working days.":
        "Terima kasih. Verifikator akan memeriksanya paling lambat 3 hari kerja.",
    "Keep these two numbers": "Simpan kedua nomor ini",
    "Copied": "Tersalin",
    "Copy tracking number": "Salin nomor pelacakan",
    "Copy access code": "Salin kode akses",
    "The access code is shown only this once.": "Kode akses hanya ditampilkan sekali ini.",
    "Write it down, copy it or print this page now. We store it only in a form nobody can read "
    "back, so we cannot show or send it again. If you reload this page, it will not appear "
    "again.":
        "Catat, salin, atau cetak halaman ini sekarang. Kami menyimpannya dalam bentuk yang "
        "tidak dapat dibaca kembali, sehingga kami tidak dapat menampilkan atau mengirimkannya "
        "lagi. Jika halaman ini dimuat ulang, kode tidak akan muncul lagi.",
    "Anyone with the tracking number can see the status. To read the officers' answers, reply, "
    "or add files, you need the access code.":
        "Siapa pun yang memiliki nomor pelacakan dapat melihat status laporan. Untuk membaca "
        "jawaban petugas, membalas, atau menambah berkas, Anda memerlukan kode akses.",
    "Print this page": "Cetak halaman ini",
    "Track this report": "Lacak laporan ini",
    "Your report was received, but some files were not attached:":
        "Laporan Anda sudah diterima, tetapi beberapa berkas tidak dapat dilampirkan:",
    "You can add files later on the tracking page with your access code.":
        "Anda dapat menambahkan berkas nanti di halaman pelacakan dengan kode akses Anda.",
    "You chose anonymous: the agency handling the report will not see your name or contact "
    "details.":
        "Anda memilih anonim: instansi yang menangani laporan tidak akan melihat nama atau "
        "kontak Anda.",
    "You chose confidential: the report is not shown in the public list.":
        "Anda memilih rahasia: laporan tidak ditampilkan di daftar publik.",
    "The access code is no longer shown": "Kode akses tidak ditampilkan lagi",
    "For your safety the tracking number and access code are shown only once, right after "
    "sending. This page was already shown or opened again.":
        "Demi keamanan Anda, nomor pelacakan dan kode akses hanya ditampilkan sekali, tepat "
        "setelah laporan dikirim. Halaman ini sudah pernah ditampilkan atau dibuka ulang.",
    "Send a new report": "Buat laporan baru",
    "Report %(n)s": "Laporan %(n)s",
    "Reply before": "Tanggapi sebelum",
    "Answer before": "Jawab sebelum",
    "Anonymous": "Anonim",
    "Yes: the agency does not see who you are": "Ya: instansi tidak melihat identitas Anda",
    "No": "Tidak",
    "Confidential": "Rahasia",
    "Yes: not shown in the public list": "Ya: tidak ditampilkan di daftar publik",
    "Your rating": "Penilaian Anda",
    "History and messages": "Riwayat dan pesan",
    "Files": "Berkas",
    "Your reply to the follow-up": "Tanggapan Anda atas tindak lanjut",
    "Send reply": "Kirim tanggapan",
    "Answer the verifier's question": "Jawab pertanyaan verifikator",
    "Send a message to the officers": "Kirim pesan kepada petugas",
    "Send message": "Kirim pesan",
    "Add a file": "Tambah berkas",
    "Upload file": "Unggah berkas",
    "Public history": "Riwayat publik",
    "This device": "Perangkat ini",
    "You see this report because you are signed in with the account that sent it.":
        "Anda melihat laporan ini karena masuk dengan akun yang mengirimnya.",
    "This device remembers that you entered the access code. On a shared device, make it "
    "forget.":
        "Perangkat ini mengingat bahwa Anda sudah memasukkan kode akses. Jika perangkat "
        "dipakai bersama, minta perangkat ini melupakannya.",
    "Forget this report on this device": "Lupakan laporan ini di perangkat ini",
    "Are you the reporter?": "Anda pelapornya?",
    "Enter the access code to read the officers' answers, reply and add files.":
        "Masukkan kode akses untuk membaca jawaban petugas, membalas, dan menambah berkas.",
    "Open my report": "Buka laporan saya",
    "See it in the public reports": "Lihat di daftar laporan publik",
    "With the tracking number anyone can see the status and the public history. With the "
    "access code you can also read the officers' answers, reply and add files.":
        "Dengan nomor pelacakan, siapa pun dapat melihat status dan riwayat publik. Dengan kode "
        "akses, Anda juga dapat membaca jawaban petugas, membalas, dan menambah berkas.",
    "Report received": "Laporan diterima",
    "The verifier asked for more information": "Verifikator meminta informasi tambahan",
    "The reporter added the information asked for": "Pelapor melengkapi informasi yang diminta",
    "Archived at verification": "Diarsipkan saat verifikasi",
    "Archived: the information asked for did not arrive in time":
        "Diarsipkan: informasi yang diminta tidak diterima tepat waktu",
    "Taken back from the archive": "Dikeluarkan dari arsip",
    "Sent to the agency responsible": "Didisposisikan ke instansi yang berwenang",
    "Forwarded within the agency": "Diteruskan di dalam instansi",
    "Handed back: not this office's authority": "Dikembalikan: bukan wewenang unit ini",
    "Handed back to the verifiers: not this agency's authority":
        "Dikembalikan ke verifikator: bukan wewenang instansi ini",
    "Received by the agency, being handled": "Diterima instansi, sedang diproses",
    "Follow-up from the agency": "Tindak lanjut dari instansi",
    "Final follow-up from the agency": "Tindak lanjut akhir dari instansi",
    "The reporter accepted the follow-up": "Pelapor menerima tindak lanjut",
    "The reporter said it is not resolved": "Pelapor menyatakan masalah belum selesai",
    "Closed": "Selesai",
    "Closed: no reply within the reply period":
        "Selesai: tidak ada tanggapan dalam batas waktu tanggapan",
    "Message from the reporter": "Pesan dari pelapor",
    "Privacy settings made stricter": "Pengaturan privasi diperketat",
    "File attached": "Berkas dilampirkan",
    "Your account is ready. Reports you send while signed in are listed under My reports.":
        "Akun Anda sudah siap. Laporan yang Anda kirim saat masuk tercantum di Laporan saya.",
    "This is a staff account. Staff sign in on the officers' page.":
        "Ini akun petugas. Petugas masuk melalui halaman petugas.",
    "You are signed out.": "Anda sudah keluar.",
    "Thank you for your support.": "Terima kasih atas dukungan Anda.",
    "This is not a valid tracking number: check the 12 digits.":
        "Nomor pelacakan tidak valid: periksa kembali ke-12 digitnya.",
    "Access code accepted. This device now shows your whole report until you tell it to "
    "forget it.":
        "Kode akses diterima. Perangkat ini kini menampilkan seluruh laporan Anda sampai Anda "
        "memintanya untuk melupakan.",
    "Enter your access code first.": "Masukkan kode akses Anda terlebih dahulu.",
    "Your message was sent to the officers.": "Pesan Anda sudah dikirim kepada petugas.",
    "Choose whether your problem is resolved.": "Pilih apakah masalah Anda sudah selesai.",
    "Thank you. The report is closed with your rating.":
        "Terima kasih. Laporan ditutup dengan penilaian Anda.",
    "The report is back with the agency, with a new deadline.":
        "Laporan dikembalikan ke instansi dengan batas waktu baru.",
    "The file was added to your report.": "Berkas sudah ditambahkan ke laporan Anda.",
    "This device no longer shows the whole report. You need the access code to see it again.":
        "Perangkat ini tidak lagi menampilkan seluruh laporan. Anda memerlukan kode akses "
        "untuk melihatnya lagi.",
}


def main() -> int:
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        text = ID.get(entry.msgid)
        if text is None:
            missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            # Indonesian has one plural form ("3 laporan", "1 laporan").
            entry.msgstr_plural = {0: text[0] if isinstance(text, tuple) else text}
        elif isinstance(text, str):
            entry.msgstr = text
        else:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata_is_fuzzy = False
    po.header = "Indonesian translation of the Lapor citizen portal (lapor/portal)."
    po.metadata["Project-Id-Version"] = "lapor-portal"
    po.metadata["Last-Translator"] = "Lapor contributors"
    po.metadata["Language-Team"] = "Bahasa Indonesia"
    po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
    po.metadata["Language"] = "id"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    for msgid in missing:
        print("untranslated:", msgid, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
