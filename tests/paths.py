"""Where the checkout is, for tests that read app.py, views/ or ../shared/."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
