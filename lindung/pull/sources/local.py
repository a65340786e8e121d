"""Local workbooks: a kecamatan's .xlsx (or .xlsm/.ods) on disk, read with
python-calamine, which keeps cell types (text, number, date) and reads a
100,000-row tab about ten times faster than openpyxl (DESIGN.md, Scale).

Only the contract's tabs are read, and only after the file's zip directory
passed the limits (zipcheck.py). Calamine then runs in a forked child
process with an address-space limit and a deadline (lindung.pull.limits):
some damage makes it abort the whole process instead of raising (a single
cell at XFD1048576 makes it allocate the dense range, 512 GiB), and only a
separate process turns that into this source's failure alone.
"""
from __future__ import annotations

import datetime as dt
import faulthandler
import multiprocessing
import os
from collections.abc import Collection
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from ...contract import TABS, normalise
from ..limits import MAX_READ_SECONDS, MAX_READER_MEMORY, MIB
from . import NOT_ISOLATED, RawWorkbook, SourceError, UnreadableRow, check_size, failure, zipcheck


def resolve(sumber: str, root: Path) -> Path:
    path = Path(sumber.strip())
    return path if path.is_absolute() else root / path


def read(path: Path, tabs: Collection[str] = TABS) -> RawWorkbook:
    """The contract's tabs of the workbook at `path` (`tabs`: normalised
    names). Raises SourceError with a reason an operator can act on."""
    if not path.exists():
        raise SourceError("tidak_ada", f"Berkas {path.name} tidak ditemukan; periksa kolom sumber di registry/sources.csv.")
    try:
        titles = zipcheck.contract_sheets(path, tabs)
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
    except OSError:  # a folder, no permission, a disk error: nothing about the workbook itself
        raise SourceError("akses", f"Berkas {path.name} tidak bisa dibuka. Periksa izin berkas itu dan disknya, lalu "
                          "tarik lagi.") from None
    read_tabs = _in_child if "fork" in multiprocessing.get_all_start_methods() else _read_tabs
    found = read_tabs(str(path), titles, tuple(tabs))
    return RawWorkbook(tabs=found, modified=modified)


def _read_tabs(path: str, titles: list[str] | None, tabs: tuple[str, ...]) -> dict[str, list[list[Any]]]:
    name = Path(path).name
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            if titles is None:  # an .ods: the first tab of each contract name, as zipcheck does for .xlsx
                chosen: dict[str, str] = {}
                for title in workbook.sheet_names:
                    chosen.setdefault(normalise(title), title)
                titles = [chosen[tab] for tab in tabs if tab in chosen]
            found = {}
            for title in titles:
                sheet = workbook.get_sheet_by_name(title)
                if sheet.end is not None:
                    check_size(normalise(title), sheet.end[0] + 1, sheet.end[1] + 1)
                try:
                    rows = sheet.to_python(skip_empty_area=False)
                except BaseException as error:
                    if isinstance(error, Exception):
                        raise
                    rows = _row_by_row(sheet)  # pyo3's PanicException: some cell, see below
                found[title] = _plain(rows)
            return found
    except (SourceError, *NOT_ISOLATED):
        raise
    except MemoryError:
        raise _reader_stopped(name) from None
    except BaseException as error:  # calamine's errors, and pyo3's PanicException, which is no Exception
        damaged = isinstance(error, CalamineError) or not isinstance(error, Exception)
        raise (zipcheck.damaged(name) if damaged else failure(error)) from None


def _row_by_row(sheet: CalamineSheet) -> list[list[Any]]:
    """The tab read one row at a time, each row calamine panics on (a date
    cell holding NaN, infinity or a serial past year 9999 makes it panic
    while converting) kept as an `UnreadableRow`: an error of that row, not
    of the whole kecamatan. `iter_rows` starts every row at the first used
    column, so the columns before it are put back."""
    before = [None] * (sheet.start[1] if sheet.start else 0)
    rows: list[list[Any]] = []
    iterator = sheet.iter_rows()
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return rows
        except BaseException as error:  # the panic: this row only; the iterator goes on
            if isinstance(error, (Exception, *NOT_ISOLATED)):
                raise
            rows.append(UnreadableRow())
        else:
            rows.append(before + row)


def _in_child(path: str, titles: list[str] | None, tabs: tuple[str, ...]) -> dict[str, list[list[Any]]]:
    """`_read_tabs` in a forked child limited to MAX_READER_MEMORY more
    memory and MAX_READ_SECONDS; a child that is killed or aborts is this
    file's failure. Forked (not spawned): it starts in milliseconds, and a
    pull forks before it starts any thread."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, path, titles, tabs), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(MAX_READ_SECONDS):
            raise SourceError("terlalu_besar", f"Membaca berkas {Path(path).name} memakan lebih dari "
                              f"{MAX_READ_SECONDS:g} detik, batas Lindung. Simpan ulang "
                              "workbook hanya dengan tab yang diperlukan, atau hapus baris yang tidak perlu.")
        try:
            message = receiver.recv()
        except EOFError:  # it died without a word: its memory limit, or a crash in the reader
            raise _reader_stopped(Path(path).name) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if message[0] == "gagal":
        raise SourceError(message[1], message[2])
    return message[1]


def _child(sender: Connection, path: str, titles: list[str] | None, tabs: tuple[str, ...]) -> None:
    try:
        # What the reader prints when it aborts (a Rust backtrace, Python's fault
        # handler's stack) is no message for an operator.
        faulthandler.disable()
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        _limit_memory(MAX_READER_MEMORY)
        message: tuple = ("ok", _read_tabs(path, titles, tabs))
    except BaseException as error:  # every ending is a message: the parent raises it
        reason = error if isinstance(error, SourceError) else failure(error)
        message = ("gagal", reason.kind, reason.reason)
    try:
        sender.send(message)
    finally:
        os._exit(0)  # nothing of the parent's (atexit, buffered output) runs twice


def _limit_memory(extra: int) -> None:
    """Let this process use at most `extra` bytes of address space more than
    it has now (it starts as a copy of the pull). Where there is no
    RLIMIT_AS or /proc (not Linux), the zip check is the only bound."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _reader_stopped(name: str) -> SourceError:
    return SourceError("terlalu_besar", f"Membaca berkas {name} memerlukan lebih dari {MAX_READER_MEMORY // MIB} MB "
                       "memori, batas Lindung, atau berkasnya rusak. Simpan ulang workbook "
                       "hanya dengan tab yang diperlukan, lalu periksa apakah ada isi jauh di kanan atau di bawah data.")


def _plain(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows with None for an empty cell (calamine gives ""), and equal
    values as one object: a tab repeats the same few names, dates and
    amounts, so the rows cross the pipe from the reader far smaller (pickle
    writes an object once) and validate reads each value once."""
    same: dict[tuple[type, Any], Any] = {}
    return [row if isinstance(row, UnreadableRow) else
            [None if cell == "" else same.setdefault((cell.__class__, cell), cell) for cell in row]
            for row in rows]
