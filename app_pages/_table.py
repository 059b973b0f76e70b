"""One table on a screen: st.dataframe when there are rows, a Russian message when there are none — never
Streamlit's own English «empty» in an empty grid."""
import polars as pl
import streamlit as st


def table(frame: pl.DataFrame, empty_text: str, **kwargs) -> None:
    """`frame` as st.dataframe (`kwargs`: its arguments; hide_index by default), or `empty_text` as st.info."""
    if frame.is_empty():
        st.info(empty_text, icon=":material/info:")
        return
    st.dataframe(frame, **{"hide_index": True, **kwargs})
