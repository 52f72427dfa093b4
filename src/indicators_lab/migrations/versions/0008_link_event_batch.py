"""link_event.batch: the links of one bulk accept share a batch id (undo of the whole batch)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_event") as batch:
        batch.add_column(sa.Column("batch", sa.String(length=40), nullable=True))
        batch.create_index(batch.f("ix_link_event_batch"), ["batch"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_event") as batch:
        batch.drop_index(batch.f("ix_link_event_batch"))
        batch.drop_column("batch")
