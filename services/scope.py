"""What a user may see, applied in one place (issue 18, product.md: executive bodies — read-only, own data).

A user of role «body» is bound to one executive body and sees its «family»: the body itself, its head(s) and its
institutions — on every screen, in every chart and in every download. Everything a screen reads passes through
`scope_view` / `scope_registry` / `scope_batches` here (called by app_pages/_shared.py, whose cached readers take
the scope as part of their key, so one scope's data is never served from another's cache entry).

Rows of other owners are hidden, not anonymised: the rating tables of a quarter have a few dozen bodies and a few
hundred institutions, and a row without a name is still recognised by its score, its Δ and its pages (and heads are
people); what a body needs about the others is the size of the field and where it stands in it, which the scoped
payload keeps as aggregates (`payload["scope"]`: ranked rows per table, mean score per table, zone counts), so the
body's own place reads «5 из 34».
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from scoring.rating import TABLES, QuarterRating
from scoring.registry_view import RegistryView, body_of


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


def _row_body(row: dict) -> str:
    """The executive body of a payload row (a table row, a page, a stream): itself or its parent."""
    kind = row.get("kind") or row.get("owner_kind")
    if kind == "executive_body":
        return row.get("owner") or row.get("owner_name") or ""
    return row.get("parent_name") or row.get("parent") or ""


def _aggregates(payload: dict) -> dict:
    """What the body may know of the whole field: ranked rows, the mean score and the zones per table."""
    out = {"ranked": {}, "mean_score": {}, "zones": {}}
    for name in TABLES:
        rows = payload.get(name) or []
        scores = [r["score"] for r in rows if r.get("score") is not None]
        out["ranked"][name] = sum(1 for r in rows if r.get("rank"))
        out["mean_score"][name] = sum(scores) / len(scores) if scores else None
        zones: dict[str, int] = {}
        for r in rows:
            if r.get("zone") and r.get("rank"):
                zones[r["zone"]] = zones.get(r["zone"], 0) + 1
        out["zones"][name] = zones
    return out


def scope_payload(payload: dict, scope: Scope) -> dict:
    """The payload with only the family's rows (tables, pages, streams, early warning, differences, gap examples);
    the reference table (Governor, Administration) is not the body's data and is left out."""
    if scope.everything or payload is None:
        return payload
    body, names = scope.body, scope.names
    family = {r.get("owner") for name in TABLES for r in payload.get(name) or [] if _row_body(r) in names}
    out = dict(payload)
    # the body as this quarter names it (a past quarter may name it as it was then)
    shown = next((r["owner"] for r in payload.get("bodies") or [] if r.get("owner") in names), body)
    out["scope"] = {**(payload.get("scope") or _aggregates(payload)), "body": shown}
    for name in TABLES:
        out[name] = [r for r in payload.get(name) or [] if _row_body(r) in names]
    out["reference"] = []
    out["pages"] = [p for p in payload.get("pages") or [] if _row_body(p) in names]
    out["streams"] = [s for s in payload.get("streams") or [] if _row_body(s) in names]
    if "differences" in payload:
        out["differences"] = [d for d in payload["differences"] or [] if d.get("owner") in family]
    if payload.get("early_warning"):
        warning = payload["early_warning"]
        out["early_warning"] = {**warning, **{key: [r for r in warning.get(key) or [] if r.get("owner") in family]
                                              for key in ("weekly_norm", "live_stream")}}
    if payload.get("gaps"):
        out["gaps"] = {k: v for k, v in payload["gaps"].items() if k != "pages_not_rated_examples"}
    return out


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
    """A services.quarters.QuarterView restricted to the scope (payloads, fresh frames, differences)."""
    if scope.everything:
        return view
    from scoring.tables import from_payload
    payload = scope_payload(view.payload, scope)
    family = {r.get("owner") for name in TABLES for r in payload.get(name) or []}
    fresh = scope_payload(view.fresh_payload, scope)
    scoped = replace(view, tables=from_payload(payload), fresh=scope_rating(view.fresh, scope),
                     fresh_tables=from_payload(fresh), shown_payload=payload,
                     differences=[d for d in view.differences if d.get("owner") in family])
    scoped.__dict__["fresh_payload"] = fresh  # QuarterView.fresh_payload is a cached property: the scoped one
    return scoped


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
