"""Bytes in, validated Polars frames in the canonical schema out; one module per format. No Streamlit."""
