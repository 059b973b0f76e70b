"""Plotly figure builders: frames in, go.Figure out. Russian labels, the product's colour language."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

PLATFORM_COLORS = {"ВКонтакте": "#0077FF", "Одноклассники": "#EE8208", "Telegram": "#27A7E7"}
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
