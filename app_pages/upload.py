"""«Загрузка данных»: upload files, see the validation report of each, revert batches, link pages that are not
in the registry, see which months of which pages have data."""
import streamlit as st

from app_pages import _data, _quarters, _shared
from core.config import MAX_UPLOAD_BYTES, region_tz
from core.labels import PLATFORM_LABELS
from core.text import plain
from app_pages._auth import can, current_user
from app_pages._upload_report import show_report
from loaders.errors import LoadError
from scoring.views.upload import (batches_view, coverage_period, coverage_view, link_choices, page_choices,
                                  stage_progress, upload_period)
from storage.activity_store import link_page, revert_batch
from storage.ingest import error_report, ingest_bytes, local_today

analyst = can("analyst")

st.title("Загрузка данных")
st.caption("Принимаются: реестр страниц (шаблон xlsx/csv) и выгрузка «Госпаблики»; ВКонтакте — JSON wall.get, "
           "wall.getComments, groups.getById; Telegram Desktop — result.json канала и его группы обсуждения; "
           "Одноклассники — JSON mediatopic; шаблон активности (xlsx/csv). Формат определяется по содержимому. "
           "Файл с ошибками не записывается целиком; повторная загрузка того же файла ничего не меняет.")
upload_tab, batches_tab, pending_tab, coverage_tab = st.tabs(
    ["Загрузить", "Пакеты загрузки", "Страницы вне реестра", "Покрытие данными"])

with upload_tab:
    if not analyst:
        st.warning("Загрузка доступна аналитикам ЦУР и администраторам.")
    else:
        _shared.russian_file_uploader(MAX_UPLOAD_BYTES // (1024 * 1024))
        with st.form("upload_form", clear_on_submit=True):
            files = st.file_uploader("Файлы", accept_multiple_files=True, key="upload_files",
                                     type=["xlsx", "csv", "json"])
            left, middle, right = st.columns([1, 1, 2])
            as_of = left.date_input("Сведения на (необязательно)", value=None, format="DD.MM.YYYY",
                                    key="upload_as_of", max_value=local_today(),
                                    help="Когда сняты счётчики выгрузки. Если не указано — на момент самой поздней "
                                         "записи файла (реестр — на сегодня). Из нескольких выгрузок одной записи "
                                         "действуют сведения на более позднюю дату, в каком бы порядке их ни "
                                         "загружали.")
            period = middle.date_input("Период выгрузки (необязательно)", value=(), format="DD.MM.YYYY",
                                       key="upload_period", max_value=local_today(),
                                       help="Дни, за которые сделана выгрузка. Если не указан — от первой до "
                                            "последней записи файла. Недели вне периода считаются «нет данных»; "
                                            "страница файла без публикаций за указанный период — «0 публикаций».")
            page_labels = page_choices(_data.registry_view().pages)
            assigned = right.selectbox("Страница реестра (для выгрузки без страницы)", list(page_labels),
                                       index=None, format_func=page_labels.get, key="upload_page",
                                       placeholder="определяется по файлу",
                                       help="Пустая выгрузка (например, стена wall.get без записей) не называет "
                                            "страницу: укажите её здесь и период выгрузки — файл подтвердит, что "
                                            "публикаций за период не было. Файл должен быть один.")
            submitted = st.form_submit_button("Загрузить", type="primary")
        if submitted and files and assigned is not None and len(files) > 1:
            st.error("Страницу реестра указывают для одного файла: загрузите файлы для разных страниц по отдельности.")
        elif submitted and files:
            progress = st.progress(0.0, text="Загрузка…")
            reports = []
            span = upload_period(period)
            for index, upload in enumerate(files, start=1):
                def stage(name: str, index: int = index, upload=upload) -> None:
                    fraction, text = stage_progress(name, index, len(files), upload.name)
                    progress.progress(fraction, text=text)
                try:
                    reports.append(ingest_bytes(_data.engine(), upload.getvalue(), upload.name,
                                                user=current_user(), as_of=as_of, period=span,
                                                page=None if assigned is None else int(assigned), progress=stage))
                except LoadError as error:
                    reports.append(error_report(upload.name, error))
            st.session_state["upload_reports"] = reports
            progress.empty()
            if any(r.get("batch_id") is not None for r in reports):
                _quarters.refresh_ratings()  # the quarters the files changed, computed again in the background
        _quarters.refresh_status()
    for report in st.session_state.get("upload_reports", []):
        show_report(report)

with batches_tab:
    batches = _data.batches()
    if batches.is_empty():
        _shared.empty_state("Пока ничего не загружено.")
    else:
        shown = batches_view(batches, str(region_tz()))
        st.dataframe(shown.table,
            hide_index=True, width="stretch", height=420,
            column_config={"batch_id": "№", "filename": "Файл", "format": "Формат",
                           "period_from": st.column_config.TextColumn("Период с"),
                           "period_to": st.column_config.TextColumn("по"),
                           "as_of": st.column_config.DateColumn("Сведения на", format="DD.MM.YYYY"),
                           "uploaded_at": st.column_config.DatetimeColumn("Загружен", format="DD.MM.YYYY HH:mm"),
                           "uploaded_by": "Кем", "status": "Состояние"})
        names = shown.active
        if analyst and names:
            with st.form("upload_revert"):
                chosen = st.selectbox("Отменить пакет", list(names), format_func=lambda b: f"№ {b} — {names[b]}")
                sure = st.checkbox("Понимаю: данные пакета перестанут учитываться, вернутся данные, которые он заменил "
                                   "(пакет реестра возвращает владельцев и страницы к состоянию до загрузки)")
                if st.form_submit_button("Отменить пакет") and sure:
                    try:
                        st.success(plain(revert_batch(_data.engine(), chosen, current_user())["message"]) + ".")
                        _quarters.refresh_ratings()
                    except LoadError as error:
                        st.error(plain(str(error)))

with pending_tab:
    pending = _data.unregistered_pages()
    if not pending:
        _shared.empty_state("Все страницы из загруженных выгрузок найдены в реестре.")
    for page in pending:
        with st.container(border=True):
            st.markdown(f"**{plain(page['title'] or page['page_key'])}** · {PLATFORM_LABELS.get(page['platform'], '')} · ID "
                        f"{plain(page['platform_id'])}")
            options = link_choices(page["suggestions"])
            if analyst and options:
                target = st.selectbox("Это страница реестра", list(options), format_func=options.get,
                                      key=f"upload_link_{page['page_id']}")
                if st.button("Связать", key=f"upload_link_button_{page['page_id']}"):
                    link_page(_data.engine(), page["page_id"], target, current_user())
                    _quarters.refresh_ratings()
                    st.rerun()
            elif not options:
                st.caption("Похожих страниц в реестре нет: добавьте страницу в реестр с «ID на платформе» "
                           f"{plain(page['platform_id'])} — данные привяжутся при загрузке реестра.")

with coverage_tab:
    flt = _shared.filters()
    kind = st.radio("Данные", ["posts", "comments"], horizontal=True, key="upload_coverage_kind",
                    format_func={"posts": "публикации", "comments": "комментарии"}.get)
    coverage = coverage_view(_data.registry_view().pages, _data.month_coverage(kind, *coverage_period(local_today())),
                             flt.kinds, flt.body, flt.platforms)
    st.caption("Доля дней месяца, за которые загружены данные страницы. 0 % — «нет данных», а не «0 публикаций».")
    st.dataframe(coverage.table, hide_index=True, width="stretch", height=520,
                 column_config={"owner_name": "Владелец", "platform_label": "Платформа"} | {
                     m: st.column_config.ProgressColumn(m, min_value=0, max_value=1, format="percent")
                     for m in coverage.months})
