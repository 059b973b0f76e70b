"""Excel workbooks and Plotly figures: frames in, bytes / go.Figure out. No Streamlit, no database."""
