"""The validation report of one uploaded file, as the «Загрузка данных» screen shows it."""
from __future__ import annotations

import streamlit as st

from core.labels import number_ru
from core.text import plain
from loaders.detect import FORMAT_LABELS
from scoring.views.upload import error_table, period_text


def show_report(report: dict) -> None:
    with st.container(border=True):
        if report.get("errors"):
            st.error(f"«{plain(report['filename'])}» не загружен: ничего не записано. {plain(report.get('message', ''))}")
            if len(report["errors"]) < 2:
                return
            st.dataframe(error_table(report["errors"]), hide_index=True, width="stretch",
                         column_config={"sheet": "Лист", "record": "Запись", "row": "Строка", "column": "Столбец / поле",
                                        "message": "Ошибка"})
            return
        if "posts" in report:
            _activity(report)
        else:
            _registry(report)
        if report.get("warnings"):
            with st.expander(f"Предупреждения ({number_ru(len(report['warnings']))})"):
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


def _activity(report: dict) -> None:
    label = FORMAT_LABELS.get(report["format"], report["format"])
    if report["batch_id"] is None:
        st.info(f"«{plain(report['filename'])}» ({label}): новых данных нет — всё уже загружено"
                + (f" (пакет № {report['duplicate_of']})" if report.get("duplicate_of") else "") + ".")
    else:
        st.success(f"«{plain(report['filename'])}» загружен: пакет № {report['batch_id']}, {label}, "
                   f"{period_text(report.get('period'))}.")
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
