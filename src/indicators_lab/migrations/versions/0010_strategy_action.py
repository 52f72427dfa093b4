"""the disaggregation strategy's proposed actions, per proposal version

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("objective", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=140), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=300), nullable=False),
        sa.Column("by_when", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["proposal_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "objective", "item_key", name="uq_strategy_action"),
    )
    op.create_index("ix_strategy_action_version_id", "strategy_action", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_strategy_action_version_id", table_name="strategy_action")
    op.drop_table("strategy_action")
