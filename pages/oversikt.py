import streamlit as st

from kompetens.ui.context import page_context

ctx = page_context()
st.title("oversikt")
st.write(ctx.filters)
