"""The only Streamlit-importing code outside app.py and views/."""
