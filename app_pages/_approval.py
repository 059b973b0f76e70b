"""Approval of a quarter's rating on «Рейтинг» (methodology.md §6): offered only for an ended quarter with data;
the gaps in the data are listed and must be acknowledged; an admin can withdraw an approval with a reason."""
import streamlit as st

from app_pages import _data
from app_pages._auth import can, current_user


def _gaps_list(gaps: dict) -> str:
    lines = [f"- страниц без оценки: **{gaps['pages_not_rated']}**",
             f"- недель страниц без данных: **{gaps['page_weeks_no_data']}**",
             f"- недель страниц с неполными данными: **{gaps['page_weeks_partial']}**",
             f"- владельцев без оценки (без места в рейтинге): **{gaps['owners_not_rated']}**"]
    return "\n".join(lines)


def controls(view, column) -> None:
    """The approve / withdraw buttons and their confirmations, by role and by the state of the quarter."""
    from services.quarters import ApprovalError, approval_gaps, approve, ends_on, unapprove
    quarter = view.quarter
    if view.approved:
        if can("admin") and column.button("Отозвать утверждение", icon=":material/undo:", key="rating_unapprove"):
            st.session_state["rating_unapprove_open"] = True
        if st.session_state.get("rating_unapprove_open"):
            with st.form("rating_unapprove_form"):
                reason = st.text_input("Причина отзыва (обязательно)", key="rating_unapprove_reason")
                yes, no = st.columns([1, 3])
                if yes.form_submit_button("Отозвать утверждение", type="primary"):
                    try:
                        unapprove(_data.engine(), quarter, current_user(), reason)
                    except ApprovalError as error:
                        st.error(str(error), icon=":material/error:")
                    else:
                        st.session_state["rating_unapprove_open"] = False
                        st.rerun()
                if no.form_submit_button("Отмена"):  # close the form, nothing withdrawn
                    st.session_state["rating_unapprove_open"] = False
                    st.rerun()
        return
    if not can("analyst"):
        return
    if not view.ended:
        column.caption(f"Утвердить рейтинг можно после окончания квартала — с {ends_on(quarter):%d.%m.%Y}.")
        return
    if not view.has_data:
        return
    if column.button("Утвердить рейтинг", icon=":material/verified:", key="rating_approve",
                     help="Зафиксировать результаты квартала: последующие загрузки их не изменят"):
        st.session_state["rating_confirm"] = True
    if not st.session_state.get("rating_confirm"):
        return
    gaps = approval_gaps(view.fresh)
    has_gaps = gaps["pages_not_rated"] or gaps["page_weeks_no_data"] or gaps["page_weeks_partial"]
    with st.container(border=True):
        st.markdown(f"**Утвердить рейтинг за {quarter.label}?** Утверждённый рейтинг не меняется при новых "
                    "загрузках.")
        accepted = True
        if has_gaps:
            st.markdown("Пробелы в данных квартала:\n" + _gaps_list(gaps))
            accepted = st.checkbox("Пробелы в данных просмотрены, утвердить рейтинг с ними", key="rating_accept_gaps")
        yes, no = st.columns([1, 6])
        if yes.button("Утвердить", type="primary", key="rating_confirm_yes", disabled=not accepted):
            try:
                approve(_data.engine(), quarter, current_user(), accept_gaps=bool(has_gaps and accepted))
            except ApprovalError as error:
                st.error(str(error), icon=":material/error:")
            else:
                st.session_state["rating_confirm"] = False
                st.rerun()
        if no.button("Отмена", key="rating_confirm_no"):
            st.session_state["rating_confirm"] = False
            st.rerun()
