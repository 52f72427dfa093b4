"""a round consults a frozen version or a snapshot of its set (round.version_id, round_item)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("round") as batch:
        batch.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_round_version_id", "proposal_version", ["version_id"], ["id"])
        batch.create_index("ix_round_version_id", ["version_id"])
    op.create_table(
        "round_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("help", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["framework_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "item_id", name="uq_round_item"),
    )
    op.create_index("ix_round_item_round_id", "round_item", ["round_id"])
    # Rounds opened before: their indicators are frozen now, as the set holds them today.
    op.execute(
        "INSERT INTO round_item (round_id, item_id, framework, code, title, help, position) "
        "SELECT r.id, i.id, f.key, i.code, i.title, '', i.position "
        "FROM round r JOIN set_member m ON m.set_id = r.set_id AND m.lock <> 'out' "
        "JOIN framework_item i ON i.id = m.item_id JOIN framework f ON f.id = i.framework_id"
    )


def downgrade() -> None:
    op.drop_index("ix_round_item_round_id", table_name="round_item")
    op.drop_table("round_item")
    with op.batch_alter_table("round") as batch:
        batch.drop_index("ix_round_version_id")
        batch.drop_constraint("fk_round_version_id", type_="foreignkey")
        batch.drop_column("version_id")
