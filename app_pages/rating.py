"""«Рейтинг»: the three ranked tables with block breakdown, zones, Δ place and Δ points; two quarters compared;
the methodology in force and whether the quarter is approved; Excel download."""
import streamlit as st

from app_pages import _approval, _shared, _rating_tables
from core.config import region_tz
from reports.figures import movement_chart, zone_distribution
from reports.rating_workbook import file_name, rating_workbook
from core.calendar import local_today
from scoring.screens import movement_rows, zone_counts
from core.text import plain
from services.style import style_by_page

flt = _shared.filters()
st.title(f"Рейтинг — {flt.quarter.label}")
_shared.stop_if_no_registry("Рейтинг появится после загрузки реестра страниц и выгрузок активности на экране "
                              "«Загрузка данных» (или выполните `python cli.py demo`).")
view = _shared.rating(flt.quarter)
payload = _shared.payload_with_place_ranges(flt.quarter)  # «место 5 (4–7)» when the block weights move ±5
info = payload["methodology_info"]
if payload.get("scope"):  # a «body» user: the family's rows only, places among all (services.scope)
    field = payload["scope"]["ranked"]
    st.caption(plain(f"Показаны только {payload['scope']['body']}, его руководитель и учреждения. Места — среди всех "
                     f"оценённых: органов {field['bodies']}, руководителей {field['heads']}, учреждений "
                     f"{field['institutions']}."))
status = (f":green-badge[:material/verified: утверждён {payload['approved']['approved_at'][:10]}]" if view.approved
          else ":orange-badge[:material/pending: не утверждён — расчёт по текущим данным]")
st.markdown(f"Методика **{info['id']}** (утверждена {info['approved_on'][8:10]}.{info['approved_on'][5:7]}."
            f"{info['approved_on'][:4]}) · {status}")
if payload.get("methodology_warning"):
    st.warning(payload["methodology_warning"], icon=":material/warning:")
if view.approved and view.differences:
    with st.expander(f"После утверждения данные изменились: отличий от пересчёта — {len(view.differences)}",
                     icon=":material/difference:"):
        st.dataframe(view.differences, hide_index=True, width="stretch",
                     column_config={"table": "Таблица", "owner": "Владелец", "approved_rank": "Место (утв.)",
                                    "fresh_rank": "Место (пересчёт)",
                                    "approved_score": st.column_config.NumberColumn("Балл (утв.)", format="%.1f"),
                                    "fresh_score": st.column_config.NumberColumn("Балл (пересчёт)", format="%.1f")})

cols = st.columns([3, 2, 2])
search = cols[0].text_input("Поиск по наименованию", key="rating_search", placeholder="например, финансов")
cols[1].download_button(
    "Скачать Excel", data=lambda: rating_workbook(payload, region_tz(), style=style_by_page(_shared.styles(flt.quarter))),
    icon=":material/download:",
    file_name=file_name(flt.quarter.code, local_today(region_tz())), on_click="ignore", key="rating_excel",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_approval.controls(view, cols[2])
if not view.has_data:  # methodology.md §4: no leaders, zones or means without data
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга нет. Загрузите выгрузки на "
            "экране «Загрузка данных».", icon=":material/info:")
    st.stop()

tabs = st.tabs(["Исполнительные органы", "Учреждения", "Руководители", "Губернатор и Администрация",
                "Сравнение кварталов"])
for tab, name in zip(tabs[:4], ("bodies", "institutions", "heads", "reference")):
    with tab:
        _rating_tables.ranked_table(payload, name, flt.body, search)
        if name != "reference" and payload.get(name):
            _shared.chart(zone_distribution(zone_counts(payload, name), info["zones"], "Распределение по зонам"),
                          key=f"rating_zones_{name}")

with tabs[4]:
    quarters = _shared.data_quarters() or [flt.quarter]
    left, right, which = st.columns(3)
    earlier = left.selectbox("Квартал А", quarters, index=min(1, len(quarters) - 1), format_func=lambda q: q.label,
                             key="rating_compare_a")
    later = right.selectbox("Квартал Б", quarters, index=0, format_func=lambda q: q.label, key="rating_compare_b")
    table = which.selectbox("Таблица", ["bodies", "heads", "institutions"], key="rating_compare_table",
                            format_func={"bodies": "Исполнительные органы", "heads": "Руководители",
                                         "institutions": "Учреждения"}.get)
    rows = movement_rows(_shared.rating(earlier).payload, _shared.rating(later).payload, table)
    if table == "institutions" and len(rows) > 60:
        rows = sorted(rows, key=lambda r: -abs((r["score_b"] or 0) - (r["score_a"] or 0)))[:60]
        st.caption("Показаны 60 учреждений с наибольшим изменением балла.")
    _shared.chart(movement_chart(rows, earlier.label, later.label, info["zones"]), key="rating_movement")
