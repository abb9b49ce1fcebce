"""Report texts with a realistic word distribution for ``lapor seed --texts realistic`` (issue 21).

The default seed texts (``lapor.demo.seed.TOPICS``) come from a few templates per topic: every
two-word phrase of a topic matches a large share of the table, the worst case for full-text
search. Real complaints are written in many words, with a few very common ones ("jalan",
"warga", "sudah") and a long tail. This module writes texts that look like that:

* the **vocabulary** is every word of the demo's report and answer templates
  (:data:`lapor.demo.data.TEMPLATES`, ~1,000 words) plus :data:`EXTRA`, a list of Indonesian
  complaint words (services, places, objects, officials, feelings) the templates lack;
* words are ranked by how often the demo's texts use them (the extra words after, in a fixed
  shuffled order) and drawn with **Zipf-like** weights ``1 / (rank + 2.7) ** 1.07`` (the
  Zipf–Mandelbrot shape of natural-language word counts);
* each report leans on its **topic**: a third of its words come from the topic's own words
  (the seed's topic templates and the demo templates of the matching categories), also
  Zipf-ranked, so a category's reports share words the way real ones do;
* the title is 4–9 words and names the place; the body 2–5 sentences of 6–16 words each.

The result is word salad, not prose: it is for measuring an index, where only which words occur
together and how often matters. Deterministic for a given random generator.
"""

from __future__ import annotations

import random
import re
from itertools import accumulate

from lapor.demo.data import TEMPLATES

TEXT_KINDS = ("templated", "realistic")

# Indonesian complaint vocabulary the demo templates do not use (nouns, verbs, adjectives of
# public-service complaints). Only words: the generator adds places and numbers itself.
_EXTRA_TEXT = """
keluhan aduan pengaduan laporan masyarakat pemerintah daerah kabupaten kota provinsi desa
kelurahan kecamatan dusun lingkungan perumahan kompleks gang lorong pasar terminal pelabuhan
bandara stasiun halte trotoar jembatan gorong selokan parit got tanggul bendungan irigasi sawah
kebun ladang hutan sungai danau pantai laut tambang galian pabrik gudang toko warung kios
kantor balai aula gedung rumah sakit klinik posyandu apotek bidan perawat dokter pasien rujukan
ambulans vaksin imunisasi gizi stunting demam berdarah nyamuk fogging jentik sanitasi jamban
septik limbah pencemaran asap debu bising getaran bau busuk genangan banjir rob longsor abrasi
kebakaran pohon tumbang ranting kabel tiang trafo gardu meteran token tagihan tarif denda pajak
retribusi parkir liar pedagang kaki lima penertiban satpol preman pungli calo sogok suap gratifikasi
korupsi kolusi nepotisme penyalahgunaan wewenang honorer pegawai aparatur camat lurah kades
sekdes bupati walikota gubernur dewan anggota ketua bendahara operator admin petugas oknum
sekolah madrasah pesantren kampus guru murid siswa mahasiswa beasiswa ijazah rapor seragam buku
zonasi pendaftaran kuota bangku ruang kelas laboratorium perpustakaan toilet kantin lapangan
bantuan sembako beras minyak gula elpiji gas tabung subsidi pupuk solar bensin pertalite antrean
sinyal internet jaringan telepon seluler pemancar listrik padam pemadaman tegangan korsleting
air bersih sumur bor hidran pipa bocor meteran keruh berbau kering mampet tersumbat meluap
sertifikat tanah sengketa batas patok ganti rugi pembebasan lahan proyek kontraktor tender
anggaran dana desa musrenbang realisasi mangkrak terbengkalai molor terlambat lambat lama
berbelit mahal gratis dipersulit ditolak diabaikan dibiarkan rusak hancur retak amblas bergelombang
berdebu licin gelap rawan bahaya kecelakaan pencurian begal balap narkoba judi miras tawuran
keamanan ketertiban kebersihan kenyamanan kesehatan pelayanan informasi transparansi
kepastian kejelasan tanggapan tindak lanjut respons jawaban janji kunjungan survei pengecekan
warga tetangga lansia disabilitas anak balita ibu hamil petani nelayan buruh pekerja ojek sopir
angkot bus travel kapal speedboat perahu motor mobil truk sawit batubara tambak ikan udang
sapi kambing ayam anjing liar babi hutan buaya ular monyet gajah hama tikus wereng
minggu bulan tahun pagi siang sore malam subuh hujan kemarau musim
"""
EXTRA = _EXTRA_TEXT.split()

TEMPLATE_TOPIC_WORDS = {
    # The seed's topics (lapor.demo.seed.TOPICS) → words in the demo's category codes.
    "jalan": ("jalan", "jembatan"), "air": ("air", "banjir", "drainase"),
    "listrik": ("listrik", "lampu", "pju"), "kesehatan": ("kesehatan", "puskesmas", "rsud"),
    "pendidikan": ("pendidikan", "sekolah"), "kependudukan": ("ktp", "akta", "kk", "adminduk"),
    "sampah": ("sampah", "lingkungan"), "sosial": ("bansos", "sosial"),
    "perizinan": ("izin", "perizinan"), "umum": (),
}
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if len(w) >= 2]


def _proper_names(texts: list[str]) -> set[str]:
    """Words written capitalised more often than not (Sangatta, Kutai, Sudirman): the demo's
    places and names, which would make every national report sound like Kutai Timur."""
    upper: dict[str, int] = {}
    total: dict[str, int] = {}
    for text in texts:
        for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)):
            key = w.lower()
            total[key] = total.get(key, 0) + 1
            upper[key] = upper.get(key, 0) + (w[0].isupper() and not w.isupper())
    return {w for w, n in total.items() if upper[w] * 2 > n}


def _ranked(counts: dict[str, int], extra: list[str], seed: str) -> list[str]:
    """Words by decreasing count (ties in a fixed shuffled order), then ``extra``."""
    order = sorted(counts)
    random.Random(seed).shuffle(order)  # noqa: S311  (fixture data)
    tie = {w: i for i, w in enumerate(order)}
    ranked = sorted(counts, key=lambda w: (-counts[w], tie[w]))
    tail = [w for w in extra if w not in counts]
    random.Random(seed + ":extra").shuffle(tail)  # noqa: S311
    return ranked + tail


def _zipf_weights(n: int) -> list[float]:
    return list(accumulate(1.0 / (rank + 2.7) ** 1.07 for rank in range(n)))


class Vocabulary:
    """Zipf-weighted word lists: one for all texts, one per topic."""

    def __init__(self, topic_texts: dict[str, list[str]]) -> None:
        demo = [f"{t.title} {t.body} {t.answer}" for t in TEMPLATES]
        names = _proper_names(demo)
        counts: dict[str, int] = {}
        for text in demo:
            for w in _words(text):
                if w not in names:
                    counts[w] = counts.get(w, 0) + 1
        self.words = _ranked(counts, EXTRA, "lapor-vocabulary")
        self.cum = _zipf_weights(len(self.words))
        self.topics: dict[str, tuple[list[str], list[float]]] = {}
        for topic, texts in topic_texts.items():
            own: dict[str, int] = {}
            keys = TEMPLATE_TOPIC_WORDS.get(topic, ())
            sources = list(texts) + [f"{t.title} {t.body}" for t in TEMPLATES
                                     if any(k in t.category for k in keys)]
            for text in sources:
                for w in _words(text):
                    if w not in names:
                        own[w] = own.get(w, 0) + 1
            ranked = _ranked(own, [], f"lapor-topic:{topic}")
            self.topics[topic] = (ranked, _zipf_weights(len(ranked)))

    def draw(self, rng: random.Random, topic: str, k: int) -> list[str]:
        words, cum = self.topics.get(topic) or (self.words, self.cum)
        n_topic = sum(1 for _ in range(k) if rng.random() < 1 / 3)
        return (rng.choices(words, cum_weights=cum, k=n_topic)
                + rng.choices(self.words, cum_weights=self.cum, k=k - n_topic))


def realistic_text(vocab: Vocabulary, rng: random.Random, topic: str, place: str,
                   district: str) -> tuple[str, str]:
    """A title and body for one report of ``topic`` about ``place`` in ``district``."""
    title_words = vocab.draw(rng, topic, rng.randint(3, 7))
    title = " ".join(title_words).capitalize() + f" di {place}"
    sentences = []
    for i in range(rng.randint(2, 5)):
        words = vocab.draw(rng, topic, rng.randint(6, 16))
        if i == 0:
            words += ["di", *place.split(), "kecamatan", *district.split()]
        elif rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), str(rng.randint(2, 30)))
        sentences.append(" ".join(words).capitalize() + ".")
    return title[:200], " ".join(sentences)
