"""The ranked table widget shared by «Рейтинг» and «Карточка органа» (rows and header texts from
scoring.views.rating): the zone as a label in the zone's colour, Russian number formatting (the browser's locale),
narrow numeric columns so the table fits the screen.

The zone label is a read-only multiselect column (coloured pills) rather than a pandas Styler: styling every
cell of a 4,000-row table cost 0.2 s a rerun at region×10 scale; the pills cost nothing on the server."""
import polars as pl
import streamlit as st

from app_pages._table import table
from scoring.views.rating import EMPTY_TEXT, RankedHeaders


def ranked_table(rows: pl.DataFrame, headers: RankedHeaders, key: str, height: int = 560) -> None:
    number = {"width": 62}
    text = st.column_config.TextColumn
    config = {
        "place": text("Место", width=55),
        "place_text": text(headers.place_text, width=115, help=headers.place_text_help),
        "movement": text("Δ места", width=60, help="Изменение места к прошлому кварталу: ▲ выше, ▼ ниже"),
        "owner": text("Владелец", width=300),
        "parent_name": text("Исполнительный орган", width="medium"),
        "score": st.column_config.ProgressColumn("Балл", min_value=0, max_value=100, format="localized", width=110),
        "zone": st.column_config.MultiselectColumn("Зона", width=110, options=[n for n, _ in headers.zones],
                                                   color=[c for _, c in headers.zones]),
        "delta_points": text("Δ баллов", width=66),
        "body_score": text("Орган", help=headers.part_help["body_score"], **number),
        "head_score": text("Руковод.", help=headers.part_help["head_score"], **number),
        "institutions_score": text("Учрежд.", help=headers.part_help["institutions_score"], **number),
        "missing_text": text("Нет страниц", width=110, help="Обязательные платформы без страницы (0 баллов)"),
        "rated_text": text("Оценено", width="medium", help=headers.rated_help),
        "blocks_chart": st.column_config.BarChartColumn(headers.blocks, y_min=0, y_max=100, width=110,
                                                        help=headers.blocks_help),
    }
    table(rows, EMPTY_TEXT, width="stretch", height=min(height, 38 + 35 * len(rows)), column_config=config, key=key)
