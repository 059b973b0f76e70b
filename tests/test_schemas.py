"""The canonical tables declared once (core.schemas, issue 22 §3): every named rule refuses a frame that breaks it
with its Russian message; the loaders' frames (the genuine VK sample, files written as the platforms write them) and
the frames storage reads for scoring are their declarations; no second literal declaration of the columns remains."""
import ast
import random
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from core import schemas
from core.schemas import COMMENT, COVERAGE, FILE, OWNER, PAGE, POST, REGISTRY, SCORING, SNAPSHOT, STREAM, Context

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "samples" / "vk" / "wall_get_foodsharing_2020.json"  # copy of shared/samples
NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
T = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)


def _frame(table: schemas.Table, stage: str, rows: list[dict]) -> pl.DataFrame:
    schema = table.schema(stage)
    return pl.DataFrame(rows, schema={k: schema[k] for k in rows[0]}, orient="row")


# table, stage, a good row, the change that breaks the rule, the rule, its message
CASES = [
    (POST, FILE, {"ref": "a", "post_id": "1", "published_at": T, "views": 5}, {"views": -1},
     "counters_non_negative", "счётчик «просмотры» отрицательный (-1)"),
    (POST, FILE, {"ref": "a", "post_id": "1", "published_at": T},
     {"published_at": datetime(2030, 1, 1, tzinfo=timezone.utc)},
     "not_in_future", "дата публикации 01.01.2030 00:00 UTC ещё не наступила"),
    (COMMENT, FILE, {"ref": "a", "comment_id": "7", "post_id": "1", "author_is_page": False, "created_at": T},
     {"created_at": datetime(2005, 3, 1, tzinfo=timezone.utc)},
     "not_before_2006", "дата комментария 01.03.2005 00:00 UTC раньше 2006 года — такого не может быть"),
    (POST, FILE, {"ref": "a", "post_id": "1", "published_at": T}, {"ref": "b"},
     "own_post", "запись страницы «b», которой нет среди страниц файла — учитываются только записи самих страниц"),
    (COMMENT, FILE, {"ref": "a", "comment_id": "7", "post_id": "1", "author_is_page": True, "created_at": T},
     {"post_id": None}, "required", "не указано: публикация, к которой комментарий"),
    (STREAM, SCORING, {"page_id": 1, "stream_id": "s", "started_at": T, "duration_s": 60}, {"duration_s": -5},
     "duration_non_negative", "длительность эфира отрицательная (-5)"),
    (SNAPSHOT, SCORING, {"page_id": 1, "batch_id": 1, "design_pct": 50.0}, {"design_pct": 150.0},
     "percent_0_100", "оформление, % («Госпаблики»): процент вне 0–100 (150.0)"),
    (SNAPSHOT, REGISTRY, {"pos_widgets": 1}, {"pos_widgets": 3},
     "widgets_0_2", "виджеты ПОС (0, 1 или 2): ожидается 0, 1 или 2 (3)"),
    (COVERAGE, SCORING, {"page_id": 1, "data_kind": "posts", "date_from": date(2026, 10, 1),
                         "date_to": date(2026, 10, 9), "batch_id": 1}, {"date_from": date(2026, 10, 10)},
     "period_ordered", "первый покрытый день (местный) и последний покрытый день (местный): начало периода позже "
                       "его конца (10.10.2026 > 09.10.2026)"),
    (PAGE, FILE, {"ref": "a", "platform": "vk", "page_key": "depfin"}, {"platform": "facebook"},
     "platform_known", "неизвестная платформа «facebook»"),
    (PAGE, SCORING, {"page_id": 1, "platform": "vk", "page_key": None, "platform_id": "-2002"},
     {"platform_id": None}, "page_named", "страница не названа: нет ни адреса, ни ID на платформе"),
    (OWNER, SCORING, {"owner_id": 1, "owner_name": "Департамент", "kind": "executive_body"}, {"kind": "ministry"},
     "kind_known", "неизвестный тип владельца «ministry»"),
]


def test_every_rule_has_a_case():
    assert {case[4] for case in CASES} | {"id_unique"} == set(schemas.RULES)


@pytest.mark.parametrize("table, stage, good, change, rule, message", CASES, ids=[c[4] for c in CASES])
def test_each_rule_refuses_a_frame_that_breaks_it(table, stage, good, change, rule, message):
    context = Context(now=NOW, pages=("a", "ax") if stage == FILE else (1, 2))
    other = {k: (v + "x" if isinstance(v, str) else v + 1) if k.endswith("_id") or k == "ref" else v
             for k, v in good.items()}  # another row, with other ids
    assert table.violations(_frame(table, stage, [good, other]), context) == []
    broken = table.violations(_frame(table, stage, [other, good | change]), context)
    assert [(v.rule, v.row, v.message) for v in broken] == [(rule, 1, message)]


@pytest.mark.parametrize("table, stage, row, key", [
    (POST, FILE, {"ref": "a", "post_id": "1", "published_at": T}, "post_id"),
    (COMMENT, SCORING, {"page_id": 1, "comment_id": "7", "post_id": "1", "author_is_page": False,
                        "created_at": T}, "comment_id"),
    (PAGE, SCORING, {"page_id": 1, "platform": "vk", "page_key": "depfin"}, "page_id"),
    (OWNER, REGISTRY, {"name": "Департамент", "name_key": "департамент", "kind": "executive_body"}, "name_key"),
])
def test_id_unique_refuses_a_repeated_key(table, stage, row, key):
    broken = table.violations(_frame(table, stage, [row, row]), Context(now=NOW))
    assert {v.rule for v in broken} == {"id_unique"} and [v.row for v in broken] == [0, 1]
    assert broken[0].message.startswith("повтор: ") and "уже встречается в таблице" in broken[0].message
    assert table.violations(_frame(table, stage, [row, row | {key: row[key] * 2}]), Context(now=NOW)) == []


def test_a_loader_reports_a_broken_rule_where_it_stands_in_the_file():
    """check_counters / check_moments are the declared rules, located by the loader (record, column of the file)."""
    from loaders.errors import LoadError
    from storage.ingest import load_activity
    from tests.factories import to_json, unix, vk_post
    with pytest.raises(LoadError) as error:
        load_activity(to_json({"count": 1, "items": [vk_post(5, unix(2026, 1, 1), views={"count": -4})]}), "wall.json")
    issue = error.value.issues[0]
    assert (issue.message, issue.record, issue.column) == ("счётчик «просмотры» отрицательный (-4)",
                                                           "запись 1 (id 5)", "views")


def test_every_column_is_described_in_russian_and_english():
    for table in schemas.TABLES.values():
        for column in table.columns:
            assert column.ru and column.en and column.stages <= set(schemas.STAGES), (table.name, column.name)
            assert any("а" <= ch <= "я" for ch in column.ru.casefold()), (table.name, column.name)


def _conforming(data, refs=None) -> None:
    pages = tuple(data.pages["ref"]) if refs is None else refs
    for table, frame in ((PAGE, data.pages), (POST, data.posts), (STREAM, data.streams), (COMMENT, data.comments),
                         (SNAPSHOT, data.snapshots), (COVERAGE, data.coverage)):
        assert table.conforms(frame, FILE, Context(now=NOW, pages=pages)) == [], (data.format, table.name)


def _demo_files():
    from demo import exports
    from demo.activity import simulate_page
    from demo.world import build_world
    owners, pages = build_world()
    chosen = [next(p for p in pages if p.platform == platform) for platform in ("vk", "telegram", "ok")]
    rng = random.Random(132)
    activity = {p.platform: simulate_page(p, rng) for p in chosen}
    start, end = exports.utc(2026, 7, 1), exports.utc(2026, 10, 1)
    files = [("wall.json", exports.vk_wall_get(activity["vk"], start, end, True)),
             ("result.json", exports.telegram_channel(activity["telegram"], start, end)),
             ("ok.json", exports.ok_mediatopics(activity["ok"], start, end)),
             ("публикации.csv", exports.template_csv(list(activity.values()), start, end))]
    comments = exports.vk_comments(activity["vk"], start, end)
    if comments is not None:
        files.append(("comments.json", comments))
    return pages, files


def test_loaders_outputs_are_their_declarations():
    """The genuine VK sample and files written as VK, Telegram Desktop, OK and our template write them."""
    from loaders.registry import load_registry
    from storage.ingest import load_activity
    _conforming(load_activity(SAMPLE.read_bytes(), SAMPLE.name))
    pages, files = _demo_files()
    formats = set()
    for name, content in files:
        data = load_activity(content, name)
        formats.add(data.format)
        _conforming(data)
    assert {"vk_wall", "telegram", "ok_mediatopics"} <= formats
    from demo import exports
    for name, content in (("реестр.xlsx", exports.registry_xlsx(pages)),
                          ("gospubliki.csv", exports.gospubliki_csv(pages, 1))):
        registry = load_registry(content, name, today=date(2026, 11, 30))
        assert OWNER.conforms(registry.owners, REGISTRY) == [], name
        page_schema = PAGE.schema(REGISTRY) | SNAPSHOT.schema(REGISTRY)
        assert dict(registry.pages.schema) == page_schema, name
        problems = (PAGE.violations(registry.pages, Context(now=NOW))
                    + SNAPSHOT.violations(registry.pages.select(list(SNAPSHOT.schema(REGISTRY))), Context(now=NOW)))
        assert problems == [], name


def test_frames_storage_reads_for_scoring_are_their_declarations(sqlite_url):
    from core.calendar import Quarter
    from demo import exports
    from services.quarters import scoring_input
    from storage import queries
    from storage.db import make_engine
    from storage.ingest import ingest_bytes
    engine = make_engine(sqlite_url)
    try:
        pages, files = _demo_files()
        ingest_bytes(engine, exports.registry_xlsx(pages), "реестр.xlsx", user="test", as_of=date(2026, 6, 30))
        for name, content in files:
            ingest_bytes(engine, content, name, user="test")
        data = scoring_input(engine, Quarter(2026, 3), ZoneInfo("Asia/Tomsk"), summed=False)
        ids = tuple(data.pages["page_id"])
        assert data.posts.height and data.snapshots.height and data.coverage.height
        for table, frame in ((OWNER, data.owners), (PAGE, data.pages), (SNAPSHOT, data.snapshots),
                             (POST, data.posts), (STREAM, data.streams), (COMMENT, data.comments),
                             (COVERAGE, data.coverage), (OWNER, queries.owners_frame(engine)),
                             (SNAPSHOT, queries.snapshots_frame(engine))):
            assert table.conforms(frame, SCORING, Context(now=NOW, pages=ids)) == [], table.name
    finally:
        engine.dispose()


# --- declared once -------------------------------------------------------------------------------------------------
GENERIC = {"ref", "page_id", "batch_id", "source_row", "owner_id", "url", "title", "platform", "kind", "comments",
           "posts", "as_of"}
# independent re-implementations of the rating in pandas: they read the methodology and the frames on their own
REFERENCES = {"benchmark/pandas_scoring.py", "benchmark/pandas_per_page.py"}


def _dtype(node) -> bool:
    def polars(n):
        return isinstance(n, ast.Name) and n.id == "pl"
    return ((isinstance(node, ast.Attribute) and polars(node.value))
            or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and polars(node.func.value))
            or (isinstance(node, ast.Name) and node.id == "UTC"))


def test_no_second_declaration_of_the_canonical_columns():
    """A {column: Polars type} literal naming three columns of a canonical table, or a sequence naming seven
    checklist items, is a second declaration: outside core.schemas there is none (tests build frames from it)."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if (any(part.startswith(".") for part in path.relative_to(ROOT).parts) or relative == "core/schemas.py"
                or relative.startswith("tests/") or relative in REFERENCES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Dict) and node.keys and all(_dtype(v) for v in node.values)
                    and all(isinstance(k, ast.Constant) for k in node.keys)):
                keys = {k.value for k in node.keys}
                for table in schemas.TABLES.values():
                    if len(keys & ({c.name for c in table.columns} - GENERIC)) >= 3:
                        offenders.append(f"{relative}:{node.lineno} ({table.name})")
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                items = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if len(items & set(schemas.CHECKLIST_ITEMS)) >= 7:
                    offenders.append(f"{relative}:{node.lineno} (checklist)")
    assert offenders == []
