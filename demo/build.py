"""Write the demo files (deterministic) and load them through the same path a user's upload takes."""
from __future__ import annotations

import json
import random
import shutil
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


def write_demo(out_dir: Path, seed: int = SEED) -> list[dict]:
    """Write every demo file; returns the manifest (also saved as manifest.json) in loading order."""
    manifest_path = out_dir / "manifest.json"
    if manifest_path.exists():
        saved = json.loads(manifest_path.read_text(encoding="utf-8"))
        if saved.get("version") == GENERATOR_VERSION and saved.get("seed") == seed:
            return saved["files"]
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    owners, pages = build_world(seed)
    activities = simulate(pages, seed)
    rng = random.Random(seed + 2)
    files: list[dict] = []

    def put(relative: str, content: bytes, kind: str, as_of: date | None,
            period: tuple[datetime, datetime] | None = None, page: str | None = None):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
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
        for activity in json_pages:
            if activity.page.owner.profile in ("lagging", "uneven") and rng.random() < 0.06:
                continue  # an export ЦУР never received: "нет данных", not "0 публикаций"
            _write_json_exports(put, activity, code, start, end, as_of, len(files))
        for month, m_start, m_end in _months(start, end):
            present = [a for a in template_pages if rng.random() > 0.02]
            if month == "2026-11":
                put(f"templates/publications_{month}.csv", exports.template_csv(present, m_start, m_end),
                    "activity", as_of, (m_start, m_end))
            else:
                put(f"templates/publications_{month}.xlsx", exports.template_xlsx(present, m_start, m_end),
                    "activity", as_of, (m_start, m_end))
    manifest_path.write_text(json.dumps({"version": GENERATOR_VERSION, "seed": seed, "files": files},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
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


def load_demo(engine, out_dir: Path, user: str = "demo") -> dict:
    """Generate (if needed) and load the demo through the regular ingest path. Returns a summary."""
    from storage.ingest import ingest_path

    files = write_demo(out_dir)
    summary = {"files": 0, "batches": [], "posts": 0, "unmatched_pages": 0}
    for entry in files:
        period = tuple(date.fromisoformat(d) for d in entry["period"]) if "period" in entry else None
        as_of = date.fromisoformat(entry["as_of"]) if "as_of" in entry else None
        report = ingest_path(engine, out_dir / entry["path"], user=user, as_of=as_of, period=period,
                             page=entry.get("page"))
        summary["files"] += 1
        summary["batches"].append(report["batch_id"])
        summary["posts"] += report.get("posts_added", 0)
        summary["unmatched_pages"] += len(report.get("unmatched_pages", []))
    return summary
