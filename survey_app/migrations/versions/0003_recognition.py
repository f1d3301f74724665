"""recognition: rates, lines, finance returns, budgets, payee details

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 12:39:56.332223

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('finance_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=True),
    sa.Column('cost_code', sa.String(length=40), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['made_by_id'], ['staff_user.id'], name=op.f('fk_finance_return_made_by_id_staff_user')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['staff_user.id'], name=op.f('fk_finance_return_paid_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finance_return')),
    sa.UniqueConstraint('number', name=op.f('uq_finance_return_number'))
    )
    op.create_table('budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('year_starting', sa.Date(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['coproduction_group.id'], name=op.f('fk_budget_group_id_coproduction_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget')),
    sa.UniqueConstraint('group_id', 'year_starting', name=op.f('uq_budget_group_id'))
    )
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_group_id'), ['group_id'], unique=False)

    op.create_table('rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.Column('hourly_pence', sa.Integer(), nullable=False),
    sa.Column('half_day_pence', sa.Integer(), nullable=False),
    sa.Column('day_pence', sa.Integer(), nullable=False),
    sa.Column('mileage_pence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['coproduction_group.id'], name=op.f('fk_rate_group_id_coproduction_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate')),
    sa.UniqueConstraint('group_id', 'applies_from', name=op.f('uq_rate_group_id'))
    )
    with op.batch_alter_table('rate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_group_id'), ['group_id'], unique=False)

    op.create_table('recognition_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('activity_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('payment', 'voucher', 'thanks', 'expense', name='recognitionkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('basis', sa.Enum('hours', 'half_day', 'day', name='paymentbasis', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('hours_hundredths', sa.Integer(), nullable=True),
    sa.Column('rate_pence', sa.Integer(), nullable=True),
    sa.Column('miles_tenths', sa.Integer(), nullable=True),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('taxable', sa.Boolean(), nullable=False),
    sa.Column('voucher_provider', sa.String(length=100), nullable=False),
    sa.Column('voucher_serial', sa.String(length=100), nullable=False),
    sa.Column('voucher_handed_over_on', sa.Date(), nullable=True),
    sa.Column('voucher_signed_for', sa.Boolean(), nullable=False),
    sa.Column('thanks_type', sa.Enum('letter', 'certificate', 'mention', 'none_wanted', name='thankstype', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('expense_type', sa.Enum('fares', 'mileage', 'carer', 'childcare', 'other', name='expensetype', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('receipt_seen', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cost_code', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('recorded', 'approved', 'in_return', 'paid', name='linestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_id', sa.Integer(), nullable=True),
    sa.Column('line_number', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['staff_user.id'], name=op.f('fk_recognition_line_approved_by_id_staff_user')),
    sa.ForeignKeyConstraint(['group_id'], ['coproduction_group.id'], name=op.f('fk_recognition_line_group_id_coproduction_group')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_recognition_line_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_recognition_line_person_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_recognition_line_recorded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['return_id'], ['finance_return.id'], name=op.f('fk_recognition_line_return_id_finance_return')),
    sa.ForeignKeyConstraint(['reverses_id'], ['recognition_line.id'], name=op.f('fk_recognition_line_reverses_id_recognition_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognition_line')),
    sa.UniqueConstraint('return_id', 'line_number', name=op.f('uq_recognition_line_return_id'))
    )
    with op.batch_alter_table('recognition_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_line_activity_on'), ['activity_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_line_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_line_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_line_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_line_return_id'), ['return_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recognition_line_status'), ['status'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recognition_preference', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('benefits_check', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('benefits_talked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('benefits_talked_by', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('payee_ref', sa.String(length=40), server_default='', nullable=False))




def downgrade():

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('payee_ref')
        batch_op.drop_column('benefits_talked_by')
        batch_op.drop_column('benefits_talked_on')
        batch_op.drop_column('benefits_check')
        batch_op.drop_column('recognition_preference')

    with op.batch_alter_table('recognition_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_line_status'))
        batch_op.drop_index(batch_op.f('ix_recognition_line_return_id'))
        batch_op.drop_index(batch_op.f('ix_recognition_line_person_id'))
        batch_op.drop_index(batch_op.f('ix_recognition_line_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_recognition_line_group_id'))
        batch_op.drop_index(batch_op.f('ix_recognition_line_activity_on'))

    op.drop_table('recognition_line')
    with op.batch_alter_table('rate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_group_id'))

    op.drop_table('rate')
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_group_id'))

    op.drop_table('budget')
    op.drop_table('finance_return')

