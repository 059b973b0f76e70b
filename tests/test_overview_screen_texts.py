"""«Обзор» as a body user (or with a body filter) sees it — found in headless Chromium on the demo (issue 22 check):
the zone chart of one body ticked its count axis «0 · 0,2 · 0,4 … 1», and the body's own place was listed under
«Лидеры» with «Отстающие: —» below it."""
import polars as pl

from reports.figures import zone_distribution
from scoring.views.overview import overview_view
from tests.factories import scoring_input
from tests.test_scoring import M, TOMSK, covered, vk_page, weekly_posts
from tests.test_views_screens import ENDED, _data, _shown

ZONES = [{"name": z.name, "min": z.min, "color": z.color} for z in M.zones]


def test_zone_chart_ticks_whole_bodies_only():
    one = zone_distribution({M.zones[-1].name: 1}, ZONES, "Исполнительные органы по зонам").layout.yaxis
    assert one.tickformat == ",d" and one.dtick == 1  # 0, 1 — never 0,2 of a body
    many = zone_distribution({M.zones[0].name: 30, M.zones[1].name: 7}, ZONES, "…").layout.yaxis
    assert many.tickformat == ",d" and many.dtick is None  # Plotly's own step over a larger count


def test_one_ranked_body_is_listed_as_its_place_not_as_a_leader():
    view = overview_view(_shown(_data()), None, M, ENDED, pl.DataFrame(), TOMSK)
    assert len(view.leaders) == 1 and view.outsiders == ()
    assert view.leaders_title == "Места в рейтинге"


def test_more_bodies_than_leaders_have_leaders_and_outsiders():
    owners = [{"owner_id": i, "owner_name": f"Департамент {i:02d}", "kind": "executive_body"} for i in range(1, 8)]
    pages = [vk_page(i, i) for i in range(1, 8)]
    posts = [p for i in range(1, 8) for p in weekly_posts(i, [i % 4] * 13)]
    data = scoring_input(owners, pages, posts, [covered(i) for i in range(1, 8)])
    view = overview_view(_shown(data), None, M, ENDED, pl.DataFrame(), TOMSK)
    assert view.leaders_title == "Лидеры"
    assert len(view.leaders) == 5 and len(view.outsiders) == 5
