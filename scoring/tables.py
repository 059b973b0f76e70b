"""A quarter's rating as frames (issue 22, Deliver 1): what scoring hands to the screens, figures, reports and
delivery. Built once from a QuarterRating (with its Δ); JSON only at the two edges — `to_payload` (what `rate --json`
prints and approval stores, exactly scoring.payload.rating_payload's shape) and `from_payload` (an approved quarter
read back from storage).

The owner tables keep the payload's column names (`owner`, `kind_label`, `completeness`, `recommendations`), the
block scores as `block_A`… columns in the place of the payload's `blocks`; the pages carry their identity, blocks and
week counts, their indicators and weeks are long frames (page_id × indicator, page_id × week)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

import msgspec
import polars as pl

from core.domain import KIND_LABELS
from scoring import explain
from scoring.payload import BODY_FIELDS, OWNER_FIELDS, completeness, warning_payload
from scoring.rating import TABLES, QuarterRating

OWNER_TABLES = (*TABLES, "reference")
PAGE_FIELDS = ("page_id", "url", "platform", "owner", "owner_id", "owner_kind", "parent", "score", "not_rated_reason",
               "blocks", "weeks", "weeks_ok", "weeks_no_data", "weeks_partial", "posts", "norm")
INDICATOR_FIELDS = ("value", "points", "weight", "na_reason", "raw", "inputs")
STREAM_FIELDS = ("owner", "owner_kind", "parent", "platform", "started_at", "duration_s", "url", "title")
WARNINGS = ("weekly_norm", "live_stream")
# the payload's keys in the order rating_payload writes them (an approved payload adds its own after these)
PAYLOAD_KEYS = ("quarter", "quarter_label", "has_data", "methodology", "methodology_title", "data_timestamp",
                "batch_ids", "weeks", "methodology_info", *OWNER_TABLES, "streams", "pages", "methodology_warning",
                "early_warning")
SCALARS = ("quarter", "quarter_label", "has_data", "methodology", "methodology_title", "data_timestamp",
           "batch_ids", "weeks", "methodology_info", "methodology_warning")
FRAMES = (*OWNER_TABLES, "pages", "indicators", "weeks", "streams")


@dataclass(frozen=True)
class RatingTables:
    """The rating of a quarter as frames (see the module). `meta` holds the payload's scalar fields (quarter,
    methodology info, has_data, data_timestamp, batch_ids, week starts, methodology warning); `early_warning` the
    running quarter's risks as frames (None: a finished quarter); `keys` the payload's keys in their order and
    `extra` the fields an approval adds (gaps, approved …), so that `to_payload(from_payload(p)) == p`."""
    bodies: pl.DataFrame
    institutions: pl.DataFrame
    heads: pl.DataFrame
    reference: pl.DataFrame
    pages: pl.DataFrame
    indicators: pl.DataFrame  # page_id, indicator, value, points, weight, na_reason, raw, inputs
    weeks: pl.DataFrame  # page_id, week, status, posts
    streams: pl.DataFrame
    meta: dict
    early_warning: dict[str, pl.DataFrame] | None = None
    keys: tuple[str, ...] = PAYLOAD_KEYS
    extra: dict = field(default_factory=dict)

    def table(self, name: str) -> pl.DataFrame:
        return getattr(self, name)

    @property
    def quarter(self) -> str:
        return self.meta["quarter"]

    @property
    def has_data(self) -> bool:
        return bool(self.meta.get("has_data", True))

    @property
    def methodology_info(self) -> dict:
        return self.meta.get("methodology_info") or {}

    @property
    def blocks(self) -> list[str]:
        return list(self.methodology_info.get("blocks") or {})

    @property
    def week_starts(self) -> list[date]:
        return [date.fromisoformat(w) for w in self.meta.get("weeks") or []]

    def get(self, key: str, default=None):
        """A scalar or approval field as the payload has it (e.g. `approved`, `gaps`, `methodology_warning`)."""
        if key in self.meta:
            return self.meta[key]
        return self.extra.get(key, default)


# --- built from the computation ---

def _floats_clean(frame: pl.DataFrame) -> pl.DataFrame:
    """NaN and ±inf as null (the payload's `_clean`)."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.with_columns(pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats) if floats \
        else frame


def _owner_table(frame: pl.DataFrame, blocks: list[str]) -> pl.DataFrame:
    fields = [k for k in OWNER_FIELDS if k in frame.columns]
    body = [k for k in BODY_FIELDS if k in frame.columns]
    rows = frame.select([c for c in ("rated_pages", "pages_total", "missing_parts", "score", "missing_platforms")
                         if c in frame.columns]).to_dicts()
    columns = [pl.col("owner_name").alias("owner") if k == "owner_name" else pl.col(k) for k in fields]
    columns.append(pl.col("kind").replace_strict(KIND_LABELS, default=pl.col("kind"), return_dtype=pl.String)
                   .alias("kind_label") if "kind" in frame.columns else pl.lit(None, pl.String).alias("kind_label"))
    columns.append(pl.Series("completeness", [completeness(r) for r in rows], dtype=pl.String))
    columns += [(pl.col(f"block_{b}") if f"block_{b}" in frame.columns else pl.lit(None, pl.Float64))
                .alias(f"block_{b}") for b in blocks]
    columns += [pl.col(k) for k in body]
    columns.append(pl.Series("recommendations", [explain.owner_recommendations(r) for r in rows],
                             dtype=pl.List(pl.String)))
    return _floats_clean(frame.select(columns))


def _page_table(rating: QuarterRating, blocks: list[str]) -> pl.DataFrame:
    pages = rating.pages
    recommendations = [explain.page_recommendations(r, rating) for r in pages.iter_rows(named=True)]
    source = {"owner": "owner_name", "owner_kind": "kind", "parent": "parent_name"}
    columns = []
    for key in PAGE_FIELDS:
        if key == "blocks":
            columns += [(pl.col(f"block_{b}") if f"block_{b}" in pages.columns else pl.lit(None, pl.Float64))
                        .alias(f"block_{b}") for b in blocks]
            continue
        name = source.get(key, key)
        columns.append(pl.col(name).alias(key) if name in pages.columns else pl.lit(None).alias(key))
    columns.append(pl.Series("recommendations", recommendations, dtype=pl.List(pl.String)))
    return _floats_clean(pages.select(columns))


def from_rating(rating: QuarterRating) -> RatingTables:
    """The rating's frames (with the Δ its tables carry), as rating_payload would write them."""
    from scoring.payload import rating_payload_meta
    m = rating.methodology
    blocks = list(m.blocks)
    owners = {name: _owner_table(rating.tables[name], blocks) for name in OWNER_TABLES}
    indicators = _floats_clean(explain.indicator_rows(rating).select("page_id", "indicator", *INDICATOR_FIELDS))
    weeks = rating.grid.sort("page_id", "week").select("page_id", "week", "status", "posts")
    streams = rating.streams.select(pl.col("owner_name").alias("owner"), pl.col("kind").alias("owner_kind"),
                                    pl.col("parent_name").alias("parent"), "platform", "started_at", "duration_s",
                                    "url", "title")
    keys = PAYLOAD_KEYS if rating.today is not None else PAYLOAD_KEYS[:-1]
    early = warning_payload(rating, rating.today) if rating.today is not None else None
    return RatingTables(**owners, pages=_page_table(rating, blocks), indicators=indicators, weeks=weeks,
                        streams=streams, meta=rating_payload_meta(rating), early_warning=_warning_frames(early),
                        keys=keys)


def _warning_frames(early: dict | None) -> dict[str, pl.DataFrame] | None:
    if early is None:
        return None
    return {name: _rows_frame(early.get(name) or []) for name in WARNINGS}


def _rows_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


# --- the JSON edges ---

def _nest(frame: pl.DataFrame) -> list[dict]:
    """Rows of a flat frame with the block_X columns gathered into `blocks` (at the place of the first)."""
    if frame.is_empty():
        return []
    plan: list = []
    blocks: list[tuple[str, str]] | None = None
    for column in frame.columns:
        if column.startswith("block_"):
            if blocks is None:
                blocks = []
                plan.append(("blocks", blocks))
            blocks.append((column[len("block_"):], column))
        else:
            plan.append((column, None))
    out = []
    for row in frame.iter_rows(named=True):
        out.append({key: ({b: row[c] for b, c in nested} if nested is not None else row[key]) for key, nested in plan})
    return out


def _flatten(rows: list[dict]) -> pl.DataFrame:
    """A payload row list as a frame: `blocks` as block_X columns in its place."""
    if not rows:
        return pl.DataFrame()
    flat = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if key == "blocks" and isinstance(value, dict):
                out |= {f"block_{b}": v for b, v in value.items()}
            else:
                out[key] = value
        flat.append(out)
    return pl.DataFrame(flat, infer_schema_length=None)


def _page_rows(tables: RatingTables) -> list[dict]:
    by_page: dict[int, dict] = {}
    for page_id, indicator, *values in tables.indicators.iter_rows():
        by_page.setdefault(page_id, {})[indicator] = dict(zip(INDICATOR_FIELDS, values))
    weekly: dict[int, tuple[list, list]] = {}
    if not tables.weeks.is_empty():
        for page_id, statuses, posts in tables.weeks.group_by("page_id", maintain_order=True).agg(
                "status", "posts").iter_rows():
            weekly[page_id] = (statuses, posts)
    rows = []
    for row in _nest(tables.pages):
        page_id = row["page_id"]
        recommendations = row.pop("recommendations", [])
        statuses, posts = weekly.get(page_id, ([], []))
        rows.append(row | {"indicators": by_page.get(page_id, {}), "weekly_status": statuses,
                           "weekly_posts": posts, "recommendations": recommendations})
    return rows


def to_payload(tables: RatingTables) -> dict:
    """The payload of `rate --json` and of approval: scoring.payload.rating_payload's output, key for key."""
    payload = {}
    for key in tables.keys:
        if key in tables.meta:
            payload[key] = tables.meta[key]
        elif key in OWNER_TABLES:
            payload[key] = _nest(tables.table(key))
        elif key == "pages":
            payload[key] = _page_rows(tables)
        elif key == "streams":
            payload[key] = [row | {"started_at": row["started_at"].isoformat()}
                            for row in tables.streams.iter_rows(named=True)] if not tables.streams.is_empty() else []
        elif key == "early_warning":
            payload[key] = None if tables.early_warning is None else {
                name: tables.early_warning[name].to_dicts() for name in WARNINGS}
        elif key in tables.extra:
            payload[key] = tables.extra[key]
    return payload


def _long_indicators(pages: list[dict]) -> pl.DataFrame:
    rows = [(page["page_id"], code, *(values.get(k) for k in INDICATOR_FIELDS))
            for page in pages for code, values in (page.get("indicators") or {}).items()]
    schema = {"page_id": pl.Int64, "indicator": pl.String, "value": pl.Float64, "points": pl.Float64,
              "weight": pl.Float64, "na_reason": pl.String, "raw": pl.Float64, "inputs": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _long_weeks(pages: list[dict], starts: list[str]) -> pl.DataFrame:
    rows = []
    for page in pages:
        for index, (status, posts) in enumerate(zip(page.get("weekly_status") or [], page.get("weekly_posts") or [])):
            rows.append((page["page_id"], date.fromisoformat(starts[index]) if index < len(starts) else None,
                         status, posts))
    schema = {"page_id": pl.Int64, "week": pl.Date, "status": pl.String, "posts": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def from_payload(payload: dict) -> RatingTables:
    """An approved quarter's payload (as storage reads it back) as frames; `to_payload` gives it back unchanged."""
    pages = payload.get("pages") or []
    flat_pages = _flatten([{k: v for k, v in p.items() if k not in ("indicators", "weekly_status", "weekly_posts")}
                           for p in pages])
    streams = payload.get("streams") or []
    stream_frame = _rows_frame([s | {"started_at": datetime.fromisoformat(s["started_at"])} for s in streams])
    early = payload.get("early_warning")
    return RatingTables(
        **{name: _flatten(payload.get(name) or []) for name in OWNER_TABLES},
        pages=flat_pages, indicators=_long_indicators(pages), weeks=_long_weeks(pages, payload.get("weeks") or []),
        streams=stream_frame, meta={k: payload[k] for k in SCALARS if k in payload},
        early_warning=_warning_frames(early) if isinstance(early, dict) else None, keys=tuple(payload),
        extra={k: v for k, v in payload.items() if k not in PAYLOAD_KEYS})


# --- stored as Arrow IPC (services.quarters keeps a computation with its tables) ---

def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="lz4")
    return buffer.getvalue()


def encode(tables: RatingTables) -> dict:
    """The tables as msgpack-able parts: each frame as Arrow IPC, the rest as plain data."""
    frames = {name: _ipc(tables.table(name)) for name in FRAMES}
    if tables.early_warning is not None:
        frames |= {f"early:{name}": _ipc(frame) for name, frame in tables.early_warning.items()}
    return {"frames": frames, "meta": tables.meta, "keys": list(tables.keys), "extra": tables.extra,
            "early": tables.early_warning is not None}


def decode(parts: dict) -> RatingTables:
    frames = {name: pl.read_ipc(io.BytesIO(data)) for name, data in parts["frames"].items()}
    early = {name: frames[f"early:{name}"] for name in WARNINGS} if parts["early"] else None
    return RatingTables(**{name: frames[name] for name in FRAMES}, meta=parts["meta"], early_warning=early,
                        keys=tuple(parts["keys"]), extra=parts["extra"])


def to_bytes(tables: RatingTables) -> bytes:
    return msgspec.msgpack.encode(encode(tables))


def from_bytes(blob: bytes) -> RatingTables:
    return decode(msgspec.msgpack.decode(blob))


# --- Δ and the differences from an approval, on the frames ---

MOVEMENT_FIELDS = ("delta_points", "delta_place", "previous_rank", "previous_score")


def with_movement(tables: RatingTables, moved: dict[str, pl.DataFrame]) -> RatingTables:
    """The tables of a computation without Δ with the Δ columns of `moved` (rating.add_movement's frames, in the
    same row order) put in their place among the owner fields: from_rating of the rating with movement, without
    building the tables again."""
    out = {}
    for name in TABLES:
        frame, source = tables.table(name), moved[name]
        if frame.is_empty() and source.is_empty():
            out[name] = frame
            continue
        if frame.height != source.height or not frame["owner_id"].equals(source["owner_id"]):
            raise ValueError(f"таблица {name}: строки расчёта в другом порядке")
        delta = _floats_clean(source.select(MOVEMENT_FIELDS))
        rest = [c for c in frame.columns if c not in MOVEMENT_FIELDS]
        owner_keys = [("owner" if k == "owner_name" else k) for k in OWNER_FIELDS]
        ordered = [k for k in owner_keys if k in rest or k in MOVEMENT_FIELDS]
        combined = pl.concat([frame.select(rest), delta], how="horizontal")
        out[name] = combined.select(ordered + [c for c in rest if c not in ordered])
    return RatingTables(**out, reference=tables.reference, pages=tables.pages, indicators=tables.indicators,
                        weeks=tables.weeks, streams=tables.streams, meta=tables.meta,
                        early_warning=tables.early_warning, keys=tables.keys, extra=tables.extra)


DIFFERENCE_SCHEMA = {"table": pl.String, "owner": pl.String, "approved_rank": pl.Int64, "fresh_rank": pl.Int64,
                     "approved_score": pl.Float64, "fresh_score": pl.Float64}


def _ranked(frame: pl.DataFrame) -> pl.DataFrame:
    """owner_id, owner, rank, score of a table (a table without rows, or without a column, as empty/null)."""
    columns = {"owner_id": pl.Int64, "owner": pl.String, "rank": pl.Int64, "score": pl.Float64}
    if frame.is_empty():
        return pl.DataFrame(schema=columns)
    return frame.select((pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
                        for c, t in columns.items())


def differences(approved: RatingTables, fresh: RatingTables) -> list[dict]:
    """Rows whose score or place differs between the approved and a fresh computation (a row that became rated or
    not rated counts too): the fresh table's rows in its order, then the approved rows gone from it."""
    frames = []
    for name in TABLES:
        before, now = _ranked(approved.table(name)), _ranked(fresh.table(name))
        joined = now.join(before.select("owner_id", pl.col("rank").alias("approved_rank"),
                                        pl.col("score").alias("approved_score"), pl.lit(True).alias("found")),
                          on="owner_id", how="left", maintain_order="left")
        score_changed = (pl.col("approved_score").is_null() != pl.col("score").is_null()) | (
            (pl.col("approved_score") - pl.col("score")).abs() > 1e-9).fill_null(False)
        changed = joined.filter(pl.col("found").is_null() | pl.col("approved_rank").ne_missing(pl.col("rank"))
                                | score_changed)
        gone = before.join(now.select("owner_id"), on="owner_id", how="anti", maintain_order="left")
        frames += [changed.select(pl.lit(name).alias("table"), "owner", "approved_rank",
                                  pl.col("rank").alias("fresh_rank"), "approved_score",
                                  pl.col("score").alias("fresh_score")),
                   gone.select(pl.lit(name).alias("table"), "owner", pl.col("rank").alias("approved_rank"),
                               pl.lit(None, pl.Int64).alias("fresh_rank"), pl.col("score").alias("approved_score"),
                               pl.lit(None, pl.Float64).alias("fresh_score"))]
    return pl.concat([f.cast(DIFFERENCE_SCHEMA) for f in frames]).to_dicts()


# --- the place ranges (scoring.sensitivity) on the frames ---

def with_place_ranges(tables: RatingTables, ranges: dict) -> RatingTables:
    """The tables with `place_range` [min, max] and `place_unstable` on every row of the ranked tables (null on the
    rows without a place) and the settings under `sensitivity` (`ranges`: scoring.sensitivity.place_ranges); to_payload
    writes them into the payload's rows."""
    wide = ranges["settings"]["unstable_places"]
    out = {}
    for name in TABLES:
        frame = tables.table(name)
        if frame.is_empty():
            out[name] = frame
            continue
        found = {int(k): v for k, v in (ranges.get(name) or {}).items()}
        spans = [list(found[o]) if r is not None and o in found else None
                 for o, r in frame.select("owner_id", "rank").iter_rows()]
        out[name] = frame.with_columns(
            pl.Series("place_range", spans, dtype=pl.List(pl.Int64)),
            pl.Series("place_unstable", [(s[1] - s[0] >= wide) if s else None for s in spans], dtype=pl.Boolean))
    keys = tables.keys if "sensitivity" in tables.keys else (*tables.keys, "sensitivity")
    return RatingTables(**out, reference=tables.reference, pages=tables.pages, indicators=tables.indicators,
                        weeks=tables.weeks, streams=tables.streams, meta=tables.meta,
                        early_warning=tables.early_warning, keys=keys,
                        extra=tables.extra | {"sensitivity": ranges["settings"]})


def rows_of(frame: pl.DataFrame) -> list[dict]:
    """Rows of an owner or page frame as the payload has them (block scores under `blocks`)."""
    return _nest(frame)


def table_rows(source, name: str) -> list[dict]:
    """A table's rows as the payload has them (block scores under `blocks`), from RatingTables or a payload."""
    if isinstance(source, RatingTables):
        return _nest(source.table(name))
    return list(source.get(name) or [])


# --- a part of the tables, and fields added (issue 22: a body's slice, a user's scope, `rate --json`'s extras) ---

def with_fields(tables: RatingTables, fields: dict) -> RatingTables:
    """The tables with payload fields set (e.g. `approved`, `differences`, `scope`): a new key goes after the
    others, as `payload[key] = value` would put it."""
    from dataclasses import replace
    meta = {k: v for k, v in fields.items() if k in SCALARS}
    extra = {k: v for k, v in fields.items() if k not in SCALARS}
    keys = tables.keys + tuple(k for k in fields if k not in tables.keys)
    return replace(tables, meta=tables.meta | meta, extra=tables.extra | extra, keys=keys)


def restricted(tables: RatingTables, keep: dict[str, pl.Expr]) -> RatingTables:
    """The tables with only the rows each expression keeps (`keep`: frame name — an owner table, `pages` or
    `streams` — to an expression over its columns; a frame without rows stays as it is), and the indicators and
    weeks of the pages kept."""
    from dataclasses import replace
    frames = {name: tables.table(name).filter(expr) for name, expr in keep.items()
              if not tables.table(name).is_empty()}
    if "pages" in frames:
        kept = frames["pages"]["page_id"].implode()
        frames |= {name: tables.table(name).filter(pl.col("page_id").is_in(kept))
                   for name in ("indicators", "weeks") if not tables.table(name).is_empty()}
    return replace(tables, **frames)
