"""«Рейтинг»: the three ranked tables with block breakdown, zones, Δ place and Δ points; two quarters compared;
the methodology in force and whether the quarter is approved; Excel download."""
import polars as pl
import streamlit as st

from app_pages import _approval, _shared, _rating_tables
from core.config import region_tz
from reports.figures import movement_chart, zone_distribution
from reports.rating_workbook import file_name, rating_workbook
from core.calendar import local_today
from scoring.comparison import chart_rows, comparison_frame, comparison_rows
from scoring.screens import dashes, zone_counts
from reports.comparison_workbook import comparison_workbook, file_name as comparison_file_name
from reports.pdf_report import body_pdf, file_name as pdf_file_name, quarterly_pdf
from core.labels import TABLE_TITLES, digits_of, label, moment_ru
from core.text import plain
from scoring.report_view import find_body
from services.style import style_by_page

flt = _shared.filters()
st.title(f"Рейтинг — {_shared.quarter_title(flt.quarter)}")
_shared.stop_if_no_registry("Рейтинг появится после загрузки реестра страниц и выгрузок активности на экране "
                              "«Загрузка данных» (или выполните `python cli.py demo`).")
view = _shared.rating(flt.quarter)
shown = _shared.shown_tables(flt.quarter)  # frames, with «место 5 (4–7)» when the block weights move ±5
info = shown.methodology_info
scope = shown.get("scope")
if scope:  # a «body» user: the family's rows only, places among all (services.scope)
    field = scope["ranked"]
    st.caption(plain(f"Показаны только {scope['body']}, его руководитель и учреждения. Места — среди всех "
                     f"оценённых: органов {field['bodies']}, руководителей {field['heads']}, учреждений "
                     f"{field['institutions']}."))
status = (f":green-badge[:material/verified: утверждён {moment_ru(shown.get('approved')['approved_at'], region_tz())}]"
          if view.approved
          else ":orange-badge[:material/pending: не утверждён — расчёт по текущим данным]")
st.markdown(f"Методика **{info['id']}** (утверждена {info['approved_on'][8:10]}.{info['approved_on'][5:7]}."
            f"{info['approved_on'][:4]}) · {status}")
if shown.get("methodology_warning"):
    st.warning(shown.get("methodology_warning"), icon=":material/warning:")
if view.approved and view.differences:
    with st.expander(f"После утверждения данные изменились: отличий от пересчёта — {len(view.differences)}",
                     icon=":material/difference:"):
        numbers = {c: digits_of(c) for c in ("approved_rank", "fresh_rank", "approved_score", "fresh_score")}
        st.dataframe(dashes(pl.DataFrame(view.differences).with_columns(pl.col("table").replace_strict(
            TABLE_TITLES, default=pl.col("table"))), numbers), hide_index=True, width="stretch",
            column_config={c: label(c) for c in ("table", "owner", *numbers)})

if not view.has_data:  # methodology.md §4: no leaders, zones or means without data
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга нет. Загрузите выгрузки на "
            "экране «Загрузка данных».", icon=":material/info:")
    _approval.controls(view, st.container())
    st.stop()

cols = st.columns([3, 2, 2])
search = cols[0].text_input("Поиск по наименованию", key="rating_search", placeholder="например, финансов")
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
        return body_pdf(view.tables, find_body(view.tables, scope["body"])["owner_id"], region_tz())
    return quarterly_pdf(view.tables, previous_view.tables if previous_view else None, region_tz())


cols[1].download_button(
    "Скачать PDF", data=report_pdf, icon=":material/picture_as_pdf:", on_click="ignore", key="rating_pdf",
    file_name=pdf_file_name(flt.quarter.code, local_today(region_tz()), (scope or {}).get("body")),
    mime="application/pdf", help="Квартальный отчёт: A4, ключевые показатели, зоны, таблицы рейтинга, эфиры, пробелы "
                                 "в данных и страница каждого органа (готовится до минуты)")
_approval.controls(view, cols[2])

tabs = st.tabs([*TABLE_TITLES.values(), "Сравнение кварталов"])
for tab, name in zip(tabs[:4], TABLE_TITLES):
    with tab:
        _rating_tables.ranked_table(shown, name, flt.body, search)
        if name != "reference" and not shown.table(name).is_empty():
            _shared.chart(zone_distribution(zone_counts(shown, name), info["zones"], "Распределение по зонам"),
                          key=f"rating_zones_{name}")

with tabs[4]:
    quarters = _shared.data_quarters() or [flt.quarter]
    # like every screen: the last ended quarter (Б) against the one before it (А), not the running one
    last = quarters.index(_shared.default_quarter()) if _shared.default_quarter() in quarters else 0
    left, right, which = st.columns(3)
    earlier = left.selectbox("Квартал А", quarters, index=min(last + 1, len(quarters) - 1),
                             format_func=_shared.quarter_label, key="rating_compare_a")
    later = right.selectbox("Квартал Б", quarters, index=last, format_func=_shared.quarter_label,
                            key="rating_compare_b")
    table = which.selectbox("Таблица", ["bodies", "heads", "institutions"], key="rating_compare_table",
                            format_func=TABLE_TITLES.get)
    tables_a, tables_b = _shared.rating(earlier).tables, _shared.rating(later).tables
    rows = comparison_rows(tables_a, tables_b, table)
    graph, numbers = st.columns(2)
    if table == "institutions" and len(rows) > 60:
        graph.caption("На графике — 60 учреждений с наибольшим изменением балла; в таблице — все.")
    with graph:
        _shared.chart(movement_chart(chart_rows(rows, 60), earlier.label, later.label, info["zones"]),
                      key="rating_movement")
    a, b = earlier.label, later.label
    numbers.dataframe(
        comparison_frame(rows).drop([] if table != "bodies" else ["parent"]).drop("zone_a", "zone_b"),
        hide_index=True, width="stretch", height=min(900, 38 + 35 * len(rows)), key="rating_compare_numbers",
        column_config={"owner": st.column_config.TextColumn("Владелец", width=220),
                       "parent": st.column_config.TextColumn("Исполнительный орган", width=160),
                       "rank_a": st.column_config.NumberColumn("Место А", format="localized", width=62,
                                                               help=f"Место в рейтинге за {a}"),
                       "rank_b": st.column_config.NumberColumn("Место Б", format="localized", width=62,
                                                               help=f"Место в рейтинге за {b}"),
                       "delta_place": st.column_config.NumberColumn("Δ места", format="localized", width=62,
                                                                    help="Больше нуля — поднялся в рейтинге"),
                       "score_a": st.column_config.NumberColumn("Балл А", format="localized", width=62,
                                                                help=f"Балл за {a}"),
                       "score_b": st.column_config.NumberColumn("Балл Б", format="localized", width=62,
                                                                help=f"Балл за {b}"),
                       "delta_points": st.column_config.NumberColumn("Δ баллов", format="localized", width=66,
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
