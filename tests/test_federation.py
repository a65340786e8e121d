"""Keyless access to Google: Workload Identity Federation, as the daily
workflow sets it up with google-github-actions/auth. google-auth's
external-account credentials fetch GitHub's OIDC token, exchange it at STS
and impersonate the service account, all against the local fake; then a
pull reads the sheets with that account's token, and `lindung doctor` names
the account. No key exists anywhere."""
import json

from fake_google import FakeGoogle, fake_google  # noqa: F401  (fixture)
from test_pull_google import EMAIL, SECRET, Proyek, data, key_of, sheet

from lindung.pull.sources import google

NGALIYAN = "33.74.15"


def federated(fake: FakeGoogle, tmp_path, **changes) -> dict[str, str]:
    info = {**fake.external_account_info(), **changes}
    path = tmp_path / "gha-creds.json"  # where the auth action writes it
    path.write_text(json.dumps(info), encoding="utf-8")
    env = fake.environ(GOOGLE_APPLICATION_CREDENTIALS=str(path))
    del env["LINDUNG_GOOGLE_CREDENTIALS"]
    return env


def test_a_pull_with_federated_credentials_reads_the_sheets_as_the_service_account(tmp_path, fake_google):
    proyek = Proyek(tmp_path / "proyek")
    proyek.sources({NGALIYAN: key_of(NGALIYAN)})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(data(NGALIYAN)))
    env = federated(fake_google, tmp_path)

    result = proyek.pull(fake_google, environ=env)

    assert result.reports[NGALIYAN].ok, result.reports[NGALIYAN].reason
    assert proyek.meta(NGALIYAN)["baris"]["peserta"] == 3
    # GitHub's token, then STS, then impersonation of exactly this account
    assert fake_google.federation_log[:3] == ["/oidc", "/sts/v1/token",
                                              f"/iam/v1/projects/-/serviceAccounts/{EMAIL}:generateAccessToken"]
    assert fake_google.impersonated == [EMAIL]
    assert fake_google.token_claims == []  # no service-account key was ever used


def test_doctor_names_the_impersonated_service_account(tmp_path, fake_google):
    proyek = Proyek(tmp_path / "proyek")
    proyek.sources({NGALIYAN: key_of(NGALIYAN)})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(data(NGALIYAN)))
    result = proyek.cli("doctor", env={**federated(fake_google, tmp_path), "LINDUNG_SECRET": SECRET})
    assert f"✓ Kredensial Google (federasi tanpa kunci): akun layanan {EMAIL}." in result.output
    assert "✓ Semua 1 Google Sheet dibagikan ke akun itu." in result.output


def test_federation_without_impersonation_is_a_clear_credentials_error(tmp_path, fake_google):
    env = federated(fake_google, tmp_path, service_account_impersonation_url=None)
    try:
        google.connect(env)
    except google.SourceError as error:
        assert error.kind == "kredensial" and "service_account_impersonation_url" in error.reason
    else:
        raise AssertionError("connect() accepted federation without a service account")


def test_a_rejected_github_token_fails_every_google_sheet_with_a_reason(tmp_path, fake_google):
    proyek = Proyek(tmp_path / "proyek")
    proyek.sources({NGALIYAN: key_of(NGALIYAN)})
    fake_google.add_spreadsheet(key_of(NGALIYAN), sheet(data(NGALIYAN)))
    info = fake_google.external_account_info()
    info["credential_source"]["headers"] = {"Authorization": "Bearer kedaluwarsa"}
    env = federated(fake_google, tmp_path, credential_source=info["credential_source"])
    report = proyek.pull(fake_google, environ=env).reports[NGALIYAN]
    assert not report.ok and report.reason_kind in ("kredensial", "jaringan", "server", "ditolak")
    assert "kedaluwarsa" not in report.reason and "Bad credentials" not in report.reason
