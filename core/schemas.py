"""The canonical tables, declared once (issue 22 §3): post, stream, comment, snapshot, coverage, page and owner.

Each table lists its columns — name, Polars type, a Russian and an English description, and the stages that carry it:

* `file` — what an activity loader hands over (`loaders.activity.ActivityData`): rows keyed by `ref`, a page's id
  within the file, with `source_row` pointing back into it;
* `registry` — what the registry loader hands over (`loaders.registry.RegistryData`);
* `scoring` — what storage reads for a quarter and scoring consumes (`storage.queries`, `scoring.inputs`).

and its named rules: Polars expressions true on the rows that break them, each with a Russian message. The loaders
check their frames with them (a broken rule is a located error: file, record or sheet and row, column), tests check
every stage's frames against them. The checklist items of the order (Порядок §2) are listed here once
(`CHECKLIST_ITEMS`); loaders, storage and scoring take them from here.

Why not dataframely (a well-kept declarative Polars validation library): its rules are fixed at class definition,
while ours depend on the load (`now` of `not_in_future`, the file's pages of `own_post`); its failures are counts per
rule and the invalid rows, while every error here must be a Russian sentence located in the user's file by the
loader's own place function; and each table has three column sets (one schema class per stage). A small frozen
declaration over plain Polars expressions carries all of that with no new dependency.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import polars as pl

from core import limits
from core.domain import OWNER_KINDS

UTC = pl.Datetime("us", "UTC")
FILE, REGISTRY, SCORING = "file", "registry", "scoring"
STAGES = (FILE, REGISTRY, SCORING)
EARLIEST = datetime(2006, 1, 1, tzinfo=timezone.utc)  # nothing on these platforms is older than VK itself
FUTURE_TOLERANCE = timedelta(hours=1)  # clock skew between the exporting computer and ours
KNOWN_PLATFORMS = ("vk", "ok", "telegram", "max")  # max: named by the registry, no export read yet


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    ru: str
    en: str
    stages: frozenset[str]
    item: bool = False  # a checklist item of the order (snapshot)


def col(name: str, dtype, ru: str, en: str, *stages: str, item: bool = False) -> Column:
    return Column(name, dtype, ru, en, frozenset(stages), item)


@dataclass(frozen=True)
class Context:
    """What a rule may depend on besides the frame: the moment of the load and the pages the file names."""
    now: datetime | None = None
    pages: tuple | None = None  # the page keys (`ref` or `page_id`) the rows may name


@dataclass(frozen=True)
class Rule:
    """A named rule: `broken(column, context)` is true on the rows that break it; `per_column` rules are evaluated
    for each of their columns, the others once over all of them (`broken` gets the first and reads the rest)."""
    name: str
    message: str  # Russian; formatted with {label} (the column's description or the loader's name) and {value}
    broken: Callable[..., pl.Expr]
    per_column: bool = True


@dataclass(frozen=True)
class Violation:
    rule: str
    row: int  # index of the row in the frame
    column: str
    value: object
    message: str


def _in_window(column: str) -> pl.Expr:
    # moments outside the window of core.limits are refused, with their own message, while the frame is built
    return pl.col(column).is_between(limits.MOMENTS_FROM, limits.MOMENTS_TO, closed="left")


def _moment(value) -> str:
    """A moment or a day as messages write them (ДД.ММ.ГГГГ ЧЧ:ММ, ДД.ММ.ГГГГ)."""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    return f"{value:%d.%m.%Y}" if isinstance(value, date) else str(value)


RULES = {rule.name: rule for rule in (
    Rule("counters_non_negative", "счётчик «{label}» отрицательный ({value})", lambda c, ctx: pl.col(c) < 0),
    Rule("not_in_future", "{label} {value} UTC ещё не наступила",
         lambda c, ctx: _in_window(c) & (pl.col(c) > (ctx.now or datetime.now(timezone.utc)) + FUTURE_TOLERANCE)),
    Rule("not_before_2006", "{label} {value} UTC раньше 2006 года — такого не может быть",
         lambda c, ctx: _in_window(c) & (pl.col(c) < EARLIEST)),
    Rule("id_unique", "повтор: {label} «{value}» уже встречается в таблице",
         lambda c, ctx, *more: pl.struct(c, *more).is_duplicated(), per_column=False),
    Rule("own_post", "запись страницы «{value}», которой нет среди страниц файла — учитываются только записи "
                     "самих страниц", lambda c, ctx: pl.col(c).is_null() | (
                         ~pl.col(c).is_in(list(ctx.pages)) if ctx.pages is not None else pl.lit(False))),
    Rule("required", "не указано: {label}", lambda c, ctx: pl.col(c).is_null()),
    Rule("duration_non_negative", "длительность эфира отрицательная ({value})", lambda c, ctx: pl.col(c) < 0),
    Rule("percent_0_100", "{label}: процент вне 0–100 ({value})", lambda c, ctx: ~pl.col(c).is_between(0, 100)),
    Rule("widgets_0_2", "{label}: ожидается 0, 1 или 2 ({value})", lambda c, ctx: ~pl.col(c).is_between(0, 2)),
    Rule("period_ordered", "{label}: начало периода позже его конца ({value})",
         lambda c, ctx, end: pl.col(c) > pl.col(end), per_column=False),
    Rule("page_named", "страница не названа: нет ни адреса, ни ID на платформе",
         lambda c, ctx, other: pl.col(c).is_null() & pl.col(other).is_null(), per_column=False),
    Rule("platform_known", "неизвестная платформа «{value}»", lambda c, ctx: ~pl.col(c).is_in(KNOWN_PLATFORMS)),
    Rule("kind_known", "неизвестный тип владельца «{value}»", lambda c, ctx: ~pl.col(c).is_in(OWNER_KINDS)),
)}


@dataclass(frozen=True)
class Check:
    """A rule applied to columns of a table: a frame without a column skips it (a rule over several columns at once,
    such as `id_unique`, needs them all)."""
    rule: str
    columns: tuple[str, ...]


def check(rule: str, *columns: str) -> Check:
    assert rule in RULES, rule
    return Check(rule, columns)


@dataclass(frozen=True)
class Table:
    name: str
    ru: str
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = field(default=())

    def __post_init__(self):
        names = [c.name for c in self.columns]
        assert len(names) == len(set(names)), f"{self.name}: a column declared twice"
        for c in self.checks:
            assert set(c.columns) <= set(names), f"{self.name}.{c.rule}: {c.columns}"

    def schema(self, stage: str) -> dict[str, pl.DataType]:
        """{column: dtype} of the table at a stage, in the declared order."""
        assert stage in STAGES, stage
        return {c.name: c.dtype for c in self.columns if stage in c.stages}

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def descriptions(self) -> dict[str, tuple[str, str]]:
        return {c.name: (c.ru, c.en) for c in self.columns}

    def violations(self, frame: pl.DataFrame, context: Context = Context(), *, rules: tuple[str, ...] | None = None,
                   labels: dict[str, str] | None = None, limit: int = 200) -> list[Violation]:
        """The rows of `frame` that break the table's rules (those whose columns the frame has), at most `limit`
        per rule and column, each with its Russian message; `labels` name columns as the loader's file does."""
        found: list[Violation] = []
        if frame.height == 0:
            return found
        indexed = frame.with_row_index("_row")
        for c in self.checks:
            rule = RULES[c.rule]
            if rules is not None and c.rule not in rules:
                continue
            if rule.per_column:  # each column the frame has
                targets = [(n, rule.broken(n, context)) for n in c.columns if n in frame.columns]
            elif set(c.columns) <= set(frame.columns):
                targets = [(c.columns[0], rule.broken(c.columns[0], context, *c.columns[1:]))]
            else:
                continue
            for name, broken in targets:
                for r in indexed.filter(broken.fill_null(False)).head(limit).iter_rows(named=True):
                    found.append(self._violation(c, name, r, labels or {}))
        return found

    def _violation(self, c: Check, name: str, r: dict, labels: dict[str, str]) -> Violation:
        rule = RULES[c.rule]
        names = (name,) if rule.per_column else c.columns
        value = r[name] if len(names) == 1 else ", ".join(str(r[n]) for n in names)
        if c.rule == "period_ordered":
            shown = f"{_moment(r[c.columns[0]])} > {_moment(r[c.columns[1]])}"
        else:
            shown = _moment(value) if isinstance(value, date) else value
        label = " и ".join(labels.get(n) or self.column(n).ru for n in names)
        return Violation(c.rule, r["_row"], name, value, rule.message.format(label=label, value=shown))

    def conforms(self, frame: pl.DataFrame, stage: str, context: Context = Context()) -> list[str]:
        """What keeps `frame` from being this table at `stage`: other columns or types, broken rules (empty: none)."""
        problems = []
        expected, actual = self.schema(stage), dict(frame.schema)
        if list(actual) != list(expected):
            problems.append(f"{self.ru}: столбцы {list(actual)} вместо {list(expected)}")
        problems += [f"{self.ru}: столбец {n} типа {actual[n]} вместо {t}" for n, t in expected.items()
                     if n in actual and actual[n] != t]
        problems += [f"{self.ru}, строка {v.row + 1}: {v.message} [{v.rule}]" for v in self.violations(frame, context)]
        return problems


# ---------------------------------------------------------------------------------------------------------------
F, R, S = FILE, REGISTRY, SCORING
_REF = col("ref", pl.String, "страница внутри файла", "the page's id within the file", F)
_PAGE_ID = col("page_id", pl.Int64, "страница реестра", "registry page id", S)
_SOURCE_ROW = col("source_row", pl.Int64, "место в файле (запись или строка)", "record or row in the file", F)
# the engagement counters of a post, in this order (name, Russian and English description): one column each
_COUNTER_TEXTS = {"views": ("просмотры", "views"), "likes": ("лайки", "likes"), "comments": ("комментарии", "comments"),
                  "reposts": ("репосты", "reposts"), "reactions": ("реакции", "reactions")}
COUNTERS = tuple(_COUNTER_TEXTS)

POST = Table("post", "публикации", (
    _REF, _PAGE_ID,
    col("post_id", pl.String, "идентификатор публикации", "post id on the platform", F, S),
    col("published_at", UTC, "дата публикации", "publication moment (UTC)", F, S),
    col("content_type", pl.String, "вид публикации (текст, фото, видео, эфир, опрос, репост, ссылка)",
        "content type", F),
    col("is_repost", pl.Boolean, "репост чужой записи", "a repost of another page's post", F, S),
    col("is_pinned", pl.Boolean, "закреплена", "pinned", F),
    col("is_live", pl.Boolean, "прямой эфир", "a live stream post", F, S),
    col("text", pl.String, "текст публикации", "post text", F),
    *(col(name, pl.Int64, ru, en, F, S) for name, (ru, en) in _COUNTER_TEXTS.items()),
    col("paid_reactions", pl.Int64, "платные реакции (звёзды Telegram), не учитываются в вовлечённости",
        "paid reactions (Telegram Stars), not engagement", F),
    _SOURCE_ROW,
), (check("own_post", "ref"), check("own_post", "page_id"), check("id_unique", "ref", "post_id"),
    check("id_unique", "page_id", "post_id"), check("counters_non_negative", *COUNTERS, "paid_reactions"),
    check("not_in_future", "published_at"), check("not_before_2006", "published_at"),
    check("required", "post_id", "published_at")))

STREAM = Table("stream", "прямые эфиры", (
    _REF, _PAGE_ID,
    col("stream_id", pl.String, "идентификатор эфира", "live stream id", F, S),
    col("started_at", UTC, "начало эфира", "start moment (UTC)", F, S),
    col("duration_s", pl.Int64, "длительность, секунд", "duration, seconds", F, S),
    col("url", pl.String, "ссылка на эфир", "stream link", F, S),
    col("title", pl.String, "название эфира", "stream title", F, S),
    _SOURCE_ROW,
), (check("own_post", "ref"), check("own_post", "page_id"), check("id_unique", "ref", "stream_id"),
    check("id_unique", "page_id", "stream_id"), check("duration_non_negative", "duration_s"),
    check("not_in_future", "started_at"), check("not_before_2006", "started_at"),
    check("required", "stream_id", "started_at")))

COMMENT = Table("comment", "комментарии", (
    _REF, _PAGE_ID,
    col("comment_id", pl.String, "идентификатор комментария", "comment id", F, S),
    col("post_id", pl.String, "публикация, к которой комментарий", "the commented post id", F, S),
    col("parent_comment_id", pl.String, "комментарий, на который это ответ", "the comment replied to", F, S),
    col("author_id", pl.String, "автор комментария", "comment author id", F),
    col("author_is_page", pl.Boolean, "ответ от имени страницы", "written by the page itself", F, S),
    col("created_at", UTC, "дата комментария", "comment moment (UTC)", F, S),
    _SOURCE_ROW,
), (check("own_post", "ref"), check("own_post", "page_id"), check("id_unique", "ref", "comment_id"),
    check("id_unique", "page_id", "comment_id"), check("not_in_future", "created_at"),
    check("not_before_2006", "created_at"), check("required", "comment_id", "post_id", "author_is_page",
                                                   "created_at")))

SNAPSHOT = Table("snapshot", "сведения чек-листа", (
    _REF, _PAGE_ID,
    col("as_of", pl.Date, "сведения на дату", "as of (local date)", S),
    col("batch_id", pl.Int64, "загрузка", "upload batch", S),
    col("status_mark", pl.Boolean, "госорганизация / верификация (госметка)", "government mark", F, R, S, item=True),
    col("gospubliki", pl.Boolean, "подключена к «Госпабликам»", "connected to Gospubliki", R, S, item=True),
    col("comments_enabled", pl.Boolean, "комментарии открыты", "comments open", F, R, S, item=True),
    col("avatar", pl.Boolean, "аватар", "avatar", F, R, S, item=True),
    col("cover", pl.Boolean, "обложка", "cover", F, R, S, item=True),
    col("description", pl.Boolean, "описание", "description", F, R, S, item=True),
    col("contacts", pl.Boolean, "контакты и ссылки", "contacts and links", F, R, S, item=True),
    col("moderation_rules", pl.Boolean, "правила модерации", "moderation rules", R, S, item=True),
    col("unified_style", pl.Boolean, "оформление в едином стиле", "unified style", R, S, item=True),
    col("pos_widgets", pl.Int64, "виджеты ПОС (0, 1 или 2)", "feedback (ПОС) widgets, 0–2", R, S, item=True),
    col("subscribers", pl.Int64, "подписчики", "subscribers", F, R, S),
    col("design_pct", pl.Float64, "оформление, % («Госпаблики»)", "design, % (Gospubliki)", R, S),
    col("activity_pct", pl.Float64, "активность, % («Госпаблики»)", "activity, % (Gospubliki)", R, S),
    col("weekly_reach", pl.Int64, "охват за неделю", "weekly reach", R, S),
    col("avg_post_reach", pl.Int64, "средний охват публикации", "average post reach", R, S),
), (check("id_unique", "ref"), check("id_unique", "page_id", "batch_id"),
    check("counters_non_negative", "subscribers", "weekly_reach", "avg_post_reach"),
    check("percent_0_100", "design_pct", "activity_pct"), check("widgets_0_2", "pos_widgets")))

COVERAGE = Table("coverage", "охват файла по дням", (
    _REF, _PAGE_ID,
    col("first_at", UTC, "первая датированная запись файла", "first dated item of the file (UTC)", F),
    col("last_at", UTC, "последняя датированная запись файла", "last dated item of the file (UTC)", F),
    col("posts", pl.Boolean, "файл говорит о публикациях страницы", "the file speaks for the page's posts", F),
    col("comments", pl.Boolean, "файл говорит о комментариях", "the file speaks for the page's comments", F),
    col("data_kind", pl.String, "вид данных (posts — публикации, comments — комментарии)", "data kind", S),
    col("date_from", pl.Date, "первый покрытый день (местный)", "first covered local day", S),
    col("date_to", pl.Date, "последний покрытый день (местный)", "last covered local day", S),
    col("batch_id", pl.Int64, "загрузка", "upload batch", S),
), (check("id_unique", "ref"), check("id_unique", "page_id", "data_kind", "batch_id"),
    check("period_ordered", "first_at", "last_at"), check("period_ordered", "date_from", "date_to")))

PAGE = Table("page", "страницы", (
    _REF, _PAGE_ID,
    col("owner_id", pl.Int64, "владелец (из реестра)", "owner id", S),
    col("owner_key", pl.String, "владелец (ключ имени)", "owner's name key", R),
    col("platform", pl.String, "платформа", "platform", F, R, S),
    col("page_key", pl.String, "адрес страницы (нормализованный)", "normalised page key", F, R, S),
    col("platform_id", pl.String, "ID на платформе", "id on the platform", F, R, S),
    col("url", pl.String, "ссылка", "link", F, R, S),
    col("title", pl.String, "название на платформе", "the name the platform shows", F, S),
    col("registered_on", pl.Date, "дата регистрации", "registration date", R, S),
    col("responsible", pl.String, "ответственный за страницу", "person responsible", R),
    col("page_responsible", pl.String, "ответственный за страницу", "person responsible", S),
    col("closed_on", pl.Date, "закрыта с", "closed on", S),
    col("source_row", pl.Int64, "строка реестра", "registry row", R),
), (check("id_unique", "ref"), check("id_unique", "page_id"), check("platform_known", "platform"),
    check("required", "platform"), check("page_named", "page_key", "platform_id")))

OWNER = Table("owner", "владельцы", (
    col("owner_id", pl.Int64, "владелец", "owner id", S),
    col("name", pl.String, "наименование владельца", "owner name", R),
    col("owner_name", pl.String, "наименование владельца", "owner name", S),
    col("name_key", pl.String, "ключ наименования (для сопоставления)", "name key", R),
    col("kind", pl.String, "тип владельца", "owner kind", R, S),
    col("parent_id", pl.Int64, "вышестоящий орган", "parent owner id", S),
    col("parent_name", pl.String, "вышестоящий орган", "parent owner name", R, S),
    col("parent_key", pl.String, "вышестоящий орган (ключ)", "parent's name key", R),
    col("ogrn", pl.String, "ОГРН", "OGRN", R, S),
    col("responsible", pl.String, "ответственный", "person responsible", R, S),
    col("level", pl.String, "уровень («Госпаблики»)", "level (Gospubliki)", R),
    col("spheres", pl.String, "сферы («Госпаблики»)", "spheres (Gospubliki)", R),
    col("exemption", pl.String, "страница не ведётся на основании", "exemption from keeping a page", R, S),
    col("source_row", pl.Int64, "строка реестра", "registry row", R),
), (check("id_unique", "owner_id"), check("id_unique", "name_key"), check("kind_known", "kind"),
    check("required", "kind")))

TABLES = {t.name: t for t in (POST, STREAM, COMMENT, SNAPSHOT, COVERAGE, PAGE, OWNER)}

# the checklist items of the order, in the order of the registry template (Порядок §2)
CHECKLIST_ITEMS = tuple(c.name for c in SNAPSHOT.columns if c.item)
CHECKLIST_FLAGS = tuple(c.name for c in SNAPSHOT.columns if c.item and c.dtype == pl.Boolean)  # yes / no
# what a registry or groups snapshot measures of a page (all but its keys)
SNAPSHOT_MEASURES = tuple(c for c in SNAPSHOT.schema(REGISTRY))
