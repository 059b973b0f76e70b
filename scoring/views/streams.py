"""«Прямые эфиры»: executive bodies × quarters — held, not held or «нет данных» (Порядок §2 п.7: live streams a
quarter on any of the body's pages, as many as the methodology requires) — and the list of the quarter's streams."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.labels import PLATFORM_LABELS, dashes, number_ru
from core.text import web_link_expr
from scoring.rating import QuarterRating
from scoring.registry_view import body_of, filter_rows

HELD, NOT_HELD, NO_DATA = "held", "not_held", "no_data"  # the states of a matrix cell (reports.figures colours them)
LIST_COLUMNS = ("started_local", "owner_name", "platform_label", "minutes", "url", "title")


@dataclass(frozen=True)
class StreamsView:
    matrix: pl.DataFrame  # owner_name, quarter, quarter_order, streams, state (HELD / NOT_HELD / NO_DATA)
    held: int  # executive bodies of the selected quarter in each state
    not_held: int
    no_data: int
    caption: str  # what a colour means, the norm quoted from the methodology
    streams: pl.DataFrame  # LIST_COLUMNS, the newest first; minutes and title as text («—» when unknown), url ""
    # when the stream has no web address


def streams_matrix(ratings: list[QuarterRating]) -> pl.DataFrame:
    """Executive bodies × quarters: held (with the count), not held, or no data (no counted week on any of the
    body's pages in that quarter); the bodies that held fewest first."""
    frames = []
    for order, rating in enumerate(ratings):
        bodies = rating.owners.filter(pl.col("kind") == "executive_body").select("owner_id", "owner_name")
        held = rating.streams.group_by("owner_id").agg(pl.len().cast(pl.Int64).alias("streams"))
        data = rating.pages.group_by("owner_id").agg((pl.col("weeks").fill_null(0) > 0).any().alias("has_data"))
        frames.append(bodies.join(held, on="owner_id", how="left").join(data, on="owner_id", how="left")
                      .with_columns(pl.lit(rating.quarter.label).alias("quarter"), pl.lit(order).alias("quarter_order"),
                                    pl.col("streams").fill_null(0),
                                    pl.when(pl.col("streams").fill_null(0) > 0).then(pl.lit(HELD))
                                    .when(pl.col("has_data").fill_null(False)).then(pl.lit(NOT_HELD))
                                    .otherwise(pl.lit(NO_DATA)).alias("state")))
    if not frames:
        return pl.DataFrame()
    out = pl.concat(frames)
    held_share = out.group_by("owner_name").agg((pl.col("state") == HELD).mean().alias("__held"))
    return out.join(held_share, on="owner_name").sort(["__held", "owner_name"]).drop("__held")


def stream_list(rating: QuarterRating, tz_name: str, body: str | None = None) -> pl.DataFrame:
    """The quarter's streams in local time, the newest first: minutes as a whole number, links only http(s)."""
    streams = rating.streams.with_columns(
        pl.col("started_at").dt.convert_time_zone(tz_name).dt.replace_time_zone(None).alias("started_local"),
        (pl.col("duration_s") / 60).round(0).alias("minutes"),
        body_of().alias("body_name"), web_link_expr("url").alias("url"),  # only http(s) is shown as a link
        pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform")).alias("platform_label"))
    return filter_rows(streams, body=body).sort("started_at", descending=True)


def streams_view(ratings: list[QuarterRating], current: QuarterRating, tz_name: str,
                 body: str | None = None) -> StreamsView:
    """`ratings`: the quarters of the matrix, oldest first (the selected one among them); `current`: the selected
    quarter's computation (its list of streams)."""
    matrix = streams_matrix(ratings)
    states = (matrix.filter(pl.col("quarter") == current.quarter.label)["state"].value_counts()
              if not matrix.is_empty() else pl.DataFrame({"state": [], "count": []}))
    count = dict(states.iter_rows())
    needed = current.methodology.norms.live_streams_per_quarter.get("executive_body")
    caption = ("Зелёный — эфир проведён, красный — не проведён, серый — нет данных. Эфир на любой странице органа "
               "засчитывается органу (методика, показатель B3"
               + (f"; норма — не менее {number_ru(needed)} в квартал)." if needed else ")."))
    # a stream without a web address (a Telegram channel's) has an empty link cell, never «None»
    streams = stream_list(current, tz_name, body).select(LIST_COLUMNS).with_columns(pl.col("url").fill_null(""))
    return StreamsView(matrix, count.get(HELD, 0), count.get(NOT_HELD, 0), count.get(NO_DATA, 0), caption,
                       dashes(streams, {"minutes": 0}, ("title",)))
