"""Screen views (scoring/views/): «Обзор», «Публикации по неделям», «Прямые эфиры», «Реестр» and «Методика» built
from the factory scenarios — the values, labels and texts a page renders, without Streamlit."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import polars as pl
import pytest

from core.labels import percent_ru
from core.text import plain
from scoring import tables as rating_tables
from scoring.methodology import load_methodologies, quarter_start
from scoring.rating import score_quarter
from scoring.style import PAGE_STYLE_SCHEMA
from scoring.registry_view import build_registry_view
from scoring.views.methodology import methodology_view
from scoring.views.overview import overview_view
from scoring.views.registry import executive_bodies, owner_choices, page_choices, registry_screen
from scoring.views.streams import streams_view
from scoring.views.weekly import page_drill, weekly_bodies, weekly_caption, weekly_pages
from tests.factories import local_dt, scoring_input
from tests.test_scoring import BODY, FULL_CHECKLIST, M, Q1, TOMSK, covered, vk_page, weekly_posts

ENDED, RUNNING = date(2026, 6, 1), date(2026, 2, 10)
INSTITUTION = {"owner_id": 2, "owner_name": "Учреждение Б", "kind": "institution", "parent_id": 1,
               "parent_name": "Департамент А"}
OTHER_BODY = {"owner_id": 3, "owner_name": "Департамент В", "kind": "executive_body"}
STREAM = {"page_id": 1, "stream_id": "s1", "started_at": local_dt(2026, 2, 10, 15), "duration_s": 2700,
          "title": None, "url": "https://vk.com/video-1_1"}


def _data(body_posts: list[int] = (3,) * 13, streams: list[dict] = (STREAM,)):
    """Департамент А (VK, at the norm every week), its institution (OK, one post a week: below the norm) and
    Департамент В (Telegram, nothing uploaded: «нет данных»)."""
    return scoring_input([BODY, INSTITUTION, OTHER_BODY], [vk_page(), vk_page(2, 2, "ok"), vk_page(3, 3, "telegram")],
                         weekly_posts(1, list(body_posts)) + weekly_posts(2, [1] * 13), [covered(1), covered(2)],
                         snapshots=[FULL_CHECKLIST], streams=list(streams))


def _shown(data, today=ENDED, approved=False):
    rating = score_quarter(data, M, Q1, TOMSK, today)
    tables = rating_tables.from_rating(rating)
    return SimpleNamespace(quarter=Q1, tables=tables, fresh=rating, fresh_tables=tables, approved=approved,
                           has_data=tables.has_data)


def _text(*parts) -> str:
    return " ".join(str(p.to_dicts()) if isinstance(p, pl.DataFrame) else str(p) for p in parts)


# --- «Обзор» ---

def test_overview_kpis_quote_the_methodology_and_compare_with_the_previous_quarter():
    before = _shown(_data(body_posts=[3] * 6 + [1] * 7, streams=[]))
    view = overview_view(_shown(_data()), before, M, ENDED, pl.DataFrame(), TOMSK)
    kpi = {k.title: k for k in view.kpis}
    assert kpi["Страниц оценено из 3"].value == "2"  # Департамент В has no data: not rated, still counted
    assert kpi["Недель с нормой"].value == "50 %"  # 13 of the 26 counted page-weeks
    assert kpi["Недель с нормой"].delta["delta"] == "+26,9 п.п."  # 6 of 26 before: 23,1 %
    assert kpi["Органов с эфиром из 2"].value == "1"
    assert kpi["Органов с эфиром из 2"].delta["delta"] == "+1"
    assert kpi["Страниц без данных"].value == "1"
    assert kpi["Страниц без данных"].delta == {"delta": "0", "delta_color": "off", "delta_arrow": "off"}
    assert M.norms.posts_text() in kpi["Недель с нормой"].help
    assert str(M.gates.min_counted_weeks) in kpi["Страниц оценено из 3"].help
    assert view.leaders == (f"- 1 место: Департамент А — **{kpi['Средний балл органов'].value}**",)
    assert view.outsiders == ()  # not more ranked bodies than leaders
    assert sum(view.zone_counts.values()) == 1 and [z["name"] for z in view.zones] == [z.name for z in M.zones]


def test_overview_without_a_previous_quarter_has_no_deltas_and_says_the_deadlines_passed():
    view = overview_view(_shown(_data()), None, M, ENDED, pl.DataFrame(), TOMSK)
    assert all(k.delta == {} for k in view.kpis)
    assert view.deadlines[0] == (f"- Рейтинг рассчитывается до **{M.deadlines.rating_due_day} апреля 2026 г.** "
                                 "(срок прошёл); рейтинг квартала не утверждён")
    assert view.freshness == "Загрузок ещё не было."
    assert view.weekly_norm is None and view.live_stream is None  # an ended quarter has no early warning


def test_overview_freshness_is_in_local_time_and_the_early_warning_in_russian():
    batches = pl.DataFrame({"filename": ["стена.json"], "as_of": [date(2026, 2, 9)],
                            "uploaded_at": [datetime(2026, 2, 9, 20, 30, tzinfo=timezone.utc)]})
    view = overview_view(_shown(_data(streams=[]), today=RUNNING), None, M, RUNNING, batches, TOMSK)
    assert view.freshness.startswith("Последняя загрузка: «стена\\.json», 10.02.2026 03:30; сведения на 09.02.2026.")
    assert "осталось дней: " in view.deadlines[0]
    assert view.weekly_norm is not None and "platform" not in view.weekly_norm.columns
    assert set(view.weekly_norm["platform_label"]) <= {"ВКонтакте", "Одноклассники", "Telegram"}
    assert "Учреждение Б" in view.weekly_norm["owner"].to_list()  # one post a week: below the norm
    assert view.live_stream["owner"].to_list() == ["Департамент А", "Департамент В"]  # no stream yet


# --- «Публикации по неделям» ---

def test_weekly_pages_worst_first_with_russian_labels_and_summary():
    rating = score_quarter(_data(), M, Q1, TOMSK, ENDED)
    view = weekly_pages(rating, [], None, [])
    assert view.pages["label"].to_list() == ["Учреждение Б · Одноклассники", "Департамент А · ВКонтакте",
                                             "Департамент В · Telegram"]  # no data (no share) last
    assert view.pages["share_ok"].to_list() == [0.0, 1.0, None]
    assert view.pages["body_name"].to_list() == ["Департамент А", "Департамент А", "Департамент В"]
    assert view.summary == ("Показано страниц: **3** · недель с нормой: **13 из 26** (50 %) · недель без данных: "
                            "**13**")
    assert view.cells["label"].unique(maintain_order=True).to_list() == view.pages["label"].to_list()
    best = weekly_pages(rating, [], None, [], worst_first=False, top=1)
    assert best.pages["label"].to_list() == ["Департамент А · ВКонтакте"]


def test_weekly_pages_use_the_shared_filters_and_search_the_address_too():
    rating = score_quarter(_data(), M, Q1, TOMSK, ENDED)
    assert weekly_pages(rating, [], None, [], search="VK.COM/P2").pages["page_id"].to_list() == [2]
    assert weekly_pages(rating, ["institution"], None, []).pages["page_id"].to_list() == [2]
    assert weekly_pages(rating, [], "Департамент В", []).pages["page_id"].to_list() == [3]
    assert weekly_pages(rating, [], None, ["vk"]).pages["page_id"].to_list() == [1]
    assert weekly_pages(rating, [], None, [], search="нет такого").pages.is_empty()


def test_weekly_bodies_share_per_week_with_no_data_kept_apart():
    shares = weekly_bodies(score_quarter(_data(), M, Q1, TOMSK, ENDED), [], [])
    first = shares.filter(pl.col("label") == "Департамент А").row(0, named=True)
    assert (first["counted"], first["met"], first["share"]) == (2, 1, 0.5)  # its page and its institution's
    other = shares.filter(pl.col("label") == "Департамент В")
    assert other["share"].null_count() == other.height  # no page with data: null, never 0
    assert weekly_bodies(score_quarter(_data(), M, Q1, TOMSK, ENDED), ["executive_body"], [])[
        "counted"].max() == 1


def test_weekly_caption_quotes_the_norm_of_the_methodology():
    assert f"Порядок §2 п.9: {M.norms.posts_text()}" in weekly_caption(M)


def test_page_drill_shows_numbers_in_russian_and_dashes_for_unknown():
    posts = pl.DataFrame({"published_local": [datetime(2026, 2, 10, 12)], "week": ["07 нед."], "content_type": ["фото"],
                          "is_repost": [False], "text": [None], "views": [12345], "likes": [None], "comments": [0],
                          "reposts": [1], "reactions": [None]})
    page = {"page_id": 1, "owner_name": "Департамент А", "url": "https://vk.com/p1", "label": "Департамент А · ВКонтакте"}
    drill = page_drill(page, posts, pl.DataFrame(schema=PAGE_STYLE_SCHEMA | {"recommendation": pl.String}),
                       "Asia/Tomsk")
    assert drill.heading == f"Публикации: Департамент А ({plain('https://vk.com/p1')}) — 1"  # no link made of it
    row = drill.posts.row(0, named=True)
    assert (row["views"], row["likes"], row["comments"], row["text"]) == ("12 345", "—", "0", "—")
    assert drill.style_heading is None  # no post rated for style


def test_page_drill_style_of_the_page_in_russian():
    example = {"published_at": datetime(2026, 2, 10, 5, tzinfo=timezone.utc), "score": 0.9,
               "text": "[в рамках] визита", "phrases": ["в рамках"]}
    styles = pl.DataFrame({"page_id": [1], "posts_rated": [1234], "press_releases": [617], "share": [0.5],
                           "examples": [[example]], "recommendation": [None]},
                          schema=PAGE_STYLE_SCHEMA | {"recommendation": pl.String})
    page = {"page_id": 1, "owner_name": "Департамент А", "url": "https://vk.com/p1", "label": "Департамент А · ВКонтакте"}
    drill = page_drill(page, pl.DataFrame(), styles, "Asia/Tomsk")
    assert drill.style_heading == "Стиль: как пресс-релиз написаны 617 из 1 234 публикаций (50 %)"
    assert drill.recommendation == "стиль в порядке"  # no recommendation: never «None»
    assert drill.examples.to_dicts() == [{"published_local": datetime(2026, 2, 10, 12), "score": 0.9,
                                          "text": "[в рамках] визита"}]


# --- «Прямые эфиры» ---

def test_streams_view_states_counts_and_the_list():
    rating = score_quarter(_data(), M, Q1, TOMSK, ENDED)
    view = streams_view([rating], rating, "Asia/Tomsk")
    states = dict(view.matrix.select("owner_name", "state").iter_rows())
    assert states == {"Департамент А": "held", "Департамент В": "no_data"}  # В uploaded nothing: not «не проведён»
    assert (view.held, view.not_held, view.no_data) == (1, 0, 1)
    needed = M.norms.live_streams_per_quarter["executive_body"]
    assert f"не менее {needed} в квартал" in view.caption
    assert view.streams.to_dicts() == [{"started_local": datetime(2026, 2, 10, 15), "owner_name": "Департамент А",
                                        "platform_label": "ВКонтакте", "minutes": "45",
                                        "url": "https://vk.com/video-1_1", "title": "—"}]
    assert streams_view([rating], rating, "Asia/Tomsk", body="Департамент В").streams.is_empty()


def test_streams_view_a_stream_without_a_web_address_has_an_empty_link():
    rating = score_quarter(_data(streams=[STREAM | {"url": None}]), M, Q1, TOMSK, ENDED)
    assert streams_view([rating], rating, "Asia/Tomsk").streams["url"].to_list() == [""]  # never «None»


def test_streams_view_a_body_with_data_and_no_stream_has_not_held_it():
    rating = score_quarter(_data(streams=[]), M, Q1, TOMSK, ENDED)
    view = streams_view([rating], rating, "Asia/Tomsk")
    assert (view.held, view.not_held, view.no_data) == (0, 1, 1)


# --- «Реестр» ---

def _registry():
    data = _data()
    pages = data.pages.with_columns(pl.when(pl.col("page_id") == 3).then(pl.lit(date(2026, 1, 1)))
                                    .otherwise(pl.col("closed_on")).alias("closed_on"))  # В closed its channel
    return build_registry_view(data.owners, pages, data.snapshots, M.required_platforms, today=ENDED)


def test_registry_screen_numbers_count_the_pages_in_force():
    screen = registry_screen(_registry(), [], None, [])
    kpi = {k.title: k.value for k in screen.kpis}
    assert kpi["Владельцев"] == "3" and kpi["Страниц"] == "2"  # the closed channel is listed, not counted
    assert (kpi["ВКонтакте"], kpi["Одноклассники"], kpi["Telegram"]) == ("1", "1", "0")
    assert screen.pages_table.height == 3 and "page_id" not in screen.pages_table.columns
    closed = dict(screen.pages_table.select("owner_name", "closed_on").iter_rows())
    assert closed == {"Департамент А": "—", "Учреждение Б": "—", "Департамент В": "01.01.2026"}  # never «None»
    assert screen.pages_table["registered_on"].to_list() == ["01.01.2023"] * 3
    missing = screen.owners_table(only_missing=True)
    assert "None" not in _text(screen.owners_table())  # an owner without an exemption: an empty cell
    assert set(missing["owner_name"]) <= {"Департамент А", "Учреждение Б", "Департамент В"}
    assert kpi["Без обязательной платформы"] == str(missing.height)


def test_registry_screen_filters_pages_and_owners_alike():
    screen = registry_screen(_registry(), ["institution"], None, [])
    assert screen.pages["owner_name"].to_list() == ["Учреждение Б"]
    assert screen.owners["owner_name"].to_list() == ["Учреждение Б"]
    by_body = registry_screen(_registry(), [], "Департамент А", ["ok"], search="учрежд")
    assert by_body.pages["page_id"].to_list() == [2] and by_body.owners["owner_name"].to_list() == ["Учреждение Б"]



def test_registry_choices_name_pages_and_owners_as_the_editor_lists_them():
    view = _registry()
    assert executive_bodies(view.owners) == ["Департамент А", "Департамент В"]
    department = view.owners.filter(pl.col("owner_name") == "Департамент А")["owner_id"][0]
    assert executive_bodies(view.owners, but=department) == ["Департамент В"]  # not its own superior body
    pages = page_choices(view.pages)
    assert list(pages) == view.pages["page_id"].to_list()
    assert pages[3].startswith("Департамент В · ") and pages[3].endswith(" (закрыта 01.01.2026)")
    assert "закрыта" not in pages[1] and "None" not in " ".join(pages.values())
    owners = owner_choices(view.owners)
    assert owners[department] == "Департамент А (Исполнительный орган)"
    screen = registry_screen(view, [], None, [])
    assert screen.pages_in_force["page_id"].to_list() == [1, 2]  # the closed channel gets no checklist mark

# --- «Методика» ---

def test_methodology_view_is_the_file_in_force():
    view = methodology_view(M, Q1, load_methodologies())
    assert view.indicators["Код"].to_list() == list(M.indicators)
    assert view.indicators["Вес"].to_list() == [spec.weight for spec in M.indicators.values()]
    assert f"Сумма — {sum(spec.weight for spec in M.indicators.values())}." in view.block_weights
    assert f"{percent_ru(M.composite.body)} × оценка органа" in view.rules
    assert f"меньше {M.gates.min_counted_weeks} по блокам B–E" in view.rules
    assert view.zones["Зона"].to_list() == [z.name for z in M.zones]
    assert f"до {M.deadlines.rating_due_day}-го числа" in view.deadlines
    assert view.version.startswith(f"Версия «{M.id}», утверждена {M.approved_on:%d.%m.%Y}")
    assert "None" not in _text(view.norms, view.indicators, view.rules, view.platforms)
    assert "%" not in view.rules.replace(" %", "")  # Russian percent: «50 %»


@pytest.mark.parametrize("days_before, late", [(0, True), (400, False)])
def test_methodology_view_warns_when_announced_too_late(days_before, late):
    approved = quarter_start(Q1.code) - timedelta(days=days_before)
    view = methodology_view(replace(M, approved_on=approved, effective_from=Q1.code), Q1, [M])
    assert (view.late is not None) == late
    if late:
        assert f"менее чем за {M.deadlines.announce_days_before} дней" in view.late


def test_the_bodies_heatmap_writes_shares_as_core_labels_does():
    from reports.figures import share_heatmap
    shares = weekly_bodies(score_quarter(_data(), M, Q1, TOMSK, ENDED), [], [])
    heatmap = share_heatmap(shares).data[0]
    assert heatmap.colorbar.ticktext == ("0 %", "25 %", "50 %", "75 %", "100 %")
    cells = {text for row in heatmap.text for text in row}
    assert cells == {"норму выполнили 1 из 2 стр. (50 %)", "нет данных"}  # В: no page with data, never «0 %»


def test_weekly_pages_mark_only_the_labels_that_repeat():
    data = scoring_input([BODY, INSTITUTION], [vk_page(), vk_page(4), vk_page(2, 2, "ok")],
                         weekly_posts(1, [3] * 13) + weekly_posts(4, [1] * 13) + weekly_posts(2, [1] * 13),
                         [covered(1), covered(4), covered(2)])
    labels = weekly_pages(score_quarter(data, M, Q1, TOMSK, ENDED), [], None, [], worst_first=False).pages["label"]
    assert labels.to_list() == ["Департамент А · ВКонтакте (vk.com/p1)", "Департамент А · ВКонтакте (vk.com/p4)",
                                "Учреждение Б · Одноклассники"]
