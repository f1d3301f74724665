"""insight: votes, actions, updates, meeting notes, voices, champions, suggestion triage

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:59:47.350889

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('person_voice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('voice', sa.Enum('living_alone', 'supported_housing', 'secure_ward', 'commissioning', 'housing', 'education', 'service_manager', 'care_staff', 'faith_group', 'voluntary_sector', 'carer', 'self_advocacy', name='voice', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_voice_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_voice')),
    sa.UniqueConstraint('person_id', 'voice', name=op.f('uq_person_voice_person_id'))
    )
    with op.batch_alter_table('person_voice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_voice_person_id'), ['person_id'], unique=False)

    op.create_table('meeting_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_note_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['written_by_id'], ['staff_user.id'], name=op.f('fk_meeting_note_written_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_note')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_meeting_note_meeting_id'))
    )
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('suggestion_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'not_going_ahead', name='actionstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_action_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['group_id'], ['coproduction_group.id'], name=op.f('fk_action_group_id_coproduction_group')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_action_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisation.id'], name=op.f('fk_action_owner_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], name=op.f('fk_action_suggestion_id_suggestion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_due_on'), ['due_on'], unique=False)
        batch_op.create_index('ix_action_group_status', ['group_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owner_organisation_id'), ['owner_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_suggestion_id'), ['suggestion_id'], unique=False)

    op.create_table('suggestion_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_suggestion_vote_person_id_person')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], name=op.f('fk_suggestion_vote_suggestion_id_suggestion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_vote')),
    sa.UniqueConstraint('suggestion_id', 'person_id', name=op.f('uq_suggestion_vote_suggestion_id'))
    )
    with op.batch_alter_table('suggestion_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_vote_suggestion_id'), ['suggestion_id'], unique=False)

    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_update_action_id_action')),
    sa.ForeignKeyConstraint(['by_id'], ['staff_user.id'], name=op.f('fk_action_update_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_update_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_champion', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_champion', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_staff_user_organisation_id_organisation'), 'organisation', ['organisation_id'], ['id'])

    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('triaged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_suggestion_triaged_by_id_staff_user'), 'staff_user', ['triaged_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_suggestion_planned_meeting_id_meeting'), 'meeting', ['planned_meeting_id'], ['id'])




def downgrade():

    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_suggestion_planned_meeting_id_meeting'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_suggestion_triaged_by_id_staff_user'), type_='foreignkey')
        batch_op.drop_column('triaged_at')
        batch_op.drop_column('triaged_by_id')
        batch_op.drop_column('planned_meeting_id')

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_user_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_column('is_champion')
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('is_champion')

    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_update_action_id'))

    op.drop_table('action_update')
    with op.batch_alter_table('suggestion_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_vote_suggestion_id'))

    op.drop_table('suggestion_vote')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_suggestion_id'))
        batch_op.drop_index(batch_op.f('ix_action_owner_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_action_meeting_id'))
        batch_op.drop_index('ix_action_group_status')
        batch_op.drop_index(batch_op.f('ix_action_due_on'))

    op.drop_table('action')
    op.drop_table('meeting_note')
    with op.batch_alter_table('person_voice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_voice_person_id'))

    op.drop_table('person_voice')

