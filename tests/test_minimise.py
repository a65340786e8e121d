"""Minimise: the keyed hash of a NIK, and the guard behind validate over
every value a snapshot would hold."""
import base64
import hashlib
import hmac

from conftest import SECRET
from lindung import privacy
from lindung.pull.minimise import leaks, pseudonym, pseudonyms
from lindung.store.snapshot import Snapshot


def test_a_pseudonym_is_the_base32_of_the_nik_s_hmac_sha256_cut_to_32_characters():
    niks = ["9900000000000001", "9971029912310002", "3374101234567890"]
    for nik in niks:
        digest = hmac.new(SECRET.encode(), nik.encode(), hashlib.sha256).digest()
        assert pseudonym(nik, SECRET) == base64.b32encode(digest).decode().rstrip("=").lower()[:32]
    assert pseudonyms([niks[0], None, niks[1], None], SECRET) == [pseudonym(niks[0], SECRET), None,
                                                                 pseudonym(niks[1], SECRET), None]
    assert pseudonym(niks[0], SECRET + "x") != pseudonym(niks[0], SECRET)


def test_leaks_names_the_first_kind_of_personal_data_in_row_order():
    clean = {"nik_hash": pseudonym("9900000000000001", SECRET), "kelurahan": "33.71.02.1004", "iuran": 16800.0}
    snapshot = Snapshot("33.71.02", {
        "peserta": [clean, clean, {**clean, "kelurahan": "Hubungi 0812-3456-7891"}],
        "donatur": [{"nama": "3374101234567890"}, {"nama": "siti@contoh.co.id"}],
    })
    assert leaks(snapshot) == privacy.LABELS[privacy.PHONE]
    snapshot.tables["peserta"][2] = clean
    assert leaks(snapshot) == privacy.LABELS[privacy.NIK]
    snapshot.tables["donatur"] = [{"nama": "Donatur Contoh", "periode": 3374101234567890.0, "ya": True}]
    assert leaks(snapshot) == privacy.LABELS[privacy.NIK]  # a number written out, as the CSV would
    snapshot.tables["donatur"] = [{"nama": "Donatur Contoh", "periode": 12, "ya": True}]
    assert leaks(snapshot) == ""
