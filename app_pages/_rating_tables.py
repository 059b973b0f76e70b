"""The ranked table widget shared by «Рейтинг» and «Карточка органа»: the zone as a label in the zone's colour,
Russian number formatting (the browser's locale), narrow numeric columns so the table fits the screen.

The zone label is a read-only multiselect column (coloured pills) rather than a pandas Styler: styling every
cell of a 4,000-row table cost 0.2 s a rerun at region×10 scale; the pills cost nothing on the server."""
import polars as pl
import streamlit as st

from core.labels import number_ru, percent_ru
from scoring.tables import RatingTables
from scoring.screens import UNSTABLE_MARK, display_table, rating_table, with_blocks_chart


def ranked_table(tables: RatingTables, name: str, body: str | None = None, search: str = "",
                 height: int = 560) -> None:
    frame = rating_table(tables, name, body, search)
    if frame.is_empty():
        st.info("Нет строк для выбранных фильтров.", icon=":material/info:")
        return
    info = tables.methodology_info  # the methodology the rating was computed with (an approval's own)
    shares = {part: percent_ru(share) for part, share in info["composite"].items()}
    sens = tables.get("sensitivity") or {}
    blocks = info["blocks"]
    columns = ["place", *(["place_text"] if "place_text" in frame.columns else []), "movement", "owner"] + (["parent_name"] if name in ("institutions", "heads") else []) + [
        "score", "zone", "delta_points"]
    if name == "bodies":
        columns += ["body_score", "head_score", "institutions_score"]
    columns += ["blocks_chart", "missing_text", "rated_text"]
    number = {"width": 62}
    config = {
        "place": st.column_config.TextColumn("Место", width=55),
        "place_text": st.column_config.TextColumn(
            f"Место при весах ±{number_ru(sens.get('step'))}", width=115,
            help=f"Самое высокое и самое низкое место, если вес каждого блока сдвинуть на ±{number_ru(sens.get('step'))} "
                 f"баллов (все {sens.get('combinations')} сочетаний, веса приводятся к 100). {UNSTABLE_MARK} — место "
                 f"неустойчиво: самое высокое и самое низкое расходятся на {sens.get('unstable_places')} и больше"),
        "movement": st.column_config.TextColumn("Δ места", width=60,
                                                help="Изменение места к прошлому кварталу: ▲ выше, ▼ ниже"),
        "owner": st.column_config.TextColumn("Владелец", width=300),
        "parent_name": st.column_config.TextColumn("Исполнительный орган", width="medium"),
        "score": st.column_config.ProgressColumn("Балл", min_value=0, max_value=100, format="localized", width=110),
        "zone": st.column_config.MultiselectColumn("Зона", width=110, options=[z["name"] for z in info["zones"]],
                                                   color=[z["color"] for z in info["zones"]]),
        "delta_points": st.column_config.TextColumn("Δ баллов", width=66),
        "body_score": st.column_config.TextColumn("Орган", help=f"Балл страниц органа (доля {shares['body']})",
                                                  **number),
        "head_score": st.column_config.TextColumn("Руковод.", help=f"Балл руководителя (доля {shares['head']})",
                                                  **number),
        "institutions_score": st.column_config.TextColumn(
            "Учрежд.", help=f"Средний балл учреждений (доля {shares['institutions']})", **number),
        "missing_text": st.column_config.TextColumn("Нет страниц", width=110,
                                                    help="Обязательные платформы без страницы (0 баллов)"),
        "rated_text": st.column_config.TextColumn(
            "Оценено", width="medium",
            help=f"Сколько страниц владельца оценено; страница, у которой учтено меньше "
                 f"{info.get('gates', {}).get('min_counted_weeks', '')} недель с данными, не оценивается, а владелец "
                 "без оценённых страниц не получает места"),
        "blocks_chart": st.column_config.BarChartColumn(
            "Блоки " + "–".join([next(iter(blocks)), list(blocks)[-1]]), y_min=0, y_max=100, width=110,
            help="Баллы по блокам: " + "; ".join(f"{code} — {title}" for code, title in blocks.items())),
    }
    shown = display_table(with_blocks_chart(frame, list(blocks)),
                          [c for c in columns if c in frame.columns or c == "blocks_chart"])
    shown = shown.with_columns(pl.concat_list("zone").list.drop_nulls().alias("zone"))
    st.dataframe(shown, hide_index=True, width="stretch", height=min(height, 38 + 35 * len(shown)),
                 column_config=config, key=f"rating_table_{name}_{body}")
