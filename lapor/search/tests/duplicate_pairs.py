"""The labelled pairs the duplicate threshold is calibrated on (docs/search.md, "Calibration").

Each pair is two reports of the same category in the same kecamatan, as two different
citizens would write them. ``SAME`` pairs are about one problem (the second should be shown
the first before sending); ``TOPIC_ONLY`` pairs merely share a topic: another street, another
school, another day's problem. The demo's own reports (lapor.demo.data.TEMPLATES filled for
two places, as the demo loader does) are added by :func:`demo_pairs`.
"""

from __future__ import annotations

import itertools

from lapor.demo import data

Pair = tuple[tuple[str, str], tuple[str, str]]

SAME: tuple[Pair, ...] = (
    (("Lampu penerangan jalan mati di Jalan Yos Sudarso",
      "Lampu penerangan jalan umum di Jalan Yos Sudarso dekat Pasar Induk sudah mati sepuluh "
      "hari. Jalan menjadi gelap dan rawan kecelakaan."),
     ("PJU mati di Jalan Yos Sudarso",
      "Lampu jalan di Yos Sudarso dekat pasar induk padam, jalanan gelap dan rawan.")),
    (("Jalan berlubang besar di Jalan APT Pranoto",
      "Di Jalan APT Pranoto depan SD negeri ada lubang besar, kalau hujan tergenang dan tidak "
      "kelihatan. Kemarin ada pengendara motor jatuh."),
     ("Lubang di APT Pranoto depan SD bahaya",
      "Tolong lubang di jalan APT Pranoto depan sekolah dasar segera ditambal, sudah ada yang "
      "jatuh dari motor karena lubangnya tertutup air hujan.")),
    (("Sampah menumpuk di TPS Pasar Induk Sangatta",
      "TPS di belakang Pasar Induk Sangatta penuh, sampah meluber sampai ke jalan dan baunya "
      "menyengat. Truk sampah sudah seminggu tidak datang."),
     ("Truk sampah tidak mengangkut sampah pasar induk",
      "Sampah di tempat pembuangan sementara pasar induk Sangatta tidak diangkut sudah tujuh "
      "hari, menumpuk dan bau busuk sampai ke rumah warga.")),
    (("Air PDAM tidak mengalir di Kelurahan Teluk Lingga",
      "Sudah lima hari air PDAM di Kelurahan Teluk Lingga tidak mengalir sama sekali. Warga "
      "terpaksa membeli air galon untuk mandi dan memasak."),
     ("Air mati lima hari Teluk Lingga",
      "Kami warga Teluk Lingga tidak dapat air bersih dari PDAM sejak Senin, keran kering. "
      "Mohon ada mobil tangki air sementara.")),
    (("Antrean BPJS di Puskesmas Sangatta Utara sangat lama",
      "Pasien BPJS di Puskesmas Sangatta Utara harus antre dari jam 7 sampai siang karena "
      "loket pendaftaran hanya satu dan petugas sering tidak ada."),
     ("Pelayanan lambat puskesmas Sangatta Utara",
      "Saya antre di puskesmas Sangatta Utara lebih dari empat jam, loket pendaftaran cuma "
      "satu petugas. Pasien lansia sampai duduk di lantai.")),
    (("Jembatan kayu di Desa Singa Gembara lapuk",
      "Jembatan kayu penghubung RT 05 dengan kebun di Desa Singa Gembara papannya lapuk dan "
      "ada yang patah. Anak sekolah lewat setiap hari."),
     ("Papan jembatan Singa Gembara patah",
      "Jembatan kecil dari kayu di Singa Gembara dekat RT 05 sudah rusak, beberapa papan "
      "patah dan berlubang, takut anak-anak jatuh ke sungai.")),
    (("Drainase tersumbat di Jalan Jenderal Sudirman",
      "Saluran air di Jalan Jenderal Sudirman depan ruko tersumbat sampah dan lumpur, setiap "
      "hujan deras air meluap ke jalan dan masuk toko."),
     ("Banjir karena got mampet di Sudirman",
      "Got di sepanjang Jalan Sudirman depan pertokoan mampet, tiap hujan jalan banjir "
      "setinggi lutut dan air masuk ke ruko. Mohon dikeruk.")),
    (("Pungutan liar pembuatan KTP di kantor kecamatan",
      "Di kantor Kecamatan Sangatta Utara warga diminta membayar Rp100.000 untuk mempercepat "
      "pembuatan KTP elektronik, padahal layanan ini gratis."),
     ("Bayar seratus ribu untuk KTP di kecamatan",
      "Petugas di kecamatan Sangatta Utara meminta uang seratus ribu rupiah supaya e-KTP "
      "cepat jadi. Bukankah pembuatan KTP tidak dipungut biaya?")),
    (("Guru jarang masuk di SD Negeri 003 Sangatta Utara",
      "Beberapa guru di SD Negeri 003 Sangatta Utara sering tidak masuk mengajar, murid kelas "
      "4 dan 5 dibiarkan belajar sendiri hampir setiap minggu."),
     ("SDN 003 Sangatta Utara murid sering tidak belajar",
      "Anak saya kelas 5 di SD Negeri 003 Sangatta Utara bilang gurunya sering tidak datang, "
      "murid hanya disuruh mencatat sendiri.")),
    (("Listrik sering padam di Desa Swarga Bara",
      "Listrik di Desa Swarga Bara padam hampir setiap malam dua sampai tiga jam tanpa "
      "pemberitahuan. Alat elektronik warga banyak yang rusak."),
     ("Pemadaman listrik tiap malam Swarga Bara",
      "Setiap malam listrik PLN di Swarga Bara mati berjam-jam, kulkas dan televisi warga "
      "rusak. Mohon penjelasan dan perbaikan jaringan.")),
    (("Anjing liar berkeliaran di Perumahan Teluk Lingga",
      "Ada kawanan anjing liar di Perumahan Teluk Lingga yang mengejar anak-anak dan "
      "pengendara motor, dua orang sudah digigit."),
     ("Warga digigit anjing liar di Teluk Lingga",
      "Anak tetangga saya digigit anjing liar di kompleks perumahan Teluk Lingga. Anjing-anjing "
      "itu berkeliaran tiap sore, mohon ditertibkan.")),
    (("Aspal Jalan Soekarno-Hatta amblas dekat Pasar Induk",
      "Aspal di Jalan Soekarno-Hatta dekat simpang Pasar Induk Sangatta amblas sekitar satu "
      "meter, kendaraan harus menghindar ke lajur lawan."),
     ("Jalan ambles di Soekarno Hatta simpang pasar",
      "Badan jalan Soekarno-Hatta dekat simpang menuju pasar induk turun dan retak, mobil "
      "banyak yang mengambil jalur berlawanan, berbahaya.")),
    (("Bantuan sosial tidak tepat sasaran di Desa Sangatta Utara",
      "Penerima bansos di Desa Sangatta Utara banyak yang mampu, sedangkan warga miskin "
      "seperti janda dan lansia di RT 12 tidak terdaftar."),
     ("Data penerima bansos Sangatta Utara salah",
      "Di desa Sangatta Utara RT 12 lansia dan janda miskin tidak dapat bantuan sosial, "
      "tetapi keluarga yang punya mobil justru menerima.")),
    (("Pelayanan IGD RSUD Kudungga lambat",
      "Keluarga saya menunggu tiga jam di IGD RSUD Kudungga tanpa ditangani dokter, padahal "
      "kondisinya sesak napas."),
     ("IGD Kudungga pasien sesak dibiarkan",
      "Pasien sesak napas dibiarkan menunggu lama di IGD rumah sakit Kudungga, dokter jaga "
      "tidak ada, perawat hanya bilang tunggu.")),
    (("Pohon tumbang menutup Jalan Pendidikan",
      "Pohon besar tumbang setelah hujan angin dan menutup separuh Jalan Pendidikan dekat "
      "kantor desa. Kendaraan harus bergantian lewat."),
     ("Pohon roboh di Jalan Pendidikan belum dibersihkan",
      "Sejak hujan angin kemarin pohon roboh di Jalan Pendidikan depan kantor desa belum "
      "dipotong, menghalangi jalan.")),
    (("Izin usaha OSS tidak terbit sudah sebulan",
      "Saya mengajukan NIB lewat OSS untuk usaha warung di Sangatta Utara sejak sebulan lalu, "
      "statusnya masih verifikasi DPMPTSP dan tidak ada jawaban."),
     ("NIB warung saya belum keluar",
      "Pengajuan NIB usaha warung makan di Sangatta Utara lewat OSS sudah sebulan tertahan di "
      "verifikasi dinas perizinan, tidak ada kabar.")),
    (("Kebocoran pipa PDAM di Jalan APT Pranoto",
      "Pipa PDAM bocor di Jalan APT Pranoto depan warung makan, air menyembur ke jalan sejak "
      "tiga hari lalu dan jalan jadi licin."),
     ("Air PDAM terbuang di APT Pranoto",
      "Di jalan APT Pranoto ada pipa air bocor, airnya mengalir terus ke jalan sudah tiga "
      "hari, sayang air bersih terbuang.")),
    (("Parkir liar di depan Pasar Induk Sangatta",
      "Juru parkir liar di depan Pasar Induk Sangatta menarik Rp5.000 per motor tanpa karcis "
      "dan kendaraan parkir sampai ke badan jalan."),
     ("Pungutan parkir tanpa karcis di pasar induk",
      "Tukang parkir di pasar induk Sangatta minta lima ribu tanpa karcis resmi, motor "
      "diparkir memakan jalan sehingga macet.")),
    (("Sekolah memungut uang seragam di SMP Negeri 1 Sangatta Utara",
      "SMP Negeri 1 Sangatta Utara mewajibkan siswa baru membeli seragam di sekolah seharga "
      "Rp1.200.000, orang tua keberatan."),
     ("Uang seragam mahal SMPN 1 Sangatta Utara",
      "Anak saya siswa baru SMPN 1 Sangatta Utara diwajibkan bayar seragam satu juta dua "
      "ratus ribu ke sekolah. Apakah ini dibolehkan?")),
    (("Lampu lalu lintas mati di simpang Jalan Yos Sudarso",
      "Lampu lalu lintas di simpang empat Jalan Yos Sudarso mati sejak dua hari, kendaraan "
      "saling serobot dan hampir terjadi tabrakan."),
     ("Traffic light simpang Yos Sudarso tidak menyala",
      "Traffic light di perempatan Yos Sudarso tidak menyala, lalu lintas semrawut terutama "
      "pagi saat jam berangkat sekolah.")),
)

TOPIC_ONLY: tuple[Pair, ...] = (
    (("Lampu penerangan jalan mati di Jalan Yos Sudarso",
      "Lampu penerangan jalan umum di Jalan Yos Sudarso dekat Pasar Induk sudah mati sepuluh "
      "hari. Jalan menjadi gelap dan rawan kecelakaan."),
     ("Lampu jalan mati di Jalan Pendidikan",
      "Tiga tiang lampu di Jalan Pendidikan dekat lapangan sepak bola tidak menyala sejak "
      "sebulan, anak-anak pulang mengaji lewat jalan gelap.")),
    (("Jalan berlubang besar di Jalan APT Pranoto",
      "Di Jalan APT Pranoto depan SD negeri ada lubang besar, kalau hujan tergenang dan tidak "
      "kelihatan. Kemarin ada pengendara motor jatuh."),
     ("Jalan rusak di Jalan Poros Sangatta–Bengalon",
      "Jalan poros Sangatta–Bengalon kilometer 12 rusak berat, aspal hancur dan berlumpur, "
      "truk sering terperosok dan macet berjam-jam.")),
    (("Sampah menumpuk di TPS Pasar Induk Sangatta",
      "TPS di belakang Pasar Induk Sangatta penuh, sampah meluber sampai ke jalan dan baunya "
      "menyengat. Truk sampah sudah seminggu tidak datang."),
     ("Warga membuang sampah ke sungai di Teluk Lingga",
      "Banyak warga membuang sampah rumah tangga ke sungai di Kelurahan Teluk Lingga karena "
      "tidak ada tempat sampah. Mohon disediakan TPS.")),
    (("Air PDAM tidak mengalir di Kelurahan Teluk Lingga",
      "Sudah lima hari air PDAM di Kelurahan Teluk Lingga tidak mengalir sama sekali. Warga "
      "terpaksa membeli air galon untuk mandi dan memasak."),
     ("Air PDAM keruh dan berbau di Desa Swarga Bara",
      "Air PDAM yang mengalir ke rumah kami di Desa Swarga Bara berwarna coklat dan berbau "
      "lumpur, tidak bisa dipakai memasak.")),
    (("Antrean BPJS di Puskesmas Sangatta Utara sangat lama",
      "Pasien BPJS di Puskesmas Sangatta Utara harus antre dari jam 7 sampai siang karena "
      "loket pendaftaran hanya satu dan petugas sering tidak ada."),
     ("Obat di Puskesmas Sangatta Utara sering kosong",
      "Setiap berobat ke Puskesmas Sangatta Utara kami disuruh membeli obat di apotek luar "
      "karena stok obat hipertensi kosong.")),
    (("Jembatan kayu di Desa Singa Gembara lapuk",
      "Jembatan kayu penghubung RT 05 dengan kebun di Desa Singa Gembara papannya lapuk dan "
      "ada yang patah. Anak sekolah lewat setiap hari."),
     ("Oprit jembatan Sangatta ambles",
      "Oprit jembatan di Jalan Yos Sudarso turun sekitar 20 cm dari lantai jembatan, "
      "kendaraan terbentur keras saat naik jembatan.")),
    (("Drainase tersumbat di Jalan Jenderal Sudirman",
      "Saluran air di Jalan Jenderal Sudirman depan ruko tersumbat sampah dan lumpur, setiap "
      "hujan deras air meluap ke jalan dan masuk toko."),
     ("Banjir di perumahan Singa Gembara",
      "Setiap hujan perumahan di Desa Singa Gembara RT 10 banjir karena tidak ada saluran "
      "pembuangan, air masuk rumah sampai mata kaki.")),
    (("Pungutan liar pembuatan KTP di kantor kecamatan",
      "Di kantor Kecamatan Sangatta Utara warga diminta membayar Rp100.000 untuk mempercepat "
      "pembuatan KTP elektronik, padahal layanan ini gratis."),
     ("Blangko KTP habis di Disdukcapil",
      "Sudah tiga bulan saya menunggu KTP elektronik, setiap ke kantor catatan sipil "
      "dibilang blangko habis. Kapan tersedia?")),
    (("Guru jarang masuk di SD Negeri 003 Sangatta Utara",
      "Beberapa guru di SD Negeri 003 Sangatta Utara sering tidak masuk mengajar, murid kelas "
      "4 dan 5 dibiarkan belajar sendiri hampir setiap minggu."),
     ("Atap kelas SD Negeri 007 Sangatta Utara bocor",
      "Atap dua ruang kelas di SD Negeri 007 Sangatta Utara bocor, saat hujan murid "
      "dipindahkan ke perpustakaan dan belajar terganggu.")),
    (("Listrik sering padam di Desa Swarga Bara",
      "Listrik di Desa Swarga Bara padam hampir setiap malam dua sampai tiga jam tanpa "
      "pemberitahuan. Alat elektronik warga banyak yang rusak."),
     ("Tiang listrik miring di Jalan Pendidikan",
      "Tiang listrik di Jalan Pendidikan dekat masjid miring dan kabelnya menjuntai rendah, "
      "berbahaya bagi truk dan pejalan kaki.")),
    (("Pelayanan IGD RSUD Kudungga lambat",
      "Keluarga saya menunggu tiga jam di IGD RSUD Kudungga tanpa ditangani dokter, padahal "
      "kondisinya sesak napas."),
     ("Biaya rawat inap RSUD Kudungga ditagih padahal pakai BPJS",
      "Ibu saya dirawat di RSUD Kudungga dengan BPJS, tetapi saat pulang kami tetap ditagih "
      "biaya obat dua juta rupiah.")),
    (("Parkir liar di depan Pasar Induk Sangatta",
      "Juru parkir liar di depan Pasar Induk Sangatta menarik Rp5.000 per motor tanpa karcis "
      "dan kendaraan parkir sampai ke badan jalan."),
     ("Pedagang berjualan di trotoar Pasar Induk Sangatta",
      "Pedagang kaki lima memakai trotoar dan bahu jalan di sekitar Pasar Induk Sangatta, "
      "pejalan kaki terpaksa berjalan di jalan raya.")),
    (("Izin usaha OSS tidak terbit sudah sebulan",
      "Saya mengajukan NIB lewat OSS untuk usaha warung di Sangatta Utara sejak sebulan lalu, "
      "statusnya masih verifikasi DPMPTSP dan tidak ada jawaban."),
     ("Retribusi IMB terlalu mahal",
      "Biaya persetujuan bangunan gedung untuk rumah tinggal di Sangatta Utara terlalu "
      "mahal dan prosesnya berbelit, mohon dipermudah.")),
    (("Anjing liar berkeliaran di Perumahan Teluk Lingga",
      "Ada kawanan anjing liar di Perumahan Teluk Lingga yang mengejar anak-anak dan "
      "pengendara motor, dua orang sudah digigit."),
     ("Sapi warga berkeliaran di Jalan Yos Sudarso",
      "Sapi milik warga dilepas dan berkeliaran di Jalan Yos Sudarso pada malam hari, "
      "sudah dua kali pengendara menabrak sapi.")),
    (("Bantuan sosial tidak tepat sasaran di Desa Sangatta Utara",
      "Penerima bansos di Desa Sangatta Utara banyak yang mampu, sedangkan warga miskin "
      "seperti janda dan lansia di RT 12 tidak terdaftar."),
     ("Pencairan BLT dana desa terlambat",
      "BLT dana desa untuk bulan Oktober di Desa Swarga Bara belum dicairkan, padahal desa "
      "lain sudah menerima.")),
)

# Slots that name a place: two fills differing in one of them are about different places.
_PLACE_SLOTS = ("jalan", "desa", "rt", "sekolah")
_DISTRICT = "64.08.04"


def _fills() -> tuple[dict[str, str], dict[str, str]]:
    """Two fills of one kecamatan (Sangatta Utara, the demo's busiest) that differ in every
    place slot, as the demo loader draws them for two reports."""
    place = data.PLACES[_DISTRICT]
    common = {"kec": "Sangatta Utara", "puskesmas": "Puskesmas Sangatta Utara",
              "tanggal": "", "unit": ""}
    first = {**common, "desa": place.villages[0], "jalan": place.roads[0], "rt": "RT 03",
             "patokan": data.LANDMARKS[0], "lama": data.DURATIONS[0],
             "sekolah": "SD Negeri 002 Sangatta Utara"}
    second = {**common, "desa": place.villages[2], "jalan": place.roads[3], "rt": "RT 11",
              "patokan": data.LANDMARKS[4], "lama": data.DURATIONS[3],
              "sekolah": "SD Negeri 009 Sangatta Utara"}
    return first, second


def demo_pairs() -> tuple[Pair, ...]:
    """The demo's reports of one template in one kecamatan about two different places: the
    commonest "same topic" pair the demo shows (its real duplicates repeat the text)."""
    first, second = _fills()
    pairs = []
    for template in data.TEMPLATES:
        text = template.title + template.body
        if template.regions or not any(f"{{{slot}}}" in text for slot in _PLACE_SLOTS):
            continue  # a fixed place or no place: two such reports are the same problem
        pairs.append(((template.title.format(**first), template.body.format(**first)),
                      (template.title.format(**second), template.body.format(**second))))
    return tuple(pairs)


def labelled() -> list[tuple[Pair, bool]]:
    return [*((p, True) for p in SAME),
            *((p, False) for p in itertools.chain(TOPIC_ONLY, demo_pairs()))]
