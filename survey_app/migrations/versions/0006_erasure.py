"""erasure: when a person's details were erased, and until when their finance lines are kept

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('keep_until', sa.Date(), nullable=True))


def downgrade():

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('keep_until')
        batch_op.drop_column('erased_at')
