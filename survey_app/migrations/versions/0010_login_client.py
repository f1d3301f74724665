"""login client: each sign-in attempt keeps an HMAC of the client address, so a right password makes that
address one of the account's usual ones (survey_app/throttle.py)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_column('client')
