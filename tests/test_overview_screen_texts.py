"""«Обзор» as a body user (or with a body filter) sees it — found in headless Chromium on the demo (issue 22 check):
the zone chart of one body ticked its count axis «0 · 0,2 · 0,4 … 1», and the body's own place was listed under
«Лидеры» with «Отстающие: —» below it."""
from reports.figures import zone_distribution
from tests.test_scoring import M

ZONES = [{"name": z.name, "min": z.min, "color": z.color} for z in M.zones]


def test_zone_chart_ticks_whole_bodies_only():
    one = zone_distribution({M.zones[-1].name: 1}, ZONES, "Исполнительные органы по зонам").layout.yaxis
    assert one.tickformat == ",d" and one.dtick == 1  # 0, 1 — never 0,2 of a body
    many = zone_distribution({M.zones[0].name: 30, M.zones[1].name: 7}, ZONES, "…").layout.yaxis
    assert many.tickformat == ",d" and many.dtick is None  # Plotly's own step over a larger count
