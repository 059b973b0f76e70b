"""Independent check of three registry rules of the rating (issue 17; methodology.md §3–§4):

(a) a page's weeks from the week holding its closing day on are «страница закрыта» (neither counted nor a data
    gap); a page closed before a quarter's first day is no page of that quarter;
(b) a page registered after a quarter's last day is no page of that quarter;
(c) a quarter is rated against the registry as it stood on its last day: rows of the registry's first upload count
    on every earlier day; later saves/uploads (names, parents, new pages) take effect on their «сведения на» day;
    a page's registration and closing days apply whenever recorded.

The scenario is built from real-format files (registry template xlsx, VK wall.get JSON, Telegram Desktop
result.json, the activity template CSV) loaded through `cli.py ingest`, plus edits through services.registry
(as «Реестр» saves them). The expected values are computed here from the files themselves (parsed by this script)
and the methodology's rules — no scoring code is used — and compared with `cli.py rate --json`.

Run: `python -m benchmark.verify_registry_rules [--keep DIR]` — prints each check with ✓/✗, exit 1 on a mismatch.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
TOMSK = timezone(timedelta(hours=7))
NORM = {"governor": 10, "administration": 10, "executive_body": 3, "head": 3, "institution": 3}
REQUIRED = ("vk", "ok", "telegram")
MIN_WEEKS = 4
FIRST_UPLOAD = date(2026, 3, 31)  # «сведения на» of the registry's first upload
EDIT_USER = "проверка"

# --- the registry -----------------------------------------------------------------------------------------------

A = "Департамент финансов Томской области"
B = "Департамент здравоохранения Томской области"
C = "Департамент общего образования Томской области"
HA = "Петров Сергей Иванович, начальник Департамента финансов"
HB = "Сидорова Анна Петровна, начальник Департамента здравоохранения"
HC = "Кузнецов Иван Андреевич, начальник Департамента общего образования"
HC_NEW = "Кузнецов И. А., начальник Департамента общего образования"
IA = "ОГКУ «Центр бухгалтерского обслуживания»"
IB = "ОГБУЗ «Томский медицинский центр»"
IC = "ОГБОУ «Томский региональный центр образования»"
IC2 = "ОГБУ «Региональный центр развития образования»"
GOV = "Губернатор Томской области"

KIND_LABEL = {"governor": "Губернатор", "executive_body": "Исполнительный орган", "head": "Руководитель",
              "institution": "Учреждение"}
PLATFORM_LABEL = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram"}
HOST_PLATFORM = {"vk.com": "vk", "ok.ru": "ok", "t.me": "telegram"}


@dataclass
class Page:
    owner: str
    url: str
    platform_id: str | None  # the registry's «ID на платформе»; none for OK (the link's group id stands)
    registered_on: date
    added_on: date = FIRST_UPLOAD  # the «сведения на» day of the save/upload that entered it
    closed_on: date | None = None  # set by a later save (recorded whenever)
    registered_history: list = field(default_factory=list)  # (recorded day, new registration day)

    @property
    def platform(self) -> str:
        return HOST_PLATFORM[self.url.split("/")[2]]


class Owner(NamedTuple):
    """An owner as a registry file states it (never changed: renames and moves are OWNER_CHANGES)."""
    name: str
    kind: str
    parent: str | None = None
    ogrn: str | None = None


OWNERS = [Owner(GOV, "governor"), Owner(A, "executive_body", ogrn="1027000000001"),
          Owner(B, "executive_body", ogrn="1027000000003"), Owner(C, "executive_body", ogrn="1027000000005"),
          Owner(HA, "head", A), Owner(HB, "head", B), Owner(HC, "head", C),
          Owner(IA, "institution", A, "1027000000002"), Owner(IB, "institution", B, "1027000000004"),
          Owner(IC, "institution", C, "1027000000006")]
D23 = date(2023, 3, 15)
# the first upload's pages, owner by owner: link → «ID на платформе»
FIRST_LINKS = {
    GOV: {"https://vk.com/gubernator_tomsk": "1001"},
    A: {"https://vk.com/depfin_tomsk": "2002", "https://ok.ru/group/70000000000010": None,
        "https://t.me/depfin_tomsk": "3003"},
    HA: {"https://vk.com/petrov_fin": "2101", "https://t.me/petrov_fin_tg": "3101"},
    IA: {"https://vk.com/cbo_tomsk": "2201", "https://ok.ru/group/70000000000020": None},
    B: {"https://vk.com/zdrav_tomsk": "2301", "https://ok.ru/group/70000000000030": None,
        "https://t.me/zdrav_tomsk": "3301"},
    HB: {"https://vk.com/sidorova_zdrav": "2401"},
    IB: {"https://vk.com/medcenter_tomsk": "2501", "https://t.me/medcenter_tomsk": "3501"},
    C: {"https://vk.com/obr_tomsk": "2601", "https://t.me/obr_tomsk": "3601"},
    HC: {"https://vk.com/kuznetsov_obr": "2701", "https://ok.ru/group/70000000000070": None,
         "https://t.me/kuznetsov_obr": "3701"},
    IC: {"https://vk.com/trco_tomsk": "2801"},
}
PAGES = [Page(owner, url, platform_id, date(2023, 6, 1) if owner == GOV else D23)
         for owner, links in FIRST_LINKS.items() for url, platform_id in links.items()]
FIRST_PAGES = {p.url for p in PAGES}


def page(url: str) -> Page:
    return next(p for p in PAGES if p.url == url)


def registry_row(p: Page, owners: dict[str, Owner]) -> list:
    o = owners[p.owner]
    flag = "да"
    tg = p.platform == "telegram"
    return [o.name, KIND_LABEL[o.kind], o.parent, o.ogrn, PLATFORM_LABEL[p.platform], p.url, p.platform_id,
            p.registered_on.strftime("%d.%m.%Y"), flag, flag, flag, flag, None if tg else flag, flag, flag, "нет",
            flag, None if tg else 1, 1000, None]


# --- the edits (services.registry, as «Реестр» saves them) and the second registry upload -----------------------

OCT = date(2026, 10, 20)
SECOND_UPLOAD = date(2026, 10, 25)
# (what, save day, arguments) in the order they are made
EDITS = [
    ("close", date(2026, 6, 1), "https://vk.com/obr_tomsk", date(2026, 5, 13)),          # C's old VK, Wed in May
    ("add", date(2026, 6, 1), Page(C, "https://vk.com/obr_tomsk_new", "2602", date(2026, 5, 13),
                                   added_on=date(2026, 6, 1))),                           # C's new VK
    ("close", date(2026, 7, 20), "https://ok.ru/group/70000000000070", date(2026, 7, 15)),  # HC's OK, Wed, 2 weeks
    ("add", date(2026, 8, 5), Page(IC, "https://ok.ru/group/70000000000080", None, date(2026, 8, 5),
                                   added_on=date(2026, 8, 5))),                           # IC's OK, Wed 05.08
    ("add", OCT, Page(HB, "https://t.me/sidorova_zdrav", "3402", date(2026, 10, 7), added_on=OCT)),
    ("add", OCT, Page(HA, "https://ok.ru/group/70000000000040", None, date(2024, 2, 1), added_on=OCT)),
    ("parent", OCT, IA, B),
    ("rename", OCT, HC, HC_NEW),
    ("registered", OCT, "https://vk.com/medcenter_tomsk", date(2026, 7, 22)),  # corrected: registered after II кв.
    ("close", date(2026, 11, 20), "https://t.me/zdrav_tomsk", date(2026, 8, 12)),     # B's TG, Wed mid-III кв.
    ("close", date(2026, 11, 20), "https://t.me/medcenter_tomsk", date(2026, 5, 20)),  # IB's TG, Wed in May
    # edges: closed on III кв.'s first day (its first week holds it: no week counted, yet a page of III кв.),
    # on a Monday, and on a III кв. day inside a week of IV кв. (before IV кв.'s first day: no page of IV кв.)
    ("close", date(2026, 7, 2), "https://ok.ru/group/70000000000010", date(2026, 7, 1)),
    ("close", date(2026, 9, 8), "https://t.me/obr_tomsk", date(2026, 9, 7)),
    ("close", date(2026, 10, 1), "https://ok.ru/group/70000000000020", date(2026, 9, 29)),
]
# the second registry file, «сведения на» 25.10.2026: C restated (its closed VK too) and a new institution of C
SECOND_OWNERS = [Owner(IC2, "institution", C, "1027000000007")]
SECOND_PAGES = [Page(IC2, "https://vk.com/rcro_tomsk", "2901", date(2025, 1, 10), added_on=SECOND_UPLOAD)]
SECOND_RESTATED = ["https://vk.com/obr_tomsk", "https://t.me/obr_tomsk"]

# owner history: (day, owner, field, value)
OWNER_CHANGES = [(OCT, IA, "parent", B), (OCT, HC, "name", HC_NEW), (SECOND_UPLOAD, IC2, "new", None),
                 (OCT, "Департамент по делам молодёжи Томской области", "new", None)]

# --- activity ---------------------------------------------------------------------------------------------------

P_FULL = (date(2026, 3, 30), date(2026, 9, 27))  # II and III кв. weeks, whole


@dataclass
class Export:
    url: str
    period: tuple[date, date]
    posts_from: date  # first and last day with posts put in the file
    posts_to: date
    overrides: dict = field(default_factory=dict)  # week Monday -> posts
    early: bool = False  # also uploaded before its page is entered (side check: does the data reach the page?)


EXPORTS = [
    Export("https://vk.com/depfin_tomsk", (date(2026, 3, 30), date(2026, 6, 28)), date(2026, 3, 30),
           date(2026, 6, 28)),
    Export("https://vk.com/depfin_tomsk", (date(2026, 7, 13), date(2026, 11, 29)), date(2026, 7, 13),
           date(2026, 11, 29)),  # III кв.: weeks 29.06 and 06.07 without data
    Export("https://ok.ru/group/70000000000010", P_FULL, *P_FULL),
    Export("https://t.me/depfin_tomsk", P_FULL, *P_FULL),
    Export("https://vk.com/petrov_fin", P_FULL, *P_FULL),
    # HA's Telegram: no export at all
    Export("https://vk.com/cbo_tomsk", (date(2026, 4, 1), P_FULL[1]), date(2026, 4, 1), P_FULL[1],
           {date(2026, 3, 30): 4}),  # week 30.03 covered from Wed: 4 posts ≥ 3 → counted
    Export("https://ok.ru/group/70000000000020", P_FULL, *P_FULL),
    Export("https://vk.com/zdrav_tomsk", P_FULL, *P_FULL),
    Export("https://ok.ru/group/70000000000030", P_FULL, *P_FULL),
    Export("https://t.me/zdrav_tomsk", P_FULL, *P_FULL),  # closed 12.08: posts go on
    Export("https://vk.com/sidorova_zdrav", (date(2026, 7, 1), P_FULL[1]), date(2026, 7, 1), P_FULL[1],
           {date(2026, 6, 29): 2}),  # week 29.06 covered from Wed: 2 posts < 3 → «неполные данные»
    Export("https://vk.com/medcenter_tomsk", P_FULL, *P_FULL),
    Export("https://t.me/medcenter_tomsk", P_FULL, *P_FULL),  # closed 20.05: posts go on
    Export("https://vk.com/obr_tomsk", P_FULL, date(2026, 3, 30), date(2026, 5, 31)),
    Export("https://t.me/obr_tomsk", P_FULL, *P_FULL),
    Export("https://vk.com/kuznetsov_obr", P_FULL, *P_FULL),
    Export("https://ok.ru/group/70000000000070", P_FULL, *P_FULL),
    Export("https://t.me/kuznetsov_obr", P_FULL, *P_FULL),
    Export("https://vk.com/trco_tomsk", P_FULL, date(2026, 3, 30), date(2026, 6, 28)),  # silent in III кв.
    # pages entered later (their data uploaded after the entering)
    Export("https://ok.ru/group/70000000000080", (date(2026, 8, 1), P_FULL[1]), date(2026, 8, 1), P_FULL[1]),
    Export("https://ok.ru/group/70000000000040", P_FULL, *P_FULL),
    Export("https://t.me/sidorova_zdrav", (date(2026, 10, 5), date(2026, 11, 29)), date(2026, 10, 7),
           date(2026, 11, 29)),
    Export("https://vk.com/rcro_tomsk", P_FULL, *P_FULL, early=True),
    Export("https://vk.com/obr_tomsk_new", P_FULL, date(2026, 5, 13), P_FULL[1], early=True),
]
LATER = {"https://ok.ru/group/70000000000080", "https://ok.ru/group/70000000000040", "https://t.me/sidorova_zdrav",
         "https://vk.com/rcro_tomsk", "https://vk.com/obr_tomsk_new"}


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def weekly_posts(url: str, week: date) -> int:
    return random.Random(f"{url}|{week}").randint(0, 5)


def post_moments(export: Export) -> list[datetime]:
    """Posts of the file: per week a known number, on Wed..Sun at 09:00.. local time, within posts_from..posts_to."""
    moments = []
    week = monday(export.posts_from)
    while week <= export.posts_to:
        n = export.overrides.get(week, weekly_posts(export.url, week))
        for k in range(n):
            day = week + timedelta(days=2 + k % 5)
            if export.posts_from <= day <= export.posts_to:
                moments.append(datetime(day.year, day.month, day.day, 9 + k, 7, tzinfo=TOMSK))
        week += timedelta(days=7)
    return moments


def write_export(export: Export, number: int, folder: Path) -> Path:
    p = next(x for x in PAGES + SECOND_PAGES + [e[2] for e in EDITS if e[0] == "add"] if x.url == export.url)
    moments = post_moments(export)
    if p.platform == "vk":
        owner_id = -int(p.platform_id)
        items = [{"id": 1000 * number + i, "owner_id": owner_id, "from_id": owner_id, "date": int(m.timestamp()),
                  "post_type": "post", "text": f"Публикация {i}", "attachments": [], "comments": {"count": 0},
                  "likes": {"count": 5}, "reposts": {"count": 1}, "views": {"count": 200}}
                 for i, m in enumerate(reversed(moments))]  # wall.get: newest first
        path = folder / f"wall_{p.platform_id}_{number}.json"
        path.write_text(json.dumps({"count": len(items), "items": items}, ensure_ascii=False), "utf-8")
    elif p.platform == "telegram":
        messages = [{"id": i + 1, "type": "message",
                     "date": m.astimezone(TOMSK).strftime("%Y-%m-%dT%H:%M:%S"),
                     "date_unixtime": str(int(m.timestamp())),
                     "from": p.owner, "from_id": f"channel{p.platform_id}", "text": f"Новость {i}",
                     "text_entities": [{"type": "plain", "text": f"Новость {i}"}]} for i, m in enumerate(moments)]
        chat = {"name": p.owner, "type": "public_channel", "id": int(p.platform_id), "messages": messages}
        sub = folder / f"tg_{p.platform_id}_{number}"
        sub.mkdir()
        path = sub / "result.json"
        path.write_text(json.dumps(chat, ensure_ascii=False, indent=1), "utf-8")
    else:  # OK: the product's activity template (formats.md §11), CSV
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(["Ссылка на страницу", "Дата и время", "Тип", "Просмотры"])
        for m in moments:
            writer.writerow([p.url, m.astimezone(TOMSK).strftime("%d.%m.%Y %H:%M"), "фото", 150])
        path = folder / f"ok_{p.url.rsplit('/', 1)[1]}_{number}.csv"
        path.write_text(out.getvalue(), "utf-8-sig")
    return path


# --- reading the files back (the expected side uses only what the files say) ------------------------------------

def read_posts(path: Path) -> list[date]:
    """Local (Asia/Tomsk) days of the page's own posts in a written file."""
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
        return [datetime.strptime(r["Дата и время"], "%d.%m.%Y %H:%M").date() for r in rows]
    payload = json.loads(path.read_text("utf-8"))
    if "messages" in payload:
        return [datetime.fromtimestamp(int(m["date_unixtime"]), TOMSK).date() for m in payload["messages"]
                if m["type"] == "message"]
    return [datetime.fromtimestamp(i["date"], TOMSK).date() for i in payload["items"] if i["from_id"] == i["owner_id"]]


# --- the running ------------------------------------------------------------------------------------------------

def cli(url: str, *args: str) -> str:
    env = {**os.environ, "GOSPABLIKI_DATABASE_URL": url}
    done = subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"cli.py {' '.join(args)} → {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build(folder: Path) -> tuple[str, dict[str, list[Path]], dict[str, list[tuple[date, date]]]]:
    """The database and the files; returns the URL, each page's files and its stated periods."""
    sys.path.insert(0, str(ROOT))
    from reports.registry_template import registry_workbook

    db_url = f"sqlite:///{folder / 'x.sqlite3'}"
    cli(db_url, "init-db")
    owners = {o.name: o for o in OWNERS}
    first = folder / "реестр_на_31.03.2026.xlsx"
    first.write_bytes(registry_workbook([registry_row(p, owners) for p in PAGES]))
    cli(db_url, "ingest", str(first), "--as-of", FIRST_UPLOAD.isoformat())

    files, periods = defaultdict(list), defaultdict(list)
    by_period = defaultdict(list)
    later_by_period = defaultdict(list)
    for number, export in enumerate(EXPORTS, start=1):
        path = write_export(export, number, folder)
        files[export.url].append(path)
        periods[export.url].append(export.period)
        (later_by_period if export.url in LATER else by_period)[export.period].append(path)
        if export.early:
            by_period[export.period].append(path)
    for period, paths in by_period.items():
        cli(db_url, "ingest", *map(str, paths), "--period", f"{period[0]}:{period[1]}")

    from services import registry as service
    from sqlalchemy import select
    from storage import schema
    from storage.db import make_engine
    engine = make_engine(db_url)

    def page_id(url):
        with engine.connect() as conn:
            return conn.execute(select(schema.pages.c.id).where(schema.pages.c.url == url)).scalar_one()

    def owner_id(name):
        with engine.connect() as conn:
            return conn.execute(select(schema.owners.c.id).where(schema.owners.c.name == name)).scalar_one()

    def edit_page(url, today, **changes):
        pid = page_id(url)
        form = service.page_form(engine, pid, today)
        return service.save_page(engine, pid, {**form, **changes}, form, user=EDIT_USER, role="analyst", today=today)

    for edit in EDITS:
        what, today = edit[0], edit[1]
        if what == "close":
            edit_page(edit[2], today, closed_on=edit[3])
            page(edit[2]).closed_on = edit[3]
        elif what == "registered":
            edit_page(edit[2], today, registered_on=edit[3])
            page(edit[2]).registered_history.append((today, edit[3]))
            page(edit[2]).registered_on = edit[3]
        elif what == "add":
            p = edit[2]
            service.save_page(engine, None, {"owner_id": owner_id(p.owner), "platform": p.platform, "url": p.url,
                                             "platform_id": p.platform_id, "registered_on": p.registered_on,
                                             "items": {"avatar": True, "subscribers": "500"}},
                              user=EDIT_USER, role="analyst", today=today)
            PAGES.append(p)
        elif what == "parent":
            oid = owner_id(edit[2])
            form = service.owner_form(engine, oid)
            service.save_owner(engine, oid, {**form, "parent": edit[3]}, form, user=EDIT_USER, role="analyst",
                               today=today)
        elif what == "rename":
            oid = owner_id(edit[2])
            form = service.owner_form(engine, oid)
            service.save_owner(engine, oid, {**form, "name": edit[3]}, form, user=EDIT_USER, role="analyst",
                               today=today)
    # a new executive body in October (no pages: it must not appear before)
    service.save_owner(engine, None, {"name": "Департамент по делам молодёжи Томской области",
                                      "kind": "executive_body"}, user=EDIT_USER, role="analyst", today=OCT)
    engine.dispose()

    owners_now = {**owners, IC2: SECOND_OWNERS[0]}
    rows = [registry_row(page(u), owners_now) for u in SECOND_RESTATED] + [registry_row(p, owners_now)
                                                                            for p in SECOND_PAGES]
    second = folder / "реестр_на_25.10.2026.xlsx"
    second.write_bytes(registry_workbook(rows))
    cli(db_url, "ingest", str(second), "--as-of", SECOND_UPLOAD.isoformat())
    PAGES.extend(SECOND_PAGES)

    for period, paths in later_by_period.items():
        cli(db_url, "ingest", *map(str, paths), "--period", f"{period[0]}:{period[1]}")
    return db_url, files, periods


# --- the expected values, from the files and the rules (methodology.md §1, §3, §4) ------------------------------

def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    first = date(year, 3 * q - 2, 1)
    last = (date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - timedelta(days=1)
    return first, last


def quarter_weeks(year: int, q: int) -> list[date]:
    """ISO weeks whose Thursday falls in the quarter."""
    first, last = quarter_bounds(year, q)
    week, weeks = monday(first - timedelta(days=7)), []
    while week <= last + timedelta(days=7):
        if first <= week + timedelta(days=3) <= last:
            weeks.append(week)
        week += timedelta(days=7)
    return weeks


def owners_on(day: date) -> dict[str, dict]:
    """Owners as the registry stood on `day`: first-upload owners always, later ones from their day; renames and
    moves from their day. Keyed by the owner's identity (its first name)."""
    out = {o.name: {"name": o.name, "kind": o.kind, "parent": o.parent} for o in OWNERS}
    for o in SECOND_OWNERS:
        if SECOND_UPLOAD <= day:
            out[o.name] = {"name": o.name, "kind": o.kind, "parent": o.parent}
    if OCT <= day:
        out["Департамент по делам молодёжи Томской области"] = {
            "name": "Департамент по делам молодёжи Томской области", "kind": "executive_body", "parent": None}
    for when, who, what, value in OWNER_CHANGES:
        if when <= day and what in ("name", "parent"):
            out[who][what] = value
    return out


def pages_of(year: int, q: int) -> list[Page]:
    first, last = quarter_bounds(year, q)
    return [p for p in PAGES if (p.url in FIRST_PAGES or p.added_on <= last) and p.registered_on <= last
            and not (p.closed_on and p.closed_on < first)]


@dataclass
class Expected:
    status: list[str]
    posts: list[int | None]
    weeks: int
    weeks_ok: int
    weeks_no_data: int
    weeks_partial: int
    counted_posts: int


def expected_page(p: Page, weeks: list[date], files: dict, periods: dict, norm: int, today: date) -> Expected:
    days: dict[date, int] = defaultdict(int)
    for path in dict.fromkeys(files.get(p.url, [])):  # a file uploaded twice counts once
        for d in read_posts(path):
            days[d] += 1
    covered = set()
    for a, b in periods.get(p.url, []):
        covered |= {a + timedelta(days=i) for i in range((b - a).days + 1)}
    reg = p.registered_on
    start = monday(reg) + timedelta(days=7) if reg.weekday() else reg  # the first full week after registration
    status, posts = [], []
    for w in weeks:
        week_days = [w + timedelta(days=i) for i in range(7)]
        n = sum(days[d] for d in week_days)
        cov = [d for d in week_days if d in covered]
        in_cov = sum(days[d] for d in cov)
        if p.closed_on and w >= monday(p.closed_on):
            status.append("closed"); posts.append(n)
        elif w < start:
            status.append("before_registration"); posts.append(n)
        elif w + timedelta(days=6) >= today:  # the week has not ended yet (a quarter still going on)
            status.append("not_ended"); posts.append(n or None)
        elif len(cov) == 7 or (cov and in_cov >= norm):
            status.append("zero" if in_cov == 0 else "met" if in_cov >= norm else "below"); posts.append(in_cov)
        elif cov:
            status.append("partial"); posts.append(in_cov)
        else:
            status.append("no_data"); posts.append(None)
    counted = [i for i, s in enumerate(status) if s in ("zero", "below", "met")]
    return Expected(status, posts, len(counted), status.count("met"), status.count("no_data"),
                    status.count("partial"), sum(posts[i] for i in counted))


class Checks:
    def __init__(self):
        self.passed = self.failed = 0
        self.failures: list[str] = []

    def __call__(self, label: str, expected, actual, source: str = "в rate --json") -> bool:
        ok = expected == actual
        if ok:
            self.passed += 1
            print(f"✓ {label}: {expected!r}")
        else:
            self.failed += 1
            line = f"✗ {label}: ожидалось {expected!r}, {source} {actual!r}"
            self.failures.append(line)
            print(line)
        return ok


def rate_json(db_url: str, quarter: str) -> dict:
    return json.loads(cli(db_url, "rate", "--quarter", quarter, "--json"))


def check_quarter(check: Checks, db_url: str, year: int, q: int, files: dict, periods: dict) -> None:
    tag = f"{q} кв. {year}"
    first, last = quarter_bounds(year, q)
    got = rate_json(db_url, f"{year}Q{q}")
    weeks = quarter_weeks(year, q)
    check(f"[{tag}] недели квартала", [w.isoformat() for w in weeks], got["weeks"])
    owners = owners_on(last)
    pages = pages_of(year, q)
    got_pages = {r["url"]: r for r in got["pages"]}
    check(f"[{tag}] страницы квартала (правила a, b, c)", sorted(p.url for p in pages), sorted(got_pages))
    rated_pages = defaultdict(list)
    for p in pages:
        o = owners[p.owner]
        e = expected_page(p, weeks, files, periods, NORM[o["kind"]], datetime.now(TOMSK).date())
        r = got_pages.get(p.url)
        if r is None:
            continue
        name = f"[{tag}] {p.url}"
        check(f"{name}: владелец / вышестоящий", (o["name"], o["parent"]), (r["owner"], r["parent"]))
        check(f"{name}: статусы недель", e.status, r["weekly_status"])
        shown = [v if s not in ("closed", "before_registration", "not_ended") or v else r["weekly_posts"][i]
                 for i, (s, v) in enumerate(zip(e.status, e.posts))]  # 0 there may read as «—»
        check(f"{name}: публикации по неделям", shown, r["weekly_posts"])
        check(f"{name}: учтено недель / с нормой / нет данных / неполные / публикаций",
              (e.weeks, e.weeks_ok, e.weeks_no_data, e.weeks_partial, e.counted_posts),
              (r["weeks"], r["weeks_ok"], r["weeks_no_data"], r["weeks_partial"], r["posts"]))
        rated = e.weeks >= MIN_WEEKS
        check(f"{name}: оценивается", rated, r["not_rated_reason"] is None and r["score"] is not None)
        if rated:
            rated_pages[p.owner].append(p.url)
        elif p.closed_on and e.weeks < MIN_WEEKS and "closed" in e.status:
            prefix = f"страница закрыта {p.closed_on:%d.%m.%Y}"
            check(f"{name}: причина (начало)", prefix, (r["not_rated_reason"] or "")[:len(prefix)])
        elif e.weeks == 0 and e.weeks_partial == 0 and set(e.status) <= {"no_data", "before_registration"}:
            check(f"{name}: причина", "нет данных об активности за квартал", r["not_rated_reason"])
        if rated:  # B1 = weeks with the norm / counted weeks
            b1 = next((i for i in r["indicators"] if i.get("code") == "B1"), None) if isinstance(
                r["indicators"], list) else (r["indicators"] or {}).get("B1")
            if isinstance(b1, dict) and b1.get("value") is not None:
                check(f"{name}: B1", round(e.weeks_ok / e.weeks, 6), round(b1["value"], 6))
            b2 = (r["indicators"] or {}).get("B2") if isinstance(r["indicators"], dict) else None
            if isinstance(b2, dict) and b2.get("value") is not None:
                norm = NORM[o["kind"]]
                check(f"{name}: B2", round(min(1, e.counted_posts / (norm * e.weeks)), 6), round(b2["value"], 6))

    rows = {r["owner"]: (table, r) for table in ("bodies", "institutions", "heads", "reference") for r in got[table]}
    check(f"[{tag}] владельцы квартала", sorted(o["name"] for o in owners.values()), sorted(rows))
    table_of = {"executive_body": "bodies", "institution": "institutions", "head": "heads", "governor": "reference"}
    for key, o in owners.items():
        table, r = rows.get(o["name"], (None, None))
        if r is None:
            continue
        mine = [p for p in pages if p.owner == key]
        name = f"[{tag}] «{o['name']}»"
        check(f"{name}: таблица / вышестоящий", (table_of[o["kind"]], o["parent"]), (table, r["parent_name"]))
        missing = [x for x in REQUIRED if x not in {p.platform for p in mine}]
        check(f"{name}: нет страницы на", missing, r["missing_platforms"])
        check(f"{name}: оценено страниц / всего", (len(rated_pages[key]), len(mine)),
              (r["rated_pages"], r["pages_total"]))
        check(f"{name}: оценивается", bool(rated_pages[key]), r["not_rated_reason"] is None)
        if o["kind"] == "executive_body":
            heads = sorted(v["name"] for v in owners.values() if v["kind"] == "head" and v["parent"] == o["name"])
            insts = [k for k, v in owners.items() if v["kind"] == "institution" and v["parent"] == o["name"]]
            check(f"{name}: руководитель в составе (по строкам руководителей)", heads,
                  sorted(h["owner"] for h in got["heads"] if h["parent_name"] == o["name"]))
            check(f"{name}: учреждений всего / оценено", (len(insts), sum(bool(rated_pages[k]) for k in insts)),
                  (r["institutions_total"], r["institutions_count"]))


def check_identity(check: Checks, db_url: str) -> None:
    """Outside rules a–c: an export uploaded before its page was entered (the save on «Реестр», or the second
    registry file) reaches the page once the registry names its platform id — one page per platform id."""
    import sqlite3
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    for pid, how in (("-2602", "страница добавлена на «Реестре» 01.06.2026"),
                     ("-2901", "страница пришла вторым файлом реестра 25.10.2026")):
        rows = conn.execute("select id, owner_id, url from pages where platform_id = ?", (pid,)).fetchall()
        check(f"[идентичность] ID {pid}: одна страница после того, как {how} (выгрузка загружена раньше)", 1,
              len(rows), "в базе страниц")
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="папка для базы и файлов (по умолчанию временная, удаляется)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="verify_registry_"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        db_url, files, periods = build(folder)
        check = Checks()
        for year, q in ((2026, 3), (2026, 2), (2026, 4)):
            check_quarter(check, db_url, year, q, files, periods)
        check_identity(check, db_url)
        print(f"\nсовпало {check.passed}, расхождений {check.failed}")
        for line in check.failures:
            print(line)
        return 1 if check.failed else 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
