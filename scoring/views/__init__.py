"""Screen views (style.md): one module per screen, each a pure builder returning a frozen dataclass of what the
page renders; the pages in app_pages/ only read widgets and render."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kpi:
    """One number at the top of a screen (st.metric): its title, its value as text, the change against the previous
    quarter as st.metric's delta arguments (core.labels.metric_delta; none when there is nothing to compare) and
    its explanation."""
    title: str
    value: str
    delta: dict = field(default_factory=dict)
    help: str | None = None
