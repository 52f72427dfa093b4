"""comments on the disaggregation strategy of a version (comment.target_kind)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every earlier comment is about an indicator, an objective or the set, as before: "".
    with op.batch_alter_table("comment") as batch:
        batch.add_column(sa.Column("target_kind", sa.String(length=20), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("comment") as batch:
        batch.drop_column("target_kind")
