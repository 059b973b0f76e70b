"""Plotly figure builders: frames in, go.Figure out. Russian labels, the product's colour language."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from core.labels import PLATFORM_LABELS, WEEK_STATUS_LABELS, number_ru, percent_ru, shorten, week_short
from core.text import chart_text
from scoring.activity import COUNTED_STATUSES

PLATFORM_COLORS = {PLATFORM_LABELS["vk"]: "#0077FF", PLATFORM_LABELS["ok"]: "#EE8208",
                   PLATFORM_LABELS["telegram"]: "#27A7E7"}
FONT = dict(family="Inter, Segoe UI, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, height: int = 360) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), font=FONT, legend_title_text="",
                      separators=", ", hoverlabel=dict(font_size=13))
    return fig


def platform_coverage(counts: pl.DataFrame) -> go.Figure:
    """Pages per owner kind and platform (registry coverage), grouped bars."""
    fig = go.Figure()
    for platform, color in PLATFORM_COLORS.items():
        part = counts.filter(pl.col("platform_label") == platform)
        fig.add_bar(x=part["kind_label"].to_list(), y=part["pages"].to_list(), name=platform, marker_color=color,
                    hovertemplate="%{x}<br>" + platform + ": %{y} стр.<extra></extra>")
    fig.update_layout(barmode="group", title="Страницы по типам владельцев и платформам",
                      yaxis_title="Страниц", xaxis_title=None)
    return _layout(fig)


# --- the weekly heatmap: one colour language for the screen and the Excel grid (reports.rating_workbook) ---
NO_DATA_COLOR = "#BDBDBD"
# every status of scoring.activity's week classification → its colour (labels: core.labels.WEEK_STATUS_LABELS);
# «нет данных» is the grey background, never the colour of 0; each status its own colour, each in the legend
WEEK_STATUS_COLORS = {"zero": "#C62828", "below": "#EF9A9A", "met": "#66BB6A", "partial": "#90A4AE",
                      "before_registration": "#F5F5F5", "not_ended": "#FFFFFF", "closed": "#D7CCC8",
                      "no_data": NO_DATA_COLOR}
LEGEND_ORDER = ("met", "below", "zero", "partial", "no_data", "before_registration", "not_ended", "closed")
# the heatmap's z value of a status (None: «нет данных», drawn as the grey background)
WEEK_STATUS_CODES = {status: i for i, status in enumerate(s for s in WEEK_STATUS_COLORS if s != "no_data")} | {
    "no_data": None}


def ink_for(background: str) -> str:
    """Black or white text, whichever reads better on the background (relative luminance)."""
    red, green, blue = (int(background.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return "#000000" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5 else "#FFFFFF"


def _discrete_scale() -> list:
    colors = [WEEK_STATUS_COLORS[status] for status, code in WEEK_STATUS_CODES.items() if code is not None]
    scale = []
    for i, color in enumerate(colors):
        scale += [[i / len(colors), color], [(i + 1) / len(colors), color]]
    return scale


def _matrix(frame: pl.DataFrame, row_label: str, columns: list, column: str, cell) -> tuple[list, list, list]:
    """Rows (in order of first appearance) × `columns`: z and hover text from `cell(row) -> (z, text)`; cells with
    no row stay None, which the figures show as the grey «нет данных» background. Row labels are user text (owner
    names, page titles): returned escaped for Plotly (core.text.chart_text), so no `<a href>` becomes a link."""
    labels = frame[row_label].unique(maintain_order=True).to_list()
    index = {label: i for i, label in enumerate(labels)}
    position = {c: j for j, c in enumerate(columns)}
    z = [[None] * len(columns) for _ in labels]
    text = [[""] * len(columns) for _ in labels]
    for row in frame.iter_rows(named=True):
        i, j = index[row[row_label]], position[row[column]]
        z[i][j], text[i][j] = cell(row)
    return [chart_text(label) for label in labels], z, text


def _matrix_axes(fig: go.Figure) -> None:
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=11))
    fig.update_xaxes(side="top", tickfont=dict(size=11))
    fig.update_layout(plot_bgcolor=NO_DATA_COLOR)


def _week_ticks(weeks: list) -> list[str]:
    return [week_short(w, "<br>") for w in weeks]


WEEK_STATUS_NOTES = {"before_registration": "до регистрации страницы", "not_ended": "неделя ещё идёт",
                     "closed": "страница закрыта (по реестру)",
                     "partial": "неполные данные: выгрузка покрывает не все дни недели, норма не достигнута"}


def _week_cell(row: dict) -> tuple:
    if row["status"] == "no_data":
        return None, "нет данных"
    note = WEEK_STATUS_NOTES.get(row["status"])
    text = f"{row['posts'] or 0} публ. (норма {row['norm']})" + (f" — {note}" if note else "")
    return WEEK_STATUS_CODES[row["status"]], text


def weekly_heatmap(grid: pl.DataFrame, row_label: str = "label", height: int | None = None) -> go.Figure:
    """Pages × ISO weeks: met / below / 0 / «нет данных» (grey) / before registration. `grid` has the row label,
    week, status, posts, norm; rows keep their order of first appearance."""
    weeks = sorted(grid["week"].unique().to_list())
    labels, z, text = _matrix(grid, row_label, weeks, "week", _week_cell)
    fig = go.Figure(go.Heatmap(
        z=z, x=_week_ticks(weeks), y=labels, text=text, zmin=-0.5, zmax=len(WEEK_STATUS_COLORS) - 1.5,  # the codes 0…n−2 (no_data: none)
        colorscale=_discrete_scale(),
        xgap=2, ygap=2, hoverongaps=False, showscale=False,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    shown = set(grid["status"].drop_nulls().to_list()) | {"no_data"}  # every status on the grid, and the background
    for status in (s for s in LEGEND_ORDER if s in shown):
        fig.add_scatter(x=[None], y=[None], mode="markers", name=WEEK_STATUS_LABELS[status], showlegend=True,
                        marker=dict(size=12, color=WEEK_STATUS_COLORS[status], symbol="square",
                                    line=dict(width=1, color="#9E9E9E")))
    _matrix_axes(fig)
    fig.update_layout(legend=dict(orientation="h", y=-0.02, yanchor="top"))
    return _layout(fig, height or max(260, 22 * len(labels) + 120))


SHARE_TICKS = (0, 0.25, 0.5, 0.75, 1)
# the streams matrix of one or two rows (a body user's own body) is this high, not a band of 200 px cells
MATRIX_MIN_HEIGHT = 190


def share_heatmap(frame: pl.DataFrame, row_label: str = "label") -> go.Figure:
    """Bodies × weeks: the share of their pages that met the weekly norm (grey where no page had data)."""
    weeks = sorted(frame["week"].unique().to_list())
    labels, z, text = _matrix(frame, row_label, weeks, "week", lambda row: (row["share"], (
        "нет данных" if row["share"] is None
        else f"норму выполнили {row['met']} из {row['counted']} стр. ({percent_ru(row['share'])})")))
    fig = go.Figure(go.Heatmap(
        z=z, x=_week_ticks(weeks), y=labels, text=text, zmin=0, zmax=1, xgap=2, ygap=2, hoverongaps=False,
        colorscale=[[0, "#C62828"], [0.5, "#FFE082"], [1, "#43A047"]],
        # the title beside the bar, not above it: above, it ran into «100 %» on a short chart (one body)
        colorbar=dict(title=dict(text="Доля страниц<br>с нормой", side="right"), thickness=12, tickvals=SHARE_TICKS,
                      ticktext=[percent_ru(t) for t in SHARE_TICKS]),  # «50 %», as core.labels writes it
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    _matrix_axes(fig)
    return _layout(fig, max(260, 22 * len(labels) + 100))  # room for the colour bar's title beside it


def zone_distribution(counts: dict[str, int], zones: list[dict], title: str) -> go.Figure:
    names = [z["name"] for z in sorted(zones, key=lambda z: -z["min"])]
    colors = {z["name"]: z["color"] for z in zones}
    fig = go.Figure(go.Bar(x=names, y=[counts.get(n, 0) for n in names], marker_color=[colors[n] for n in names],
                           text=[counts.get(n, 0) for n in names], textposition="outside",
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(title=title, yaxis_title="Количество", xaxis_title="Зона")
    # counts are whole: Plotly would tick «0,2 … 0,8» for one body (a body user, a body filter)
    fig.update_yaxes(tickformat=",d", rangemode="tozero", dtick=1 if max(counts.values(), default=0) <= 5 else None)
    return _layout(fig, 320)


def movement_chart(rows: list[dict], label_a: str, label_b: str, zones: list[dict]) -> go.Figure:
    """Dumbbells: each owner's score in quarter A and quarter B, sorted by B."""
    rows = sorted(rows, key=lambda r: (r["score_b"] is None, -(r["score_b"] or 0)))
    names = [chart_text(shorten(r["owner"], 60)) for r in rows]  # user text: escaped for Plotly
    fig = go.Figure()
    for r, name in zip(rows, names):
        if r["score_a"] is not None and r["score_b"] is not None:
            color = "#2E7D32" if r["score_b"] >= r["score_a"] else "#C62828"
            fig.add_scatter(x=[r["score_a"], r["score_b"]], y=[name, name], mode="lines",
                            line=dict(color=color, width=3), showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=[r["score_a"] for r in rows], y=names, mode="markers", name=label_a,
                    marker=dict(size=9, color="#90A4AE"), hovertemplate="%{y}<br>" + label_a + ": %{x:.1f}<extra></extra>")
    fig.add_scatter(x=[r["score_b"] for r in rows], y=names, mode="markers", name=label_b,
                    marker=dict(size=10, color="#1F4E79"), hovertemplate="%{y}<br>" + label_b + ": %{x:.1f}<extra></extra>")
    for zone in zones:
        if zone["min"] > 0:
            fig.add_vline(x=zone["min"], line_dash="dot", line_color=zone["color"], opacity=0.6)
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=11))
    # ticks every 20 points, 100 included: on half a screen Plotly kept only «0» and «50»
    fig.update_xaxes(range=[0, 101], tick0=0, dtick=20, title="Балл")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return _layout(fig, max(320, 24 * len(rows) + 120))


def block_bars(blocks: dict[str, float | None], titles: dict[str, str], title: str) -> go.Figure:
    codes = list(titles)
    values = [blocks.get(c) for c in codes]
    labels = [f"{c}. {titles[c]}" for c in codes]
    fig = go.Figure(go.Bar(
        x=[v if v is not None else 0 for v in values], y=labels, orientation="h",
        marker_color=["#1F4E79" if v is not None else "#E0E0E0" for v in values],
        text=["не оценивается" if v is None else number_ru(v, 1) for v in values],
        textposition="outside", hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_xaxes(range=[0, 110], title="Балл блока (0–100)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_layout(title=title)
    return _layout(fig, 300)


def weekly_posts_chart(frame: pl.DataFrame, norm: int | None) -> go.Figure:
    """Posts per week on each platform of one owner, with the norm; weeks without data are marked."""
    fig = go.Figure()
    weeks = sorted(frame["week"].unique().to_list())
    x = [week_short(w) for w in weeks]
    for platform, name in PLATFORM_LABELS.items():
        part = frame.filter(pl.col("platform") == platform)
        if part.is_empty():
            continue
        by_week = {r["week"]: r for r in part.iter_rows(named=True)}
        y = [by_week[w]["posts"] if w in by_week and by_week[w]["status"] in COUNTED_STATUSES else None for w in weeks]
        fig.add_bar(x=x, y=y, name=name, marker_color=PLATFORM_COLORS.get(name, "#1F4E79"),
                    hovertemplate="%{x}<br>" + name + ": %{y} публ.<extra></extra>")
        for status, gap_label, color in (("no_data", "нет данных", NO_DATA_COLOR),
                                         ("partial", "неполные данные", WEEK_STATUS_COLORS["partial"])):
            gaps = [x[i] for i, w in enumerate(weeks) if w in by_week and by_week[w]["status"] == status]
            if gaps:
                fig.add_scatter(x=gaps, y=[0.3] * len(gaps), mode="markers", name=f"{name}: {gap_label}",
                                marker=dict(symbol="x", size=9, color=color, line=dict(width=1, color="#616161")),
                                hovertemplate="%{x}: " + gap_label + "<extra></extra>")
    if norm:
        fig.add_hline(y=norm, line_dash="dash", line_color="#C62828",
                      annotation_text=f"норма {norm} в неделю", annotation_position="top left")
    fig.update_layout(barmode="group", yaxis_title="Публикаций", xaxis_title=None,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return _layout(fig, 340)


def rank_history(points: list[dict]) -> go.Figure:
    """Place in the ranking across quarters (1 at the top)."""
    fig = go.Figure(go.Scatter(x=[p["quarter"] for p in points], y=[p["rank"] for p in points], mode="lines+markers+text",
                               text=[f"{p['rank']} ({number_ru(p['score'], 1)})" if p["rank"] else "не оценивается"
                                     for p in points], textposition="top center",
                               line=dict(color="#1F4E79", width=3), marker=dict(size=10),
                               hovertemplate="%{x}: место %{y}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title="Место", rangemode="tozero")
    fig.update_layout(title="Место в рейтинге по кварталам")
    return _layout(fig, 300)


def streams_matrix(frame: pl.DataFrame) -> go.Figure:
    """Executive bodies × quarters: live stream held (green), not held (red), no data (grey)."""
    quarters = frame.sort("quarter_order")["quarter"].unique(maintain_order=True).to_list()
    cells = {"held": lambda row: (1, f"проведено эфиров: {row['streams']}"),
             "not_held": lambda row: (0, "эфира не было")}
    labels, z, text = _matrix(frame, "owner_name", quarters, "quarter",
                              lambda row: cells.get(row["state"], lambda _: (None, "нет данных"))(row))
    fig = go.Figure(go.Heatmap(z=z, x=quarters, y=labels, text=text, zmin=0, zmax=1, showscale=False, xgap=3,
                               ygap=2, colorscale=[[0, "#EF5350"], [0.5, "#EF5350"], [0.5, "#66BB6A"], [1, "#66BB6A"]],
                               hoverongaps=False, texttemplate="%{text}", textfont=dict(size=10),
                               hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    _matrix_axes(fig)
    return _layout(fig, max(MATRIX_MIN_HEIGHT, 24 * len(labels) + 80))
