"""vote visit: a door vote remembers which visit to the tablet made it, so one visit votes once per suggestion

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestion_vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_suggestion_vote_visit', ['suggestion_id', 'visit'])


def downgrade():
    with op.batch_alter_table('suggestion_vote', schema=None) as batch_op:
        batch_op.drop_constraint('uq_suggestion_vote_visit', type_='unique')
        batch_op.drop_column('visit')
