"""imported data extracts and their figures per indicator

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("layout", sa.String(length=40), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_used", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "data_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("areas_any", sa.Integer(), nullable=False),
        sa.Column("areas_since_2015", sa.Integer(), nullable=False),
        sa.Column("areas_two_years", sa.Integer(), nullable=False),
        sa.Column("median_latest_year", sa.Float(), nullable=True),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("series", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["data_import.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["framework_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_id", "item_id", name="uq_data_figure_import_item"),
    )
    op.create_index("ix_data_figure_import_id", "data_figure", ["import_id"])
    op.create_index("ix_data_figure_item_id", "data_figure", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_data_figure_item_id", table_name="data_figure")
    op.drop_index("ix_data_figure_import_id", table_name="data_figure")
    op.drop_table("data_figure")
    op.drop_table("data_import")
