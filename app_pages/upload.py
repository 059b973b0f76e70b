"""«Загрузка данных»: upload files, see the validation report of each, list the batches."""
import polars as pl
import streamlit as st

from loaders.errors import LoadError
from app_pages import _shared
from app_pages._auth import can, current_user
from storage.ingest import error_report, ingest_bytes, local_today

FORMAT_LABELS = {"registry_template": "Реестр (шаблон)", "gospubliki_export": "Выгрузка «Госпаблики»"}
STATUS_LABELS = {"active": "действует", "reverted": "отменён"}

st.title("Загрузка данных")
st.caption("Принимаются: реестр страниц в шаблоне продукта (xlsx или csv) и выгрузка «Госпаблики» (xlsx или csv). "
           "Формат определяется по содержимому файла. Файл с ошибками не записывается целиком.")
if not can("analyst"):
    st.warning("Загрузка доступна аналитикам ЦУР и администраторам.")
else:
    with st.form("upload_form", clear_on_submit=True):
        files = st.file_uploader("Файлы", accept_multiple_files=True, key="upload_files",
                                 type=["xlsx", "csv", "json"])
        as_of = st.date_input("Сведения по состоянию на", value=local_today(), format="DD.MM.YYYY",
                              key="upload_as_of", max_value=local_today())
        submitted = st.form_submit_button("Загрузить", type="primary")
    if submitted and files:
        progress = st.progress(0.0, text="Загрузка…")
        reports = []
        for index, upload in enumerate(files, start=1):
            try:
                reports.append(ingest_bytes(_shared.engine(), upload.getvalue(), upload.name, user=current_user(),
                                            as_of=as_of))
            except LoadError as error:
                reports.append(error_report(upload.name, error))
            progress.progress(index / len(files), text=f"Обработано файлов: {index} из {len(files)}")
        st.session_state["upload_reports"] = reports
        progress.empty()

for report in st.session_state.get("upload_reports", []):
    if report.get("errors"):
        with st.container(border=True):
            st.error(f"«{report['filename']}» не загружен: ничего не записано.")
            st.dataframe(pl.DataFrame([{k: e[k] for k in ("sheet", "row", "column", "message")}
                                       for e in report["errors"]]),
                         hide_index=True, width="stretch",
                         column_config={"sheet": "Лист", "row": "Строка", "column": "Столбец", "message": "Ошибка"})
        continue
    with st.container(border=True):
        if report.get("duplicate_of"):
            st.info(f"«{report['filename']}» уже был загружен (пакет № {report['duplicate_of']}): изменений нет.")
            continue
        st.success(f"«{report['filename']}» загружен: пакет № {report['batch_id']}, "
                   f"формат — {FORMAT_LABELS.get(report['format'], report['format'])}.")
        cols = st.columns(5)
        cols[0].metric("Владельцев добавлено", report["owners_added"])
        cols[1].metric("Владельцев обновлено", report["owners_updated"])
        cols[2].metric("Страниц добавлено", report["pages_added"])
        cols[3].metric("Страниц обновлено", report["pages_updated"])
        cols[4].metric("Без изменений", report["pages_unchanged"])
        if report["warnings"]:
            with st.expander(f"Предупреждения ({len(report['warnings'])})"):
                for warning in report["warnings"]:
                    st.text(warning)

st.subheader("Пакеты загрузки")
batches = _shared.batches()
if batches.is_empty():
    _shared.empty_state("Пока ничего не загружено.")
else:
    st.dataframe(batches.with_columns(
        pl.col("format").replace_strict(FORMAT_LABELS, default=pl.col("format")),
        pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
        pl.col("uploaded_at").dt.convert_time_zone(str(_shared.region_tz()))).select(
        "batch_id", "filename", "format", "as_of", "uploaded_at", "uploaded_by", "status"),
        hide_index=True, width="stretch",
        column_config={"batch_id": "№", "filename": "Файл", "format": "Формат",
                       "as_of": st.column_config.DateColumn("Сведения на", format="DD.MM.YYYY"),
                       "uploaded_at": st.column_config.DatetimeColumn("Загружен", format="DD.MM.YYYY HH:mm"),
                       "uploaded_by": "Кем", "status": "Состояние"})
