"""Write the demo files (deterministic) and load them through the same path a user's upload takes."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

from demo import exports
from demo.activity import DATA_END, LOCAL_OFFSET, PageActivity, simulate
from demo.world import build_world

QUARTERS = [("2025Q4", exports.utc(2025, 10, 1), exports.utc(2026, 1, 1)),
            ("2026Q1", exports.utc(2026, 1, 1), exports.utc(2026, 4, 1)),
            ("2026Q2", exports.utc(2026, 4, 1), exports.utc(2026, 7, 1)),
            ("2026Q3", exports.utc(2026, 7, 1), exports.utc(2026, 10, 1)),
            ("2026Q4", exports.utc(2026, 10, 1), exports.utc(2026, 11, 23))]
SNAPSHOT_DATES = [date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]
JSON_KINDS = ("governor", "administration", "executive_body", "head")
SEED = 132
GENERATOR_VERSION = 4  # 4: Telegram message ids continue across quarters; exports observed by their content


def _months(start: datetime, end: datetime):
    year, month = start.year, start.month + (1 if start.day != 1 or start.hour else 0)
    if month > 12:
        year, month = year + 1, 1
    while True:
        first = exports.utc(year, month, 1)
        if first >= end:
            return
        nxt = exports.utc(year + (month == 12), month % 12 + 1, 1)
        yield f"{year}-{month:02d}", first, min(nxt, end)
        year, month = year + (month == 12), month % 12 + 1


def _fingerprint() -> str:
    """The generator's own source (the modules that write the files and, here, the functions that do) and the
    Excel writer's version: cached files made by another generator are made again (a changed generator needs no
    version bump to reach the tests); a change of the loading below does not."""
    import inspect

    import xlsxwriter
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(xlsxwriter.__version__.encode())
    for name in ("demo/world.py", "demo/activity.py", "demo/exports.py", "reports/excel.py",
                 "reports/registry_template.py", "core/domain.py"):
        digest.update((root / name).read_bytes())
    for function in (_months, _generate, _local_day, _write_json_exports, _page_if_unnamed):
        digest.update(inspect.getsource(function).encode())
    digest.update(repr((QUARTERS, SNAPSHOT_DATES, JSON_KINDS, SEED, GENERATOR_VERSION)).encode())
    return digest.hexdigest()[:16]


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent's Polars thread pool must not be copied into a child mid-flight
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def default_workers(beside_writer: bool = False) -> int:
    """Other processes to use: one a core (at most 4), less the one this process needs when it writes meanwhile
    (on 2 cores one reader keeps ahead of the writer: reading the demo costs about two thirds of writing it)."""
    return max(1, min(4, (os.cpu_count() or 1) - beside_writer))


def write_demo(out_dir: Path, seed: int = SEED, workers: int | None = None) -> tuple[Path, list[dict]]:
    """Write every demo file; returns their folder and the manifest (also saved there as manifest.json) in loading
    order.

    The files are deterministic: they go into a folder of `out_dir` named by the generator (the fingerprint of its
    source, its version and the seed), written once and then used as they are. A set is written into a temporary
    folder renamed at the end, so a reader (another test session, `cli.py demo`) never sees a half-written set, and
    a session running another generator uses its own folder instead of replacing this one. The activity
    workbooks, the slowest part, are written by `workers` other processes meanwhile."""
    key = f"v{GENERATOR_VERSION}-{seed}-{_fingerprint()}"
    for folder in (out_dir, out_dir / key):  # `out_dir` may be the set's folder itself
        saved = _manifest(folder / "manifest.json")
        if saved is not None and saved.get("key") == key:
            return folder, saved["files"]
    folder = out_dir / key
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        with _pool(workers or default_workers()) as pool:
            files = _generate(work, seed, pool)
        (work / "manifest.json").write_text(json.dumps(
            {"version": GENERATOR_VERSION, "seed": seed, "key": key, "files": files}, ensure_ascii=False, indent=1),
            encoding="utf-8")
        try:
            os.replace(work, folder)  # never over a finished set: another session may be reading it
        except OSError:  # another process has just finished the same set, or a broken one is in the way
            if (_manifest(folder / "manifest.json") or {}).get("key") != key:
                shutil.rmtree(folder, ignore_errors=True)
                os.replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _forget_other_generators(out_dir, keep=key)
    return folder, files


def _forget_other_generators(out_dir: Path, keep: str) -> None:
    """Sets of other generators written more than a day ago (no session reads one that long), and the files of
    the generator before the sets had their own folders — only folders a demo manifest vouches for."""
    import time
    legacy = _manifest(out_dir / "manifest.json")
    if legacy is not None and {"version", "seed", "files"} <= set(legacy):
        for name in {Path(f["path"]).parts[0] for f in legacy["files"]}:
            shutil.rmtree(out_dir / name, ignore_errors=True)
        (out_dir / "manifest.json").unlink(missing_ok=True)
    for path in out_dir.glob("v*-*"):
        try:
            if path.name != keep and time.time() - path.stat().st_mtime > 86_400 and \
                    (_manifest(path / "manifest.json") or {}).get("key") == path.name:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def _manifest(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _generate(out_dir: Path, seed: int, pool: ProcessPoolExecutor) -> list[dict]:
    owners, pages = build_world(seed)
    activities = simulate(pages, seed)
    rng = random.Random(seed + 2)
    files: list[dict] = []
    pending: list[tuple[Path, Future]] = []

    def put(relative: str, content: bytes | Future, kind: str, as_of: date | None,
            period: tuple[datetime, datetime] | None = None, page: str | None = None):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Future):
            pending.append((path, content))
        else:
            path.write_bytes(content)
        entry = {"path": relative, "kind": kind}
        if as_of is not None:  # a registry's date; an export is observed at its newest item (its comments and
            entry["as_of"] = as_of.isoformat()  # replies run past the quarter, so no quarter-end date fits it)
        if period is not None:  # the local days the export was taken for (ЦУР knows what it asked for)
            entry["period"] = [_local_day(period[0]).isoformat(), (_local_day(period[1]) - timedelta(days=1)).isoformat()]
        if page is not None:  # an empty export names no page: ЦУР says which page it asked for
            entry["page"] = page
        files.append(entry)

    put("registry/registry.xlsx", exports.registry_xlsx(pages), "registry", DATA_END)
    for index, as_of in enumerate(SNAPSHOT_DATES):
        put(f"registry/gospubliki_{as_of:%Y-%m-%d}.csv", exports.gospubliki_csv(pages, index), "registry", as_of)

    json_pages = [a for a in activities if a.page.owner.kind in JSON_KINDS]
    template_pages = [a for a in activities if a.page.owner.kind not in JSON_KINDS]
    for code, start, end in QUARTERS:
        as_of = None  # «сведения на»: the newest item of each export
        # an export ЦУР never received: "нет данных", not "0 публикаций"
        received = [a for a in json_pages if not (a.page.owner.profile in ("lagging", "uneven") and rng.random() < 0.06)]
        templates = []  # the quarter's workbooks are started first: other processes write them meanwhile
        for month, m_start, m_end in _months(start, end):
            present = [a for a in template_pages if rng.random() > 0.02]
            if month == "2026-11":
                content = exports.template_csv(present, m_start, m_end)
                templates.append((f"templates/publications_{month}.csv", content, (m_start, m_end)))
            else:
                content = pool.submit(exports.template_workbook, exports.template_rows(present, m_start, m_end))
                templates.append((f"templates/publications_{month}.xlsx", content, (m_start, m_end)))
        for activity in received:
            _write_json_exports(put, activity, code, start, end, as_of, len(files))
        for relative, content, period in templates:
            put(relative, content, "activity", as_of, period)
    for path, future in pending:
        path.write_bytes(future.result())
    return files


def _local_day(moment: datetime) -> date:
    return (moment + LOCAL_OFFSET).date()


def _write_json_exports(put, activity: PageActivity, code: str, start, end, as_of: date | None,
                        counter: int) -> None:
    page, period = activity.page, (start, end)
    if page.platform == "vk":
        wall = exports.vk_wall_get(activity, start, end, envelope=counter % 2 == 0)
        put(f"vk/{page.key}_{code}.json", wall, "activity", as_of, period, _page_if_unnamed(wall, page.url))
        comments = exports.vk_comments(activity, start, end)
        if comments:
            put(f"vk/{page.key}_{code}_comments.json", comments, "activity", as_of, period)
    elif page.platform == "telegram":
        put(f"telegram/{page.key}_{code}/result.json", exports.telegram_channel(activity, start, end), "activity",
            as_of, period)
        discussion = exports.telegram_discussion(activity, start, end)
        if discussion:
            put(f"telegram/{page.key}_{code}_discussion/result.json", discussion, "activity", as_of, period)
    else:
        topics = exports.ok_mediatopics(activity, start, end)
        put(f"ok/{page.key}_{code}.json", topics, "activity", as_of, period, _page_if_unnamed(topics, page.url))


def _page_if_unnamed(content: bytes, url: str) -> str | None:
    """The page's URL when the export names no page (a wall.get or media_topics without items carries no
    owner id): the upload then assigns it, and with the period the export proves the page's silence."""
    body = json.loads(content)
    body = body.get("response", body) if isinstance(body, dict) else body
    return url if isinstance(body, dict) and not body.get("items") and not body.get("media_topics") else None


def _read_export(path: str, filename: str):
    """One activity file through the product's reading (format detection, the loader) — run by another
    process while the previous file is written."""
    from loaders import detect
    from storage.ingest import load_activity, read_path
    content = read_path(Path(path))
    kind = detect.detect_kind(content, filename)
    return kind, (load_activity(content, filename, kind) if kind != "registry" else None)


FILES_PER_COMMIT = 100  # activity files written in one transaction by the demo (each in its own savepoint)


def load_demo(engine, out_dir: Path, user: str = "demo", workers: int | None = None) -> dict:
    """Generate (if needed) and load the demo through the regular upload path. Returns a summary.

    Every file is one upload, in the manifest's order, each its own batch with its own report: the registry files
    by `ingest_path` itself; the activity files are read by the upload's loaders in `workers` other processes
    (up to 256 files ahead) while this one writes each, in order, by the upload's writer (`apply_activity`) —
    FILES_PER_COMMIT of them in one transaction, each in a savepoint of it (a refused file leaves nothing, the
    files before it are committed, and the error stops the demo as before)."""
    from core.config import region_tz
    from storage.activity_store import apply_activity
    from storage.ingest import ingest_path, read_path

    out_dir, files = write_demo(out_dir, workers=workers)
    summary = {"files": 0, "batches": [], "posts": 0, "unmatched_pages": 0}
    workers = workers or default_workers(beside_writer=True)
    ahead = 256  # files read ahead of the writer: a workbook (a second to read) is started long before it is due
    with _pool(workers) as pool, _Transactions(engine) as shared:
        reading: dict[int, Future] = {}
        activity = [i for i, entry in enumerate(files) if entry["kind"] == "activity"]
        queue = iter(activity)

        def read_ahead() -> None:
            while len(reading) < ahead:
                index = next(queue, None)
                if index is None:
                    return
                reading[index] = pool.submit(_read_export, str(out_dir / files[index]["path"]),
                                             Path(files[index]["path"]).name)

        read_ahead()
        for index, entry in enumerate(files):
            path = out_dir / entry["path"]
            period = tuple(date.fromisoformat(d) for d in entry["period"]) if "period" in entry else None
            as_of = date.fromisoformat(entry["as_of"]) if "as_of" in entry else None
            future = reading.pop(index, None)
            data = None
            if future is not None:
                kind, data = future.result()
                read_ahead()
            if data is None:  # a registry: its own upload and transaction, after the files before it are committed
                shared.commit()
                report = ingest_path(engine, path, user=user, as_of=as_of, period=period, page=entry.get("page"))
            else:
                report = apply_activity(engine, data, filename=path.name, content=read_path(path), user=user,
                                        as_of=as_of, tz=region_tz(), period=period, page=entry.get("page"),
                                        conn=shared.connection())
                shared.written()
            summary["files"] += 1
            summary["batches"].append(report["batch_id"])
            summary["posts"] += report.get("posts_added", 0)
            summary["unmatched_pages"] += len(report.get("unmatched_pages", []))
    return summary


class _Transactions:
    """The demo's write transactions (storage.db.writing) shared by up to FILES_PER_COMMIT files: opened when a
    file needs one, committed after that many, before a registry, at the end, and when a file fails (what was
    written before it is kept; its own savepoint is already rolled back)."""

    def __init__(self, engine):
        self.engine, self.context, self.conn, self.files = engine, None, None, 0

    def connection(self):
        if self.conn is None:
            from storage.db import writing
            self.context = writing(self.engine)
            self.conn = self.context.__enter__()
        return self.conn

    def written(self) -> None:
        self.files += 1
        if self.files >= FILES_PER_COMMIT:
            self.commit()

    def commit(self) -> None:
        if self.context is not None:
            context, self.context, self.conn, self.files = self.context, None, None, 0
            context.__exit__(None, None, None)

    def __enter__(self) -> _Transactions:
        return self

    def __exit__(self, *error) -> None:
        self.commit()  # a failure too: the files before the failed one stay, as when each had its own commit
