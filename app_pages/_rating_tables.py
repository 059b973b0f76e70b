"""The ranked table widget shared by «Рейтинг» and «Карточка органа»."""
import streamlit as st

from scoring.screens import rating_table

ZONE_ICONS = {"высокий": "🟢 высокий", "средний": "🟡 средний", "низкий": "🟠 низкий", "критический": "🔴 критический"}


def ranked_table(payload: dict, name: str, body: str | None = None, search: str = "", height: int = 560) -> None:
    frame = rating_table(payload, name, body, search)
    if frame.is_empty():
        st.info("Нет строк для выбранных фильтров.", icon=":material/info:")
        return
    blocks = payload["methodology_info"]["blocks"]
    columns = ["rank", "movement", "owner"] + (["parent_name"] if name in ("institutions", "heads") else []) + [
        "score", "zone", "delta_points"]
    if name == "bodies":
        columns += ["body_score", "head_score", "institutions_score"]
    columns += [f"block_{b}" for b in blocks] + ["missing_text"]
    config = {
        "rank": st.column_config.NumberColumn("Место", width="small"),
        "movement": st.column_config.TextColumn("Δ места", width="small",
                                                help="Изменение места к прошлому кварталу: ▲ выше, ▼ ниже"),
        "owner": st.column_config.TextColumn("Владелец", width="large"),
        "parent_name": st.column_config.TextColumn("Исполнительный орган", width="medium"),
        "score": st.column_config.ProgressColumn("Балл", min_value=0, max_value=100, format="%.1f"),
        "zone": st.column_config.TextColumn("Зона", width="small"),
        "delta_points": st.column_config.NumberColumn("Δ баллов", format="%+.1f", width="small"),
        "body_score": st.column_config.NumberColumn("Орган", format="%.1f", help="Балл страниц органа (50 %)"),
        "head_score": st.column_config.NumberColumn("Руководитель", format="%.1f", help="25 %"),
        "institutions_score": st.column_config.NumberColumn("Учреждения", format="%.1f", help="25 %, среднее"),
        "missing_text": st.column_config.TextColumn("Нет страниц", help="Обязательные платформы без страницы (0 баллов)"),
    }
    for code, title in blocks.items():
        config[f"block_{code}"] = st.column_config.NumberColumn(code, format="%.1f", help=f"Блок {code}: {title}")
    shown = frame.with_columns(frame["zone"].replace_strict(ZONE_ICONS, default=frame["zone"]).alias("zone"))
    st.dataframe(shown.select([c for c in columns if c in shown.columns]), hide_index=True, width="stretch",
                 height=min(height, 38 + 35 * shown.height), column_config=config, key=f"rating_table_{name}_{body}")
