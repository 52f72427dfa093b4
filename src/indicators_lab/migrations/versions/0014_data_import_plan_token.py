"""one data import per checked plan (data_import.plan_token, unique)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Earlier imports have no token (NULL): unique indexes allow any number of NULLs.
    with op.batch_alter_table("data_import") as batch:
        batch.add_column(sa.Column("plan_token", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_data_import_plan_token"), ["plan_token"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("data_import") as batch:
        batch.drop_index(batch.f("ix_data_import_plan_token"))
        batch.drop_column("plan_token")
