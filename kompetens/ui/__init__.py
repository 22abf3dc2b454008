"""Streamlit-aware helpers shared by the app frame and the pages (no SQL, no Polars logic)."""
