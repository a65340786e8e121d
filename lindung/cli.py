"""The `lindung` command: wires the stages together and decides what is
printed and which exit code is given. Nothing else lives here.

Exit codes: 0 done; 1 the work found a problem (--strict and errors, a build
the privacy guard stopped); 2 usage or config error, or another run still
holds the data store or site folder after `lock_timeout`; 3 `pull` ran (or
`basi` looked), but a source has failed for longer than `stale_days` (the
daily job still builds and deploys what is fresh, then turns red); 4 a folder could not be written
(disk full, read-only, no permission): every snapshot and the site are each
still whole, old or new, and the next run starts clean.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from . import config as config_module, jobs, matriks, privacy


STALE = 3
CANNOT_WRITE = 4

# An OSError from writing, said for an operator: what happened, what to do.
_DISK = {
    errno.ENOSPC: ("disk penuh", "kosongkan ruang disk"),
    errno.EDQUOT: ("kuota disk habis", "kosongkan ruang disk atau naikkan kuotanya"),
    errno.EROFS: ("sistem berkasnya hanya-baca", "pakai folder yang bisa ditulis"),
    errno.EACCES: ("tidak ada izin", "periksa pemilik dan izin folder itu"),
    errno.EPERM: ("tidak ada izin", "periksa pemilik dan izin folder itu"),
    errno.EEXIST: ("sebagian jalurnya berkas, bukan folder", "pindahkan berkas itu atau pilih folder lain"),
    errno.ENOTDIR: ("sebagian jalurnya berkas, bukan folder", "pindahkan berkas itu atau pilih folder lain"),
}


@contextmanager
def _edge(folder: Path, kept: str = " Situs dan snapshot yang sudah ada tetap utuh."):
    """Around a job: another run holding the lock (exit 2) and a folder that
    cannot be written (exit 4) become one Indonesian line, never a
    traceback. The line names the folder, never what was being written."""
    try:
        yield
    except jobs.Busy as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except OSError as error:
        what, fix = _DISK.get(error.errno, ("kesalahan sistem berkas", "periksa disk dan folder itu"))
        code = errno.errorcode.get(error.errno, "?")
        click.echo(f"Tidak bisa menulis ke {_folder(error, folder)}: {what} ({code}); {fix}, lalu jalankan "
                   f"lagi.{kept}", err=True)
        sys.exit(CANNOT_WRITE)


def _folder(error: OSError, folder: Path) -> Path:
    """The folder to name: the job's own when the failing path is it, in it
    or beside it (staging folders, the lock), else the failing path's folder."""
    if not error.filename:
        return folder
    path = Path(os.fsdecode(error.filename)).absolute()
    folder = folder.absolute()
    if path in (folder, folder.parent) or folder.parent in path.parents:
        return folder
    return path if path.is_dir() else path.parent


def _load(root: Path, remember: bool = True) -> config_module.Config:
    try:
        return config_module.load(root, remember=remember)
    except config_module.ConfigError as error:
        for problem in error.problems:
            click.echo(f"Konfigurasi salah: {problem}", err=True)
        sys.exit(2)


@click.group()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              envvar="LINDUNG_ROOT", help="Folder proyek (berisi registry/, content/, templates/).")
@click.pass_context
def main(ctx: click.Context, root: Path) -> None:
    """Lindung: tarik sheet kecamatan, periksa, dan bangun situs statis."""
    ctx.obj = root


def _choosing(command):
    """--provinsi and --only: which kecamatan a command takes."""
    command = click.option("--only", "only", multiple=True, metavar="KODE",
                           help="Hanya kecamatan ini (boleh diulang).")(command)
    return click.option("--provinsi", "provinsi", multiple=True, metavar="KODE[,KODE…]",
                        help="Hanya kecamatan provinsi ini: dua angka pertama kode Kemendagri (mis. 33,34).")(command)


def _chosen(config: config_module.Config, provinsi: tuple[str, ...], only: tuple[str, ...]) -> set[str] | None:
    """The kecamatan codes chosen (None: all), or a usage error (exit 2)."""
    try:
        return matriks.chosen(config.sources, matriks.parse_provinsi(provinsi), set(only))
    except matriks.PlanError as error:
        raise click.UsageError(str(error)) from None


@main.command("pull")
@_choosing
@click.option("--strict", is_flag=True, help="Keluar dengan kode 1 bila ada kesalahan apa pun.")
@click.option("--force", is_flag=True, help="Baca ulang semua sheet, juga yang tidak berubah.")
@click.option("--write-back", is_flag=True,
              help="Tulis laporan tiap kecamatan ke tab “Laporan Validasi” di Google Sheet-nya.")
@click.pass_obj
def pull_command(root: Path, provinsi: tuple[str, ...], only: tuple[str, ...], strict: bool, force: bool,
                 write_back: bool) -> None:
    """Tarik, periksa dan simpan snapshot tiap kecamatan di registry/sources.csv."""
    from .pull.minimise import SecretError
    from .store import report

    config = _load(root)
    chosen = _chosen(config, provinsi, only)
    now = config.clock(dt.datetime.now(ZoneInfo(config.site.timezone)))
    names = {s.kode: s.kecamatan for s in config.sources}

    def progress(source, result) -> None:
        _say(report.format_text(result, names[source.kode]))

    try:
        with _edge(config.store_dir), _reading_progress() as reading:
            result = jobs.pull(config, now=now, only=chosen, force=force, write_back=write_back,
                               progress=progress, reading=reading, waiting=_waiting)
    except SecretError as error:
        click.echo(f"Konfigurasi salah: {error}", err=True)
        sys.exit(2)
    if result.demo_key:
        click.echo("Catatan: registry demo; NIK di-hash dengan kunci demo yang tidak rahasia.", err=True)
    stale = _stale(config, result, now.date())
    if strict and result.found_errors:
        sys.exit(1)
    if stale:
        sys.exit(STALE)


def _stale(config: config_module.Config, result, today: dt.date) -> bool:
    """Say each kecamatan failing for longer than stale_days; whether any is."""
    names = {s.kode: s.kecamatan for s in config.sources}
    stale = result.stale(today, config.pull.stale_days)
    for item in stale:
        click.echo(f"Gagal lebih dari {config.pull.stale_days} hari: {item.kode} {names[item.kode]} "
                   f"(sejak {item.failing_since}): {item.reason}", err=True)
    return bool(stale)


@main.command("basi")
@_choosing
@click.pass_obj
def stale_command(root: Path, provinsi: tuple[str, ...], only: tuple[str, ...]) -> None:
    """Dari laporan di data store: kecamatan yang gagal ditarik lebih lama dari
    stale_days (exit 3 bila ada), tanpa menarik apa pun."""
    from .pull.run import PullResult
    from .store import report

    config = _load(root)
    chosen = _chosen(config, provinsi, only)
    listed = {s.kode for s in config.sources} if chosen is None else chosen
    reports = {k: r for k, r in report.read_all(config.laporan_dir).items() if k in listed}
    today = config.clock(dt.datetime.now(ZoneInfo(config.site.timezone))).date()
    if _stale(config, PullResult(reports), today):
        sys.exit(STALE)
    click.echo(f"Tidak ada kecamatan yang gagal lebih dari {config.pull.stale_days} hari.")


@main.command("matriks")
@click.option("--grup", default="", metavar="NAMA=KODE,KODE …",
              help="Kelompok provinsi, masing-masing dengan akun layanannya (mis. \"jawa=31,32,33 sumatera=11,12\"); "
                   "provinsi lain satu pekerjaan per provinsi.")
@click.option("--only", "only", multiple=True, metavar="KODE", help="Hanya pekerjaan untuk kecamatan ini.")
@click.pass_obj
def matrix_command(root: Path, grup: str, only: tuple[str, ...]) -> None:
    """Cetak matriks pekerjaan pull GitHub Actions (JSON): satu per provinsi
    atau kelompok provinsi di registry/sources.csv."""
    import json

    from .pull.sources.google import DEFAULT_PER_MINUTE, ENV_PER_MINUTE
    from .pull.sources.google_transport import number_setting

    config = _load(root)  # also checks LINDUNG_GOOGLE_PER_MINUTE
    if not config.sources:
        raise click.UsageError("registry/sources.csv belum berisi kecamatan; tidak ada yang ditarik.")
    chosen = _chosen(config, (), only)
    try:
        groups = matriks.parse_grup(grup)
    except matriks.PlanError as error:
        raise click.UsageError(str(error)) from None
    per_minute = number_setting(os.environ, ENV_PER_MINUTE, None, DEFAULT_PER_MINUTE)
    planned = matriks.plan(config.sources, groups, per_minute, chosen)
    for job in planned:
        account = f"variabel {job.akun}" if job.akun else f"bawaan ({matriks.ACCOUNT_VARIABLE})"
        click.echo(f"{job.grup}: provinsi {job.provinsi}, {job.kecamatan} kecamatan, akun {account}, "
                   f"{job.per_menit:g} permintaan/menit", err=True)
    click.echo(json.dumps(matriks.matrix(planned), separators=(",", ":")))


def _waiting(message: str) -> None:
    click.echo(message, err=True)


def _say(text: str) -> None:
    """Print a pull's line. Pull output is public (GitHub Actions logs of a
    public repository), so the guard reads every line before it is shown."""
    for line in text.splitlines():
        found = privacy.kinds(line, addresses=False)
        click.echo(line if not found else
                   f"    (baris disembunyikan: memuat {', '.join(privacy.LABELS[k] for k in found)})")


@contextmanager
def _reading_progress():
    """While Google Sheets are read: a progress bar on a terminal; in CI,
    where nobody watches a bar, a plain line per sheet."""
    bar = None

    def tick(done: int, total: int) -> None:
        nonlocal bar
        if not sys.stdout.isatty():
            click.echo(f"dibaca {done}/{total}")
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Membaca Google Sheets")
            bar.__enter__()
        bar.update(1)

    try:
        yield tick
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@main.command("build")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Tanggal angka (YYYY-MM-DD); bawaan: hari ini, WIB (registry demo: tanggal demonya).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder keluaran; bawaan: site/ di folder proyek.")
@click.pass_obj
def build_command(root: Path, as_of: dt.datetime | None, out: Path | None) -> None:
    """Bangun situs dari snapshot ke site/ (atau --out)."""
    from .build.site import BuildError

    config = _load(root)
    day = as_of.date() if as_of else config.as_of_default(dt.datetime.now(ZoneInfo(config.site.timezone)).date())
    try:
        with _edge(out or config.root / "site"):
            built = jobs.build(config, as_of=day, out=out, waiting=_waiting)
    except BuildError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"{len(built.pages)} halaman ditulis ke {built.out} (data per {day.isoformat()}).")
    if "example.org" in config.site.base_url:
        click.echo(f"Peringatan: base_url di lindung.toml masih contoh ({config.site.base_url}); tautan kanonik, "
                   "sitemap dan kartu bagikan menunjuk ke sana. Isi dengan alamat situs sebelum menerbitkan.",
                   err=True)


@main.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kecamatan", "kode", required=True, metavar="KODE", help="Kode Kemendagri kecamatan, mis. 33.74.15.")
@click.pass_obj
def check_command(root: Path, file: Path, kode: str) -> None:
    """Periksa satu workbook dan cetak laporannya, tanpa menulis apa pun."""
    from .pull.sources import SourceError, local
    from .pull.validate import validate_workbook
    from .store import report

    config = _load(root, remember=False)  # writes nothing, not even a cache
    if kode not in config.wilayah.kecamatan:
        raise click.UsageError(f"{kode} bukan kode kecamatan dalam daftar resmi.")
    name = config.wilayah.kecamatan[kode].nama
    try:
        raw = local.read(file)
    except SourceError as error:
        click.echo(f"✗ {kode} {name}: {error.reason}")
        sys.exit(1)
    validated = validate_workbook(raw, kode, config.wilayah, config.contract)
    outcome = report.STRUCTURE if validated.structural else report.OK
    checked = report.Report(kode, "", outcome, errors=validated.errors)
    _say(report.format_text(checked, name))
    sys.exit(1 if checked.problems else 0)


@main.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--kecamatan", "kode", metavar="KODE", help="Isi tab wilayah dengan kelurahan/desa kecamatan ini.")
@click.option("--google", "to_google", is_flag=True, help="Buat sebagai Google Sheet, bukan berkas .xlsx.")
@click.option("--share", metavar="EMAIL", help="Dengan --google: bagikan ke editor ini.")
@click.pass_obj
def template_command(root: Path, out: Path | None, kode: str | None, to_google: bool, share: str | None) -> None:
    """Tulis workbook kosong untuk satu kecamatan (OUT.xlsx, atau --google)."""
    from .pull import workbook
    from .pull.sources import SourceError

    config = _load(root)
    if kode and kode not in config.wilayah.kecamatan:
        raise click.UsageError(f"{kode} bukan kode kecamatan dalam daftar resmi.")
    if to_google == bool(out):
        raise click.UsageError("Sebutkan OUT.xlsx, atau --google (dengan --kecamatan), salah satu saja.")
    rows = {"wilayah": [[k.nama] for k in config.wilayah.kecamatan[kode].kelurahan]} if kode else {}
    if not to_google:
        with _edge(out.parent, kept=""):
            workbook.write_workbook(out, rows, schema_dir=config.schema_dir)
        click.echo(f"Workbook kosong ditulis ke {out}.")
        return
    if not kode:
        raise click.UsageError("--google perlu --kecamatan KODE.")
    from .pull.sources import google

    kecamatan = config.wilayah.kecamatan[kode]
    title = f"Lindung {kode} Kecamatan {kecamatan.nama}, {kecamatan.kabupaten_nama}"
    try:
        with google.connect() as client:
            url = client.create_workbook(title, rows, schema_dir=config.schema_dir, share_with=share)
    except SourceError as error:
        click.echo(f"Gagal membuat Google Sheet: {error.reason}", err=True)
        sys.exit(1)
    click.echo(f"Google Sheet dibuat: {url}")
    click.echo(f"Tambahkan ke registry/sources.csv: {kode},{kecamatan.nama},{kecamatan.kabupaten_nama},{url}")


@main.command("doctor")
@click.pass_obj
def doctor_command(root: Path) -> None:
    """Periksa kesiapan penerapan sebelum pengambilan pertama, satu baris per hal."""
    from . import doctor

    findings = doctor.examine(root)
    for finding in findings:
        click.echo(finding.line())
    sys.exit(1 if any(f.verdict is doctor.Verdict.FAIL for f in findings) else 0)


@main.command("serve")
@click.option("--port", type=int, default=8000, show_default=True, help="Port di 127.0.0.1.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Tanggal data (YYYY-MM-DD); bawaan: hari ini, WIB.")
@click.pass_obj
def serve_command(root: Path, port: int, as_of: dt.datetime | None) -> None:
    """Bangun situs, sajikan di http://127.0.0.1:PORT/, dan bangun ulang bila
    content/, templates/, registry/ atau lindung.toml berubah."""
    from .build import serve

    serve.run(root, port, as_of.date() if as_of else None, log=click.echo)
