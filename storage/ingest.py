"""One upload: detect the format from the content, load it, write it in one transaction, report.

The CLI, the upload page and the demo loader all go through `ingest_bytes`; `inspect_bytes` is the same
reading without writing (`cli.py inspect`).
"""
from __future__ import annotations

import mmap
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import Engine

from core import limits
from core.config import region_tz
from loaders import detect, tabular
from core.memory import paused_gc
from loaders.activity import ActivityData
from loaders.activity_template import load_template
from loaders.errors import LoadError, fail
from loaders.registry import load_registry
from loaders.tabular import check_size
from loaders.unpack import mappable
from core import calendar
from storage.activity_store import apply_activity, inspect_report
from storage.audit import sha256_of
from storage.db import Contention
from storage.registry_store import apply_registry, known_owner_kinds


# the stages of an upload, in order, as `progress` is told them (the upload screen names them; the rating's
# recomputation after the upload is the screen's fourth stage)
STAGES = ("reading", "checking", "writing")
Progress = Callable[[str], None]
HASH_APART_BYTES = 8 * 2**20  # a bigger file is hashed in a thread while it is read (hashlib frees the GIL)
MAP_FROM_BYTES = 16 * 2**20  # a JSON file this big or bigger is read in place (read_path)


def _digest(content: bytes) -> Callable[[], str]:
    """The content's SHA-256, computed beside the parse for a big file: a function that waits for it."""
    if len(content) < HASH_APART_BYTES:
        return lambda: sha256_of(content)
    result: list[str] = []
    thread = threading.Thread(target=lambda: result.append(sha256_of(content)), name="sha256", daemon=True)
    thread.start()

    def value() -> str:
        thread.join()
        return result[0]
    return value


def _as_bytes(content: bytes | mmap.mmap) -> bytes | mmap.mmap:
    """A file read in place (read_path) stays mapped only for the JSON loaders; the detection of any other format
    and its reader get the bytes."""
    return content if isinstance(content, bytes) or detect.is_json(content) else content[:]


def local_today() -> date:
    """Today in the region's zone (the one calendar: core.calendar)."""
    return calendar.local_today(region_tz())


def load_activity(content: bytes, filename: str, kind: str | None = None) -> ActivityData:
    """Read an activity export (any supported format) into the canonical frames; writes nothing."""
    kind = kind or detect.detect_kind(content, filename)
    now = datetime.now(timezone.utc)
    with paused_gc():
        if kind == "activity_json":  # the last reference handed on: the loader frees a big file once read
            held = [content]
            del content
            return detect.load_json_bytes(held.pop(), filename, region_tz(), now)
        if kind == "activity_table":
            return load_template(content, filename, region_tz(), now)
    raise fail("это реестр страниц, а не выгрузка активности", filename)


def inspect_bytes(content: bytes, filename: str) -> dict:
    check_size(content, filename)
    content = _as_bytes(content)
    kind = detect.detect_kind(content, filename)
    if kind == "registry":
        data = load_registry(content, filename, today=local_today())
        return {"format": data.format, "owners": data.owners.height, "pages": data.pages.height,
                "warnings": [str(w) for w in data.warnings], "errors": []}
    held = [content]
    del content
    return inspect_report(load_activity(held.pop(), filename, kind))


def ingest_bytes(engine: Engine, content: bytes, filename: str, *, user: str, as_of: date | None = None,
                 period: tuple[date, date] | None = None, page: int | str | None = None,
                 progress: Progress | None = None) -> dict:
    """Load one file and write it; raises LoadError (Russian, located) and writes nothing on bad input.

    `as_of`: the «сведения на» day the analyst states; without it an activity file is observed at its newest
    dated item and a registry on today's date. `period`: the days the export was taken for (its coverage).
    `page`: the registry page (id, or URL as in the registry) an activity file is about — for a file that names
    no page (an empty wall.get has no owner_id), with a period it proves the page's silence. `progress` is told
    each stage as it begins (`STAGES`: reading the file, checking it against the stored data, writing)."""
    tell = progress or (lambda stage: None)
    tell("reading")
    check_size(content, filename)
    for day, what in ((as_of, "дата сведений"), *(((d, "период выгрузки") for d in period) if period else ())):
        if day is not None and not limits.MOMENTS_FROM.year <= day.year < limits.MOMENTS_TO.year:
            raise fail(f"{what}: {day.day:02}.{day.month:02}.{day.year:04} вне допустимого диапазона — ожидается "
                       f"дата {limits.window_text()}", filename)
    if period is not None and period[0] > period[1]:
        raise fail(f"период выгрузки задан неверно: {period[0]:%d.%m.%Y} позже {period[1]:%d.%m.%Y}", filename)
    content = _as_bytes(content)
    kind = detect.detect_kind(content, filename)
    if kind == "registry":
        if page is not None:
            raise fail("страницу указывают только для выгрузки активности, а это реестр страниц", filename)
        data = load_registry(content, filename, known_owner_kinds(engine), today=local_today())
        tell("writing")
        try:
            return apply_registry(engine, data, filename=filename, content=content, user=user,
                                  as_of=as_of or local_today())
        except Contention as error:
            raise fail(str(error), filename) from None
    digest, size = _digest(content), len(content)
    held = [content]
    del content  # the loader holds the last reference and lets a big file go once it is read
    data = load_activity(held.pop(), filename, kind)
    tell("checking")
    try:
        return apply_activity(engine, data, filename=filename, content=None, size=size, user=user, as_of=as_of,
                              tz=region_tz(), period=period, page=page, digest=digest(), progress=tell)
    except LoadError as error:  # refusals of the writing step (a stated date, an assigned page) name the file
        if all(issue.file for issue in error.issues):
            raise
        raise LoadError([replace(issue, file=issue.file or filename) for issue in error.issues]) from None
    except Contention as error:
        raise fail(str(error), filename) from None


def read_path(path: Path) -> bytes | mmap.mmap:
    """The file's bytes — its size checked first (a 1 GB file is refused without being read), and only a regular
    file (a device or a pipe has no size and might never end).

    A big JSON export in plain UTF-8 (MAP_FROM_BYTES or more; loaders.unpack.mappable) is mapped, not copied:
    the JSON loaders read it in place and let go of what they have read (loaders.unpack.shedder), so its 200 MB
    are never all in the process's memory beside the frames built from them. Only the loading reads the
    mapping; it is unmapped when the loader lets the file go, before anything is written."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise fail("это не обычный файл (устройство или канал); укажите файл выгрузки", path.name)
        if info.st_size > tabular.MAX_UPLOAD_BYTES:
            raise fail(f"файл слишком большой ({info.st_size / 2**20:.0f} МБ), допустимо не более "
                       f"{tabular.MAX_UPLOAD_BYTES / 2**20:.0f} МБ", path.name)
        if info.st_size >= MAP_FROM_BYTES:
            with open(path, "rb") as file:
                if mappable(file.read(4096)):
                    try:
                        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                    except (ValueError, OSError):  # emptied meanwhile, or a file system that cannot map: read it
                        pass
        return path.read_bytes()
    except FileNotFoundError:
        raise fail("файл не найден", str(path)) from None
    except IsADirectoryError:
        raise fail("указана папка, а не файл", str(path)) from None
    except PermissionError:
        raise fail("нет прав на чтение файла", str(path)) from None
    except OSError:
        raise fail("файл не удалось прочитать", str(path)) from None


def ingest_path(engine: Engine, path: Path, *, user: str, as_of: date | None = None,
                period: tuple[date, date] | None = None, page: int | str | None = None) -> dict:
    """ingest_bytes of a file. A file read in place (read_path) must not change while it is read: its size, time
    of change and inode are compared once it is loaded, before anything is written, and a changed file is refused.
    A file cut shorter while it is mapped ends the process (SIGBUS) while it is read — before the write begins,
    so nothing is stored either."""
    before = _version(path)
    content = read_path(path)
    if isinstance(content, bytes):
        return ingest_bytes(engine, content, path.name, user=user, as_of=as_of, period=period, page=page)
    mapped = len(content)

    def unchanged(stage: str) -> None:
        if stage == "checking" and (before is None or _version(path) != before or before[0] != mapped):
            raise fail("файл изменился, пока его читали (его перезаписали или дописали); дождитесь, когда выгрузка "
                       "будет сохранена полностью, и загрузите её снова", path.name)
    held = [content]
    del content  # the loader lets the mapping go once it is read
    return ingest_bytes(engine, held.pop(), path.name, user=user, as_of=as_of, period=period, page=page,
                        progress=unchanged)


def _version(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def error_report(filename: str, error: LoadError) -> dict:
    return {"batch_id": None, "filename": filename, "errors": [i.as_dict() for i in error.issues],
            "message": str(error)}
