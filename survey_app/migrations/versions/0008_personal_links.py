"""personal links: when an organiser withdrew one

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
