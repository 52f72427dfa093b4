"""ExCom views keep their history (excom_view_event); approval stores standing objections and
their acknowledgement

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "excom_view_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("objective", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("member", sa.String(length=200), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["proposal_version.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_excom_view_event_version_id", "excom_view_event", ["version_id"])
    # The views recorded before history was kept become the first entries of the record.
    op.execute(
        "INSERT INTO excom_view_event (version_id, objective, user_id, member, verdict, text, at) "
        "SELECT version_id, objective, user_id, member, verdict, text, at FROM excom_view ORDER BY id"
    )
    with op.batch_alter_table("proposal_version") as batch:
        batch.add_column(sa.Column("approval_objections", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("objections_acknowledgement", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("proposal_version") as batch:
        batch.drop_column("objections_acknowledgement")
        batch.drop_column("approval_objections")
    op.drop_index("ix_excom_view_event_version_id", table_name="excom_view_event")
    op.drop_table("excom_view_event")
