"""«Рейтинг»: the three ranked tables with block breakdown, zones, Δ place and Δ points; two quarters compared;
the methodology in force and whether the quarter is approved; Excel and PDF downloads (scoring.views.rating builds
what is shown)."""
import streamlit as st

from app_pages import _approval, _shared, _rating_tables
from app_pages._table import table
from core.calendar import local_today
from core.config import region_tz
from core.labels import TABLE_TITLES, label
from reports.comparison_workbook import comparison_workbook, file_name as comparison_file_name
from reports.figures import movement_chart, zone_distribution
from reports.pdf_report import body_pdf, file_name as pdf_file_name, quarterly_pdf
from reports.rating_workbook import file_name, rating_workbook
from scoring.comparison import comparison_rows
from scoring.report_view import find_body
from scoring.views.rating import comparison_view, rating_view
from services.style import style_by_page

flt = _shared.filters()
st.title(f"Рейтинг — {_shared.quarter_title(flt.quarter)}")
_shared.stop_if_no_registry("Рейтинг появится после загрузки реестра страниц и выгрузок активности на экране "
                              "«Загрузка данных» (или выполните `python cli.py demo`).")
quarter = _shared.rating(flt.quarter)
shown = _shared.shown_tables(flt.quarter)  # frames, with «место 5 (4–7)» when the block weights move ±5
header = st.container()  # drawn above the search field, from the view the search field's value builds
if quarter.has_data:
    cols = st.columns([3, 2, 2])
    search = cols[0].text_input("Поиск по наименованию", key="rating_search", placeholder="например, финансов")
view = rating_view(shown, quarter.approved, quarter.differences, region_tz(), flt.body,
                   search if quarter.has_data else "")
with header:
    if view.scope_caption:  # a «body» user: the family's rows only, places among all (services.scope)
        st.caption(view.scope_caption)
    status = (f":green-badge[:material/verified: утверждён {view.approved_at}]" if view.approved_at
              else ":orange-badge[:material/pending: не утверждён — расчёт по текущим данным]")
    st.markdown(f"{view.methodology} · {status}")
    if view.warning:
        st.warning(view.warning, icon=":material/warning:")
    if not view.differences.is_empty():
        with st.expander(f"После утверждения данные изменились: отличий от пересчёта — {view.differences.height}",
                         icon=":material/difference:"):
            table(view.differences, "Отличий нет.", width="stretch",
                  column_config={c: label(c) for c in view.differences.columns})

if not view.has_data:  # methodology.md §4: no leaders, zones or means without data
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга нет. Загрузите выгрузки на "
            "экране «Загрузка данных».", icon=":material/info:")
    _approval.controls(quarter, st.container())
    st.stop()

scope = shown.get("scope")
cols[1].download_button(
    "Скачать Excel", data=lambda: rating_workbook(shown, region_tz(),
                                                  style=style_by_page(_shared.styles(flt.quarter))),
    icon=":material/download:",
    file_name=file_name(flt.quarter.code, local_today(region_tz())), on_click="ignore", key="rating_excel",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# the previous quarter's view (cached) is read here: the button's callable runs in a worker thread
previous_view = (_shared.rating(flt.quarter.previous())
                 if flt.quarter.previous() in _shared.data_quarters() else None)


def report_pdf() -> bytes:
    """The quarterly report (a «body» user: their body's own report), built when the button is pressed."""
    if scope:
        return body_pdf(quarter.tables, find_body(quarter.tables, scope["body"])["owner_id"], region_tz())
    return quarterly_pdf(quarter.tables, previous_view.tables if previous_view else None, region_tz())


cols[1].download_button(
    "Скачать PDF", data=report_pdf, icon=":material/picture_as_pdf:", on_click="ignore", key="rating_pdf",
    file_name=pdf_file_name(flt.quarter.code, local_today(region_tz()), (scope or {}).get("body")),
    mime="application/pdf", help="Квартальный отчёт: A4, ключевые показатели, зоны, таблицы рейтинга, эфиры, пробелы "
                                 "в данных и страница каждого органа (готовится до минуты)")
_approval.controls(quarter, cols[2])

tabs = st.tabs([*(t.title for t in view.tables), "Сравнение кварталов"])
for tab, ranked in zip(tabs, view.tables):
    with tab:
        _rating_tables.ranked_table(ranked.rows, view.headers, key=f"rating_table_{ranked.name}_{flt.body}")
        if ranked.zone_counts is not None:
            _shared.chart(zone_distribution(ranked.zone_counts, view.zones, "Распределение по зонам"),
                          key=f"rating_zones_{ranked.name}")

with tabs[-1]:
    quarters = _shared.data_quarters() or [flt.quarter]
    # like every screen: the last ended quarter (Б) against the one before it (А), not the running one
    last = quarters.index(_shared.default_quarter()) if _shared.default_quarter() in quarters else 0
    left, right, which = st.columns(3)
    earlier = left.selectbox("Квартал А", quarters, index=min(last + 1, len(quarters) - 1),
                             format_func=_shared.quarter_label, key="rating_compare_a")
    later = right.selectbox("Квартал Б", quarters, index=last, format_func=_shared.quarter_label,
                            key="rating_compare_b")
    name = which.selectbox("Таблица", ["bodies", "heads", "institutions"], key="rating_compare_table",
                           format_func=TABLE_TITLES.get)
    tables_a, tables_b = _shared.rating(earlier).tables, _shared.rating(later).tables
    compared = comparison_view(tables_a, tables_b, name)
    a, b = earlier.label, later.label
    graph, numbers = st.columns(2)
    with graph:
        if compared.note:
            st.caption(compared.note)
        _shared.chart(movement_chart(compared.chart, a, b, view.zones), key="rating_movement")
    number = st.column_config.NumberColumn
    with numbers:
        table(compared.table, f"Ни в {a}, ни в {b} в этой таблице нет строк.", width="stretch",
              height=min(900, 38 + 35 * compared.table.height), key="rating_compare_numbers",
              column_config={"owner": st.column_config.TextColumn("Владелец", width=220),
                             "parent": st.column_config.TextColumn("Исполнительный орган", width=160),
                             "rank_a": number("Место А", format="localized", width=62, help=f"Место в рейтинге за {a}"),
                             "rank_b": number("Место Б", format="localized", width=62, help=f"Место в рейтинге за {b}"),
                             "delta_place": number("Δ места", format="localized", width=62,
                                                   help="Больше нуля — поднялся в рейтинге"),
                             "score_a": number("Балл А", format="localized", width=62, help=f"Балл за {a}"),
                             "score_b": number("Балл Б", format="localized", width=62, help=f"Балл за {b}"),
                             "delta_points": number("Δ баллов", format="localized", width=66,
                                                    help=f"Балл за {b} минус балл за {a}"),
                             "zone_change": st.column_config.TextColumn("Зона", width=180,
                                                                        help=f"Зона за {a} → за {b}")})
    numbers.download_button(
        "Сравнение в Excel", icon=":material/download:", on_click="ignore", key="rating_compare_excel",
        data=lambda: comparison_workbook({name: comparison_rows(tables_a, tables_b, name)
                                          for name in ("bodies", "heads", "institutions")}, a, b,
                                         "утверждён" if tables_b.get("approved") else "не утверждён"),
        file_name=comparison_file_name(a, b, local_today(region_tz())),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
