"""What a user may see, applied in one place (issue 18, product.md: executive bodies — read-only, own data).

A user of role «body» is bound to one executive body and sees its «family»: the body itself, its head(s) and its
institutions — on every screen, in every chart and in every download. Everything a screen reads passes through
`scope_view` / `scope_registry` / `scope_batches` here (called by app_pages/_data.py and _quarters.py, whose cached readers take
the scope as part of their key, so one scope's data is never served from another's cache entry).

Rows of other owners are hidden, not anonymised: the rating tables of a quarter have a few dozen bodies and a few
hundred institutions, and a row without a name is still recognised by its score, its Δ and its pages (and heads are
people); what a body needs about the others is the size of the field and where it stands in it, which the scoped
rating keeps as aggregates (`tables.get("scope")`: ranked rows per table, mean score per table, zone counts), so
the body's own place reads «5 из 34». The rating's frames (scoring.tables.RatingTables) are filtered as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from scoring.rating import TABLES, QuarterRating
from scoring.registry_view import RegistryView, body_of
from scoring.tables import RatingTables, restricted, with_fields


KEY_SEPARATOR = "\x1f"  # between the body's names in a scope's cache key (never in a registry name)


@dataclass(frozen=True)
class Scope:
    """`body`: the executive body whose family is visible; None — everything (viewer, analyst, admin). `aliases`:
    the other names the same body has had in the registry (body_scope) — a past quarter is rated against the
    registry of its day and names the body as it was named then; a renamed body keeps its user's binding."""
    body: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset((self.body, *self.aliases)) if self.body else frozenset()

    @property
    def key(self) -> str:
        """The scope as a cache key part ("" for everything)."""
        return KEY_SEPARATOR.join((self.body, *self.aliases)) if self.body else ""

    @classmethod
    def from_key(cls, key: str) -> "Scope":
        if not key:
            return cls()
        body, *aliases = key.split(KEY_SEPARATOR)
        return cls(body, tuple(aliases))

    @property
    def everything(self) -> bool:
        return self.body is None


ALL = Scope()


def body_scope(engine, body: str | None) -> Scope:
    """The scope of a user bound to `body` (its registry name when the binding was made), with every other name
    that executive body has had (storage.registry_history.owner_names)."""
    if not body:
        return ALL
    from storage.registry_history import owner_names
    return Scope(body, tuple(n for n in owner_names(engine, body) if n != body))


def _aggregates(tables: RatingTables) -> dict:
    """What the body may know of the whole field: ranked rows, the mean score and the zones per table."""
    out = {"ranked": {}, "mean_score": {}, "zones": {}}
    for name in TABLES:
        frame = tables.table(name)
        columns = {c: frame[c].to_list() if c in frame.columns else [None] * frame.height
                   for c in ("rank", "score", "zone")}
        scores = [s for s in columns["score"] if s is not None]
        out["ranked"][name] = sum(1 for r in columns["rank"] if r)
        out["mean_score"][name] = sum(scores) / len(scores) if scores else None
        zones: dict[str, int] = {}
        for rank, zone in zip(columns["rank"], columns["zone"]):
            if zone and rank:
                zones[zone] = zones.get(zone, 0) + 1
        out["zones"][name] = zones
    return out


def _of_family(frame: pl.DataFrame, names: list[str]) -> pl.Expr:
    """A rating frame's rows (an owner table's, a page's, a stream's) of the family: registry_view.body_of on the
    rating's column names."""
    kind = "kind" if "kind" in frame.columns else "owner_kind"
    parent = "parent_name" if "parent_name" in frame.columns else "parent"
    return body_of(kind, "owner", parent).is_in(names)


def scope_tables(tables: RatingTables, scope: Scope) -> RatingTables:
    """The rating with only the family's rows (tables, pages with their indicators and weeks, streams, early
    warning, differences, gap examples) and the field's aggregates under `scope`; the reference table (Governor,
    Administration) is not the body's data and is left out."""
    if scope.everything:
        return tables
    names = sorted(scope.names)
    keep = {name: _of_family(tables.table(name), names) for name in (*TABLES, "pages", "streams")
            if not tables.table(name).is_empty()}
    scoped = restricted(tables, keep | {"reference": pl.lit(False)})
    family = sorted({owner for name in TABLES if not scoped.table(name).is_empty()
                     for owner in scoped.table(name)["owner"]})
    # the body as this quarter names it (a past quarter may name it as it was then)
    shown = scoped.bodies["owner"][0] if not scoped.bodies.is_empty() else scope.body
    fields = {"scope": {**(tables.get("scope") or _aggregates(tables)), "body": shown}}
    if "differences" in tables.keys:
        fields["differences"] = [d for d in tables.get("differences") or [] if d.get("owner") in family]
    if tables.get("gaps"):
        fields["gaps"] = {k: v for k, v in tables.get("gaps").items() if k != "pages_not_rated_examples"}
    if tables.early_warning:
        scoped = replace(scoped, early_warning={
            name: frame if frame.is_empty() else frame.filter(pl.col("owner").is_in(family))
            for name, frame in tables.early_warning.items()})
    return with_fields(scoped, fields)


def _family_frame(frame: pl.DataFrame, names: frozenset[str]) -> pl.DataFrame:
    """Rows of a frame with kind, owner_name and parent_name that belong to the body's family."""
    if frame.is_empty() or not {"kind", "owner_name", "parent_name"} <= set(frame.columns):
        return frame.clear() if not frame.is_empty() else frame
    return frame.filter(body_of().is_in(sorted(names)))


def scope_rating(rating: QuarterRating, scope: Scope) -> QuarterRating:
    """The computation's frames (pages, weeks, owners, tables, streams) restricted to the family."""
    if scope.everything:
        return rating
    names = scope.names
    pages = _family_frame(rating.pages, names)
    page_ids = pages["page_id"] if "page_id" in pages.columns else pl.Series([], dtype=pl.Int64)
    tables = {name: (_family_frame(frame, names) if name != "reference" else frame.clear())
              for name, frame in rating.tables.items()}
    per_week = rating.per_week.filter(pl.col("page_id").is_in(page_ids.implode())) if "page_id" in \
        rating.per_week.columns else rating.per_week
    return replace(rating, pages=pages, per_week=per_week, owners=_family_frame(rating.owners, names), tables=tables,
                   streams=_family_frame(rating.streams, names))


def scope_view(view, scope: Scope):
    """A services.quarters.QuarterView restricted to the scope (shown and fresh frames, differences)."""
    if scope.everything:
        return view
    tables = scope_tables(view.tables, scope)
    fresh = tables if view.fresh_tables is view.tables else scope_tables(view.fresh_tables, scope)
    family = {owner for name in TABLES if not tables.table(name).is_empty() for owner in tables.table(name)["owner"]}
    return replace(view, tables=tables, fresh=scope_rating(view.fresh, scope), fresh_tables=fresh,
                   differences=[d for d in view.differences if d.get("owner") in family])


def scope_registry(view: RegistryView, scope: Scope) -> RegistryView:
    """The registry restricted to the family: its owners, its pages, and the kind × platform counts of those."""
    if scope.everything:
        return view
    pages = view.pages.filter(pl.col("body_name").is_in(sorted(scope.names)))
    owners = view.owners.filter(pl.col("body_name").is_in(sorted(scope.names)))
    counts = (pages.filter(pl.col("is_open")) if "is_open" in pages.columns else pages).group_by(
        "kind", "kind_label", "platform", "platform_label").agg(pl.len().alias("pages")).sort("kind", "platform")
    return RegistryView(pages, owners, counts.select(view.counts.columns) if not view.counts.is_empty() else counts)


def scope_page_ids(view: RegistryView, scope: Scope) -> set[int] | None:
    """The pages the scope may read posts and styles of (None: all)."""
    if scope.everything:
        return None
    return set(scope_registry(view, scope).pages["page_id"].to_list())


def scope_batches(batches: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """Upload batches as a body user may see them: when data was loaded, not which files or by whom."""
    if scope.everything or batches.is_empty():
        return batches
    return batches.with_columns(pl.lit("выгрузка").alias("filename"), pl.lit(None, dtype=pl.String)
                                .alias("uploaded_by"))
