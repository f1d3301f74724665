"""participation: access needs, suggestions, checklist, form tokens, invitations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:59:03.642136

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('form_token',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_token'))
    )
    with op.batch_alter_table('form_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_token_used_on'), ['used_on'], unique=False)

    op.create_table('access_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('step_free', 'hearing_loop', 'bsl', 'large_print', 'read_write_help', 'quiet_space', 'supporter', 'travel', 'food', 'other', name='needkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arranged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arranged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['arranged_by_id'], ['staff_user.id'], name=op.f('fk_access_need_arranged_by_id_staff_user')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_access_need_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_access_need_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_need'))
    )
    with op.batch_alter_table('access_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_need_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_access_need_person_meeting', ['person_id', 'meeting_id'], unique=False)

    op.create_table('checklist_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=False),
    sa.Column('achieved', sa.SmallInteger(), nullable=True),
    sa.Column('achieved_more', sa.Text(), nullable=False),
    sa.Column('outcomes', sa.Text(), nullable=False),
    sa.Column('feeling', sa.SmallInteger(), nullable=True),
    sa.Column('feeling_more', sa.Text(), nullable=False),
    sa.Column('inclusive', sa.SmallInteger(), nullable=True),
    sa.Column('inclusive_more', sa.Text(), nullable=False),
    sa.Column('accessible', sa.SmallInteger(), nullable=True),
    sa.Column('accessible_more', sa.Text(), nullable=False),
    sa.Column('payment_clear', sa.String(length=10), nullable=True),
    sa.Column('change', sa.Text(), nullable=False),
    sa.Column('here_as', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_checklist_response_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_response'))
    )
    with op.batch_alter_table('checklist_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_response_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_invitation_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invitation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('meeting_id', 'person_id', name=op.f('uq_invitation_meeting_id')),
    sa.UniqueConstraint('token', name=op.f('uq_invitation_token'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_person_id'), ['person_id'], unique=False)

    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('new', 'planned', 'covered', 'not_taken_forward', name='suggestionstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['coproduction_group.id'], name=op.f('fk_suggestion_group_id_coproduction_group')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_suggestion_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checklist_open', sa.Boolean(), server_default=sa.false(), nullable=False))




def downgrade():

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('checklist_open')

    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_group_id'))

    op.drop_table('suggestion')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_person_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_meeting_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('checklist_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_response_meeting_id'))

    op.drop_table('checklist_response')
    with op.batch_alter_table('access_need', schema=None) as batch_op:
        batch_op.drop_index('ix_access_need_person_meeting')
        batch_op.drop_index(batch_op.f('ix_access_need_meeting_id'))

    op.drop_table('access_need')
    with op.batch_alter_table('form_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_token_used_on'))

    op.drop_table('form_token')

