"""The validation report of one uploaded file, as the «Загрузка данных» screen shows it."""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from loaders.detect import FORMAT_LABELS
from core.text import plain


# the stages of an upload as the progress bar names them: storage.ingest.STAGES, then the rating's recomputation
# (services.quarters, in the background once the file is written)
STAGE_LABELS = {"reading": "чтение файла", "checking": "проверка и сравнение с загруженным ранее",
                "writing": "запись в базу", "rating": "пересчёт рейтинга"}


def stage_progress(stage: str, index: int, files: int, filename: str) -> tuple[float, str]:
    """The bar's fill and text when file `index` of `files` enters `stage`: «Файл 1 из 2, «wall.json»: этап 2
    из 4 — проверка и сравнение с загруженным ранее…»."""
    step = list(STAGE_LABELS).index(stage)
    return ((index - 1 + step / len(STAGE_LABELS)) / files,
            f"Файл {index} из {files}, «{plain(filename)}»: этап {step + 1} из {len(STAGE_LABELS)} — "
            f"{STAGE_LABELS[stage]}…")


def show_report(report: dict) -> None:
    with st.container(border=True):
        if report.get("errors"):
            st.error(f"«{plain(report['filename'])}» не загружен: ничего не записано. {plain(report.get('message', ''))}")
            if len(report["errors"]) < 2:
                return
            errors = pl.DataFrame([{k: e.get(k) for k in ("sheet", "record", "row", "column", "message")}
                                   for e in report["errors"]], infer_schema_length=None)
            errors = errors.select([c for c in errors.columns if errors[c].null_count() < errors.height])
            st.dataframe(errors.with_columns(pl.all().cast(pl.String).fill_null("")),
                         hide_index=True, width="stretch",
                         column_config={"sheet": "Лист", "record": "Запись", "row": "Строка", "column": "Столбец / поле",
                                        "message": "Ошибка"})
            return
        if "posts" in report:
            _activity(report)
        else:
            _registry(report)
        if report.get("warnings"):
            with st.expander(f"Предупреждения ({len(report['warnings'])})"):
                for warning in report["warnings"]:
                    st.text(warning)


def _registry(report: dict) -> None:
    if report.get("duplicate_of"):
        st.info(f"«{plain(report['filename'])}» уже был загружен (пакет № {report['duplicate_of']}): изменений нет.")
        return
    st.success(f"«{plain(report['filename'])}» загружен: пакет № {report['batch_id']}, "
               f"формат — {FORMAT_LABELS.get(report['format'], report['format'])}.")
    cols = st.columns(5)
    cols[0].metric("Владельцев добавлено", report["owners_added"])
    cols[1].metric("Владельцев обновлено", report["owners_updated"])
    cols[2].metric("Страниц добавлено", report["pages_added"])
    cols[3].metric("Страниц обновлено", report["pages_updated"])
    cols[4].metric("Без изменений", report["pages_unchanged"])


def _period_text(report: dict) -> str:
    if not report.get("period"):
        return "период не определён"
    start, end = (date.fromisoformat(d) for d in report["period"])
    return f"период {start:%d.%m.%Y} – {end:%d.%m.%Y}"


def _activity(report: dict) -> None:
    label = FORMAT_LABELS.get(report["format"], report["format"])
    if report["batch_id"] is None:
        st.info(f"«{plain(report['filename'])}» ({label}): новых данных нет — всё уже загружено"
                + (f" (пакет № {report['duplicate_of']})" if report.get("duplicate_of") else "") + ".")
    else:
        st.success(f"«{plain(report['filename'])}» загружен: пакет № {report['batch_id']}, {label}, "
                   f"{_period_text(report)}.")
    if report.get("observed_label"):
        st.caption(plain(report["observed_label"][:1].upper() + report["observed_label"][1:])
                   + (f"; страница {plain(report['assigned_page']['url'])} (указана при загрузке)"
                      if report.get("assigned_page") else "") + ".")
    cols = st.columns(6)
    cols[0].metric("Публикаций принято", report["posts"])
    cols[1].metric("Новых", report.get("posts_added", 0))
    cols[2].metric("Обновлено", report.get("posts_updated", 0),
                   help="счётчики изменились, и эти сведения новее сохранённых: учтены новые значения")
    cols[3].metric("Без изменений", report.get("unchanged", 0))
    cols[4].metric("Прямых эфиров", report["live_streams"])
    cols[5].metric("Комментарии / ответы", f"{report['comments']} / {report['page_replies']}")
    if report["rejected"]:
        st.markdown("**Не учтено как публикации:** " + "; ".join(
            f"{plain(reason)} — {count}" for reason, count in report["rejected_reasons"].items()))
    if report.get("older_note"):
        st.info(plain(report["older_note"][:1].upper() + report["older_note"][1:]) + ".")
    if report.get("coverage_note"):
        st.warning(plain(report["coverage_note"][:1].upper() + report["coverage_note"][1:]) + ".")
    conflicts = report.get("comments_conflicts") or {}
    if conflicts.get("count"):
        st.warning(f"Комментариев с уже занятым id: {conflicts['count']} — не сохранены, в базе остались прежние "
                   "(в одном чате id не повторяются: проверьте, та ли это выгрузка).")
        for example in conflicts["examples"]:
            st.text(example)
    if report.get("unmatched_pages"):
        st.warning(f"Страниц нет в реестре: {len(report['unmatched_pages'])}. Их данные сохранены; свяжите их "
                   "со страницами реестра на вкладке «Страницы вне реестра» — связь запомнится.")
