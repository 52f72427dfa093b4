"""official responses keep their history

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responder", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_response_revision_comment_id", "response_revision", ["comment_id"])
    # The answers given before history was kept become each comment's first revision.
    op.execute(
        "INSERT INTO response_revision (comment_id, disposition, text, responder, at) "
        "SELECT comment_id, disposition, text, responder, at FROM response"
    )


def downgrade() -> None:
    op.drop_index("ix_response_revision_comment_id", table_name="response_revision")
    op.drop_table("response_revision")
