"""group contact: who people invited to a group's meetings can ask for help (name, phone, email), shown on
their personal-link pages (issue 14, point 11)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coproduction_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('coproduction_group', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_name')
