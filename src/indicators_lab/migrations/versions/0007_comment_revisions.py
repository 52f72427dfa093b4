"""comments keep their earlier texts

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stance", sa.String(length=10), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_revision_comment_id", "comment_revision", ["comment_id"])


def downgrade() -> None:
    op.drop_index("ix_comment_revision_comment_id", table_name="comment_revision")
    op.drop_table("comment_revision")
