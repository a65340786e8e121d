"""The privacy boundary: a snapshot holds no worker name and no raw NIK (a
keyed HMAC instead), donor names only where the donor said ya, and is
replaced whole or not at all."""
import base64
import datetime as dt
import hashlib
import hmac
import re

from conftest import SCHEMA_DIR
from lindung.contract import load as load_contract
from lindung.pull.minimise import pseudonym
from lindung.pull.minimise import minimise as minimise_with
from lindung.store import snapshot as store
from lindung.store.snapshot import Snapshot

CONTRACT = load_contract(SCHEMA_DIR)


def minimise(kode, validated, secret):
    return minimise_with(kode, validated, secret, CONTRACT)


class snapshot:  # the store's functions, with this project's contract
    write = staticmethod(lambda folder, snap: store.write(folder, snap, CONTRACT))
    read = staticmethod(lambda folder: store.read(folder, CONTRACT))
    read_all = staticmethod(lambda root: store.read_all(root, CONTRACT))
    content_hash = staticmethod(lambda snap: store.content_hash(snap, CONTRACT))

NIK = "9971029912310001"


def files(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_the_nik_becomes_an_hmac_sha256_keyed_with_the_secret():
    expected = base64.b32encode(hmac.new(b"kunci", NIK.encode(), hashlib.sha256).digest()).decode()
    assert pseudonym(NIK, "kunci") == expected.rstrip("=").lower()[:32]


def test_the_same_nik_gets_the_same_hash_and_another_secret_another_hash():
    assert pseudonym(NIK, "kunci") == pseudonym(NIK, "kunci")
    assert pseudonym(NIK, "kunci") != pseudonym(NIK, "kunci lain")
    assert pseudonym(NIK, "kunci") != pseudonym("9971029912310002", "kunci")


def test_a_hash_never_looks_like_a_nik_or_contains_it():
    for n in range(200):
        nik = f"99{n:014d}"
        hashed = pseudonym(nik, "kunci")
        assert not re.search(r"\d{16}", hashed) and nik not in hashed


def test_minimising_drops_names_and_nik_and_keeps_only_the_listed_columns(check, rows):
    validated = check(
        headers={"peserta": rows.titles("peserta") + ["Alamat", "No HP"]},
        peserta=[rows.peserta(nik=NIK, nama="Siti Aminah Uji") + ["Jl. Contoh 1", "081234567890"]])
    minimised = minimise("33.71.02", validated, "kunci")
    [row] = minimised.tables["peserta"]
    assert list(row) == CONTRACT.stored_columns("peserta")
    assert row["nik_hash"] == pseudonym(NIK, "kunci")
    assert NIK not in repr(minimised) and "Siti Aminah Uji" not in repr(minimised)
    assert "081234567890" not in repr(minimised) and "Jl. Contoh" not in repr(minimised)


def test_a_donor_name_is_kept_only_when_tampilkan_nama_is_ya(check, rows):
    validated = check(donatur=[rows.donatur(id="D001", nama="Donatur Tampil", tampilkan_nama="ya"),
                               rows.donatur(id="D002", nama="Donatur Tersembunyi", tampilkan_nama="tidak"),
                               rows.donatur(id="D003", nama="Donatur Kosong", tampilkan_nama=None)])
    donors = minimise("33.71.02", validated, "kunci").tables["donatur"]
    assert [(d["id"], d["nama"]) for d in donors] == [("D001", "Donatur Tampil"), ("D002", None), ("D003", None)]
    # a donor who did not agree leaves nothing that identifies them: no instansi either
    assert [d["instansi"] for d in donors] == ["Dinas Contoh", None, None]


def test_a_snapshot_reads_back_as_it_was_written(tmp_path, check, rows):
    validated = check(peserta=[rows.peserta(iuran_bulanan="16.800", mulai="24 Maret 2025",
                                            berlaku_sampai=dt.date(2026, 3, 23))],
                      donatur=[rows.donatur()], wilayah=[rows.wilayah(target_pekerja_rentan=100)],
                      santunan=[rows.santunan(jumlah="40,5")])
    written = minimise("33.71.02", validated, "kunci")
    written.meta = {"kode": "33.71.02", "diambil": "2026-11-23T06:00:00+07:00", "menunggu_perbaikan": 0}
    snapshot.write(tmp_path / "33.71.02", written)

    read = snapshot.read(tmp_path / "33.71.02")
    assert read.tables == written.tables
    assert read.meta == written.meta
    assert read.taken == dt.date(2026, 11, 23)
    assert read.tables["peserta"][0]["mulai"] == dt.date(2025, 3, 24)
    assert read.tables["peserta"][0]["iuran_bulanan"] == 16800
    assert read.tables["wilayah"][0]["target_pekerja_rentan"] == 100
    assert read.tables["santunan"][0]["jumlah"] == 40.5


def test_writing_replaces_the_folder_whole_and_leaves_nothing_beside_it(tmp_path):
    folder = tmp_path / "snapshots" / "33.71.02"
    snapshot.write(folder, Snapshot("33.71.02", {"peserta": []}, {"kode": "33.71.02"}))
    (folder / "sisa.txt").write_text("dari pengambilan lama")
    snapshot.write(folder, Snapshot("33.71.02", {"peserta": []}, {"kode": "33.71.02"}))
    assert sorted(files(folder)) == ["donatur.csv", "meta.json", "peserta.csv", "santunan.csv", "wilayah.csv"]
    assert [p.name for p in folder.parent.iterdir()] == ["33.71.02"]


def test_two_writes_of_the_same_snapshot_are_byte_identical(tmp_path, check, rows):
    validated = check(peserta=[rows.peserta(nik=NIK)], donatur=[rows.donatur()])
    for name in ("a", "b"):
        made = minimise("33.71.02", validated, "kunci")
        made.meta = {"kode": "33.71.02", "isi": snapshot.content_hash(made)}
        snapshot.write(tmp_path / name, made)
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_the_content_hash_changes_with_the_data(check, rows):
    one = minimise("33.71.02", check(peserta=[rows.peserta(nik=NIK)]), "kunci")
    two = minimise("33.71.02", check(peserta=[rows.peserta(nik=NIK, kelurahan="Wates")]), "kunci")
    assert snapshot.content_hash(one) == snapshot.content_hash(one)
    assert snapshot.content_hash(one) != snapshot.content_hash(two)


def test_reading_all_skips_half_written_and_hidden_folders(tmp_path):
    snapshot.write(tmp_path / "33.71.02", Snapshot("33.71.02", {}, {"kode": "33.71.02"}))
    (tmp_path / ".33.71.03.tmp").mkdir()
    (tmp_path / "33.71.03").mkdir()  # no meta.json: never finished
    assert list(snapshot.read_all(tmp_path)) == ["33.71.02"]
    assert snapshot.read_all(tmp_path / "tidak-ada") == {}
