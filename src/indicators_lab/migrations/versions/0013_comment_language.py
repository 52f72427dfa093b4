"""each comment's detected language; comments already stored are detected once here

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comment") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default=""))
    op.create_index("ix_comment_language", "comment", ["language"])
    from indicators_lab.consultation.languages import detect

    bind = op.get_bind()
    comment = sa.table("comment", sa.column("id", sa.Integer), sa.column("text", sa.Text),
                       sa.column("language", sa.String))
    rows = bind.execute(sa.select(comment.c.id, comment.c.text)).all()
    for start in range(0, len(rows), 1000):
        chunk = [{"cid": cid, "lang": detect(text)} for cid, text in rows[start:start + 1000]]
        bind.execute(comment.update().where(comment.c.id == sa.bindparam("cid"))
                     .values(language=sa.bindparam("lang")), chunk)


def downgrade() -> None:
    op.drop_index("ix_comment_language", table_name="comment")
    with op.batch_alter_table("comment") as batch:
        batch.drop_column("language")
