"""Registry compliance: per page, which checklist items of the order are present; per owner, which required
platforms have no page (Порядок §1 п.2, §2 п.4–5.6, §3 п.10–11). Unknown is never counted as missing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core.domain import KIND_LABELS, NOT_ON_PLATFORM, PLATFORM_LABELS
from core.labels import label
from core.schemas import CHECKLIST_ITEMS


@dataclass(frozen=True)
class RegistryView:
    pages: pl.DataFrame
    owners: pl.DataFrame
    counts: pl.DataFrame  # kind × platform page counts


def item_present(item: str) -> pl.Expr:
    """True / False / null (unknown) for one checklist item; ПОС counts as present with ≥ 1 widget."""
    value = pl.col(item) >= 1 if item == "pos_widgets" else pl.col(item)
    return pl.when(_not_applicable(item)).then(None).otherwise(value).alias(f"has_{item}")


def build_registry_view(owners: pl.DataFrame, pages: pl.DataFrame, snapshots: pl.DataFrame,
                        required_platforms: tuple[str, ...], today: date | None = None) -> RegistryView:
    """`today`: a page closed on or before it is listed (with its closing day) but no longer counts as the owner's
    page on its platform (without `today`, only pages with no closing day count)."""
    is_open = pl.col("closed_on").is_null() | (pl.col("closed_on") > today if today else pl.lit(False))
    pages = pages.with_columns(is_open.alias("is_open"))
    latest = snapshots.sort("page_id", "as_of", "batch_id").group_by("page_id", maintain_order=True).agg(
        pl.col("as_of").last(), *[pl.col(c).drop_nulls().last() for c in snapshots.columns
                                  if c not in ("page_id", "as_of", "batch_id")])
    table = (pages.join(owners.select("owner_id", "owner_name", "kind", "parent_name", "ogrn"), on="owner_id", how="left")
             .join(latest, on="page_id", how="left")
             .with_columns(item_present(i) for i in CHECKLIST_ITEMS))
    present_cols = [f"has_{i}" for i in CHECKLIST_ITEMS]
    known = pl.sum_horizontal(pl.col(c).is_not_null().cast(pl.Int32) for c in present_cols)
    present = pl.sum_horizontal(pl.col(c).fill_null(False).cast(pl.Int32) for c in present_cols)
    missing = pl.concat_list([pl.when(pl.col(f"has_{i}") == False).then(pl.lit(label(i)))  # noqa: E712
                              for i in CHECKLIST_ITEMS]).list.drop_nulls().list.join(", ")
    unknown_items = [pl.when(pl.col(f"has_{i}").is_null() & ~_not_applicable(i)).then(pl.lit(label(i)))
                     for i in CHECKLIST_ITEMS]
    table = table.with_columns(
        pl.when(known > 0).then(present / known).otherwise(None).alias("checklist_share"),
        missing.alias("checklist_missing"),
        pl.concat_list(unknown_items).list.drop_nulls().list.join(", ").alias("checklist_unknown"),
        pl.col("kind").replace_strict(KIND_LABELS, default=None).alias("kind_label"),
        pl.col("platform").replace_strict(PLATFORM_LABELS, default=None).alias("platform_label"),
        body_of().alias("body_name"),
    ).sort("kind", "owner_name", "platform")
    per_owner = pages.filter("is_open").group_by("owner_id", "platform").agg(pl.len().alias("n")).pivot(
        on="platform", index="owner_id", values="n")
    for platform in ("vk", "ok", "telegram"):
        if platform not in per_owner.columns:
            per_owner = per_owner.with_columns(pl.lit(None, dtype=pl.UInt32).alias(platform))
    owner_table = owners.join(per_owner, on="owner_id", how="left").with_columns(
        pl.col(p).fill_null(0).cast(pl.Int64) for p in ("vk", "ok", "telegram"))
    missing_platforms = pl.concat_list([pl.when(pl.col(p) == 0).then(pl.lit(PLATFORM_LABELS[p]))
                                        for p in required_platforms]).list.drop_nulls()
    owner_table = owner_table.with_columns(
        missing_platforms.list.join(", ").alias("missing_platforms"),
        missing_platforms.list.len().alias("missing_count"),
        pl.col("kind").replace_strict(KIND_LABELS, default=None).alias("kind_label"),
        body_of().alias("body_name"),
    ).sort("kind", "owner_name")
    counts = (pages.filter("is_open").join(owners.select("owner_id", "kind"), on="owner_id")
              .group_by("kind", "platform").agg(pl.len().alias("pages"))
              .with_columns(pl.col("kind").replace_strict(KIND_LABELS, default=None).alias("kind_label"),
                            pl.col("platform").replace_strict(PLATFORM_LABELS, default=None).alias("platform_label"))
              .sort("kind", "platform"))
    return RegistryView(table, owner_table, counts)


def _not_applicable(item: str) -> pl.Expr:
    condition = pl.lit(False)
    for platform, items in NOT_ON_PLATFORM.items():
        if item in items:
            condition = condition | (pl.col("platform") == platform)
    return condition


def body_of(kind: str = "kind", owner: str = "owner_name", parent: str = "parent_name") -> pl.Expr:
    """The executive body a row belongs to: itself, or the parent of a head or an institution ("" for the
    Governor and the Administration, which belong to no body). The columns are named as the registry's frames
    name them unless given (the rating's frames: owner, owner_kind, parent)."""
    return (pl.when(pl.col(kind) == "executive_body").then(pl.col(owner))
            .otherwise(pl.col(parent)).fill_null(""))


def filter_rows(frame: pl.DataFrame, kinds: list[str] | None = None, body: str | None = None,
                platforms: list[str] | None = None, search: str = "",
                search_in: tuple[str, ...] = ("owner_name",)) -> pl.DataFrame:
    """The one filter of the app's tables: the shared sidebar filters (kind, executive body — a row's `body_name`,
    platform) plus a case-insensitive search in the columns `search_in`."""
    if kinds:
        frame = frame.filter(pl.col("kind").is_in(kinds))
    if body:
        frame = frame.filter(pl.col("body_name") == body)
    if platforms and "platform" in frame.columns:
        frame = frame.filter(pl.col("platform").is_in(platforms))
    text = search.strip().lower()
    if text:
        frame = frame.filter(pl.any_horizontal(pl.col(c).str.to_lowercase().str.contains(text, literal=True)
                                               for c in search_in))
    return frame
