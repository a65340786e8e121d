"""The privacy guard: the last check before a site is published. It finds
16-digit numbers and Indonesian phone numbers in any file written, says where
without repeating them, and a build it stops leaves the last site in place."""
import datetime as dt
import hashlib
import json
import random

import pytest

from conftest import AS_OF, KODE, Project, Rows, copy_project
from lindung import privacy as guard
from lindung.build.site import BuildError

YEAR = dict(mulai=dt.date(2026, 1, 1), berlaku_sampai=dt.date(2026, 12, 31))


def files(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("planted", [
    "3374150101900001",
    "3374 1501 0190 0001",
    "3374.1501.0190.0001",
    "3374-1501-0190-0001",
    "NIK:3374150101900001.",
])
def test_a_nik_shaped_number_is_found(tmp_path, planted):
    (tmp_path / "halaman").mkdir()
    (tmp_path / "halaman" / "index.html").write_text(f"<p>aman</p>\n<td>{planted}</td>\n", encoding="utf-8")
    assert guard.scan(tmp_path) == ["halaman/index.html:2: angka 16 digit (bentuk NIK)"]


@pytest.mark.parametrize("planted", [
    "081234567890", "0812-3456-7890", "0812 3456 789", "+62 812 3456 7890", "+6281234567890", "62-812-3456-7890",
    "Hubungi 0857.1234.5678",
])
def test_an_indonesian_phone_number_is_found(tmp_path, planted):
    (tmp_path / "index.html").write_text(f"<p>aman</p>\n<td>{planted}</td>\n", encoding="utf-8")
    assert guard.scan(tmp_path) == ["index.html:2: nomor telepon"]


@pytest.mark.parametrize("planted, what", [("3374150101900001", "angka 16 digit (bentuk NIK)"),
                                           ("081234567890", "nomor telepon")])
def test_a_nik_or_phone_number_in_a_csv_cell_is_found(tmp_path, planted, what):
    (tmp_path / "donatur.csv").write_text(f"nama,instansi\nDonatur Contoh,{planted}\n", encoding="utf-8")
    assert guard.scan(tmp_path) == [f"donatur.csv:2: {what}"]


@pytest.mark.parametrize("harmless", [
    "Rp42.000.000", "Rp16.800", "1.234.567", "40,69%", "33.74.15.1001", "3374151001", "2026-11-23",
    "24 Maret 2025", "99 pekerja dari 1.000", "2z7ekwt45j3m4nqdxjcoulc5afke3lam", "cakupan 0,81234567",
    "123456789012345", "12345678901234567",
])
def test_figures_codes_dates_and_hashes_are_not_mistaken_for_private_data(tmp_path, harmless):
    (tmp_path / "index.html").write_text(f"<td>{harmless}</td>\n", encoding="utf-8")
    assert guard.scan(tmp_path) == []


def test_a_finding_says_where_but_never_repeats_the_number(tmp_path):
    (tmp_path / "a.txt").write_text("x\ny\n3374150101900001 dan 081234567890\n", encoding="utf-8")
    findings = guard.scan(tmp_path)
    assert findings == ["a.txt:3: angka 16 digit (bentuk NIK)", "a.txt:3: nomor telepon"]
    assert not any("3374150101900001" in f or "081234567890" in f for f in findings)


def test_every_text_file_is_scanned_and_images_are_not(tmp_path):
    (tmp_path / "static").mkdir()
    for name in ("static/style.css", "sitemap.xml", "robots.txt", "data/x.json", "cari/index.js"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("/* 3374150101900001 */\n", encoding="utf-8")
    (tmp_path / "static" / "logo.png").write_bytes(b"\x89PNG 3374150101900001")
    assert sorted(f.split(":")[0] for f in guard.scan(tmp_path)) == [
        "cari/index.js", "data/x.json", "robots.txt", "sitemap.xml", "static/style.css"]


# --- in a build ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def published_site(tmp_path_factory, schemas, wilayah_loaded_once):
    """A project whose good site is already built: the last site in place.
    Each test below plants something in its sheet and pulls it again."""
    rows = Rows(schemas)
    project = Project(copy_project(tmp_path_factory.mktemp("penjaga") / "proyek"), rows)
    plant(project, nama="Donatur Contoh Baik", tampilkan_nama="ya")
    project.build(AS_OF)
    return project


def allowed(project) -> tuple[str, ...]:
    """The site's own contact from lindung.toml, which every page's footer shows."""
    from lindung.build.site import kontak

    return kontak(project.config().site).allowed


def plant(project, **donor):
    rows = project.rows
    project.add(KODE, peserta=[rows.peserta(sumber_dana="donatur", id_donatur="D001", **YEAR)],
                donatur=[rows.donatur(id="D001", **donor)], wilayah=[rows.wilayah()])
    project.pull()
    return project


def plant_in_store(project, column, text):
    """Past the pull's own checks: a value edited into the data store by hand."""
    path = project.config().snapshot_dir / KODE / "donatur.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = f'"{text}"'
    path.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("planted", [
    dict(nama="3374150101900001"),  # a NIK as a donor's name
    dict(instansi="Hubungi 0812-3456-7890"),  # a phone number as an instansi
    dict(instansi="Hubungi (0812) 3456-7891"),
    dict(nama="3374-101234567890"),
])
def test_a_planted_nik_or_phone_number_fails_the_build_and_the_last_site_stays(published_site, planted):
    project = published_site
    before = files(project.site)
    plant(project, nama="Donatur Contoh Baik", tampilkan_nama="ya")
    [(column, text)] = planted.items()
    plant_in_store(project, column, text)

    with pytest.raises(BuildError) as stopped:
        project.build(AS_OF + dt.timedelta(days=1))

    assert "situs lama tetap dipakai" in str(stopped.value)
    assert "donatur/kota-magelang/index.html" in str(stopped.value)
    assert list(planted.values())[0] not in str(stopped.value)
    assert files(project.site) == before
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith((".site", "site"))) == ["site"]


def test_the_cli_build_exits_1_when_the_guard_stops_it(published_site):
    project = published_site
    before = files(project.site)
    plant(project, nama="Donatur Contoh Baik", tampilkan_nama="ya")
    plant_in_store(project, "nama", "3374150101900001")
    result = project.cli("build", "--as-of", "2026-11-24")
    assert result.exit_code == 1
    assert "Pemeriksa privasi" in result.stderr and "3374150101900001" not in result.output
    assert files(project.site) == before


def test_a_hidden_donor_with_a_nik_as_name_does_not_stop_the_build(published_site, tmp_path):
    plant(published_site, nama="3374150101900001", tampilkan_nama="tidak")
    out = published_site.build(AS_OF, out=tmp_path / "situs")
    assert guard.scan(out, allowed=allowed(published_site)) == []


def test_a_nik_typed_into_the_wrong_column_neither_reaches_the_site_nor_stops_the_build(project, rows):
    project.add(KODE, peserta=[rows.peserta(**YEAR), rows.peserta(mulai="9971029912310001")])
    project.pull()
    project.build(AS_OF)
    assert guard.scan(project.site, allowed=allowed(project)) == []


# --- the same findings, however the guard is made faster ----------------------------------

# Every form of personal data the tests above and test_privacy_boundary.py know,
# and look-alikes on either side of each pattern's edges.
PERSONAL = [
    "3374150101900001", "3374 1501 0190 0001", "3374.1501.0190.0001", "3374-1501-0190-0001",
    "NIK:3374150101900001.", "3374-101234567890", "3374 1012 3456 7890", "33.74.10.123456.7890",
    "3374/1012/3456/7890", "x3374150101900001", "3374150101900001x", "0.123456789012345", "12.3456789012345",
    "081234567890", "0812-3456-7890", "0812 3456 789", "+62 812 3456 7890", "+6281234567890",
    "62-812-3456-7890", "Hubungi 0857.1234.5678", "081234567891", "(0812) 3456-7891", "+62 812-3456-7891",
    "0812.3456.7891", "62 812 3456 7891", "( +62 ) 812 3456 7891", "(62)81234567890", "08123", "0812345678901234",
    "siti.canary@contoh.co.id", "a@b.c", "halo@lindung.example.org", "lindung@proyek.iam.gserviceaccount.com",
    "x@y", "@kecamatan", "Jl. Kenari Canary No. 5", "Gg. Melati Canary 3", "Perum Griya Canary Blok C",
    "jln merdeka", "Jalan Pemuda 12", "kompleks A", "RT 03/RW 05", "rt.3 / rw.12", "Blok C No. 5 RT",
    "no 12 rw", "Jl.", "Gang", "Rp42.000.000", "Rp16.800", "1.234.567", "40,69%", "33.74.15.1001", "3374151001",
    "2026-11-23", "24 Maret 2025", "99 pekerja dari 1.000", "2z7ekwt45j3m4nqdxjcoulc5afke3lam",
    "cakupan 0,81234567", "123456789012345", "12345678901234567",
]
# What a page is made of: figures, dates, codes, markup.
CLEAN = [
    "Rp{k}.{b:03d}", "{k}.{b:03d}.{b:03d}", "{p},{q:02d}%", "33.{k:02d}.{b:02d}.{a:04d}", "{d}/{m}/{y}",
    "{y}-{m:02d}-{d:02d}", "{d} Maret {y}", "<td class=\"angka\">{a}</td>", "{a} dari {b} pekerja",
    "{y}-{m:02d}-{d:02d}T{m:02d}:{d:02d}:00+07:00", "kode {k}{b}", "Jumlah: {a}",
    "Total Rp{k}.{b:03d}.{b:03d}.{b:03d}",
]
# Random runs of digits and separators, some of them shaped like a NIK or a phone number.
SHAPES = [
    "\"jumlah\": {a}{b}{c}", "kode {k}{b}{a}", "v{a}.{b}.{c}", "#{a:x}{b:x}", "{a}-{b}-{c}", "{a} {b} {c}",
    "({a}) {b}", "+{a}", "{a}@{b}", "08{a}-{b}", "+62 8{b} {a}", "(0{k}) {a}{b}", "62{c}{a}", "08{k}.{c}.{b}",
    "no {b} rt", "jl{a}", "gg {b}", "rt {k} /rw{b}",
]


def filled(pattern: str, rng: random.Random) -> str:
    return pattern.format(a=rng.randrange(1, 99_999), b=rng.randrange(1000), c=rng.randrange(1_000_000),
                          p=rng.randrange(100), q=rng.randrange(100), k=rng.randrange(100), d=rng.randrange(1, 32),
                          m=rng.randrange(1, 13), y=rng.randrange(1990, 2030))


def guard_corpus(lines: int = 20_000, seed: int = 12) -> list[str]:
    """Lines of page-like text with each PERSONAL form and random figures in
    random company: next to letters, dots, brackets, other digits."""
    rng = random.Random(seed)
    glue = [" ", " ", " ", ", ", "; ", "<td>", "</td>", ":", "(", ")", "-", ".", "/", "\t", "x", "_", "@", "+", ""]
    out = []
    for _ in range(lines):
        parts = []
        for _ in range(rng.randrange(1, 9)):
            if rng.random() < 0.12:
                parts.append(rng.choice(PERSONAL))
            else:
                parts.append(filled(rng.choice(SHAPES if rng.random() < 0.15 else CLEAN), rng))
            parts.append(rng.choice(glue))
        out.append("".join(parts))
    return out


# The findings of the guard as it was before it searched only where a pattern can start.
CORPUS_FINDINGS = {"counts": {"nik": 1393, "telepon": 3124, "email": 1277, "alamat": 2993}, "findings": 5511,
                   "digest": "6c3b2f517ea9e5d98e619ab46ccad1a185401a1cf361fc45c81274bc861fe5f0"}


def test_the_guard_finds_exactly_what_it_found_before_over_a_large_corpus(tmp_path):
    corpus = guard_corpus()
    per_line = [guard.kinds(line) for line in corpus]
    (tmp_path / "a.html").write_text("\n".join(corpus[:10_000]), encoding="utf-8")
    (tmp_path / "b.csv").write_text("\n".join(corpus[10_000:]), encoding="utf-8")
    found = guard.scan(tmp_path, allowed=["halo@lindung.example.org", "0812-3456-7890"])
    counts = {kind: sum(kind in kinds for kinds in per_line) for kind in guard.LABELS}
    digest = hashlib.sha256(json.dumps([per_line, found]).encode()).hexdigest()
    assert {"counts": counts, "findings": len(found), "digest": digest} == CORPUS_FINDINGS


def test_a_large_clean_page_has_no_findings():
    rng = random.Random(5)
    page = ["<td>" + "</td><td>".join(filled(pattern, rng) for pattern in CLEAN) + "</td>" for _ in range(5_000)]
    assert guard.scan_lines("halaman", page) == []
