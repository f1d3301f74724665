"""need arrangements per meeting

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 13:03:10.151218

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('need_arrangement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('arranged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('arranged_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['arranged_by_id'], ['staff_user.id'], name=op.f('fk_need_arrangement_arranged_by_id_staff_user')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_need_arrangement_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['need_id'], ['access_need.id'], name=op.f('fk_need_arrangement_need_id_access_need')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_arrangement')),
    sa.UniqueConstraint('need_id', 'meeting_id', name=op.f('uq_need_arrangement_need_id'))
    )
    with op.batch_alter_table('need_arrangement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_arrangement_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_arrangement_need_id'), ['need_id'], unique=False)




def downgrade():

    with op.batch_alter_table('need_arrangement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_arrangement_need_id'))
        batch_op.drop_index(batch_op.f('ix_need_arrangement_meeting_id'))

    op.drop_table('need_arrangement')

