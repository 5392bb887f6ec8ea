"""technician support cases: support_case, case_event, technician

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

- support_case: a customer's tire problem escalated to a technician (number CS-000123, the
  conversation it came from, vehicle, folio/SKU/DOT, symptoms, diagnosis codes, knowledge-base
  chunks shown, transcript, priority and SLA, status, assignee, resolution, satisfaction).
- case_event: the case's trail (customer messages, comments, status changes, replies, survey).
- technician: who is told about new cases (contact, channel, on duty), keyed by API key prefix.
New tables only: nothing existing is altered, so SQLite needs no table copies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('technician',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_prefix', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('notify_channel', sa.String(length=12), nullable=False),
    sa.Column('on_duty', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('technician', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technician_key_prefix'), ['key_prefix'], unique=True)

    op.create_table('support_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('customer_phone', sa.String(length=16), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('problem_kind', sa.String(length=30), nullable=False),
    sa.Column('problem_codes', sa.JSON(), nullable=False),
    sa.Column('diagnosis_summary', sa.Text(), nullable=False),
    sa.Column('symptoms', sa.Text(), nullable=False),
    sa.Column('vehicle', sa.String(length=120), nullable=True),
    sa.Column('order_folio', sa.String(length=16), nullable=True),
    sa.Column('sku', sa.String(length=40), nullable=True),
    sa.Column('dot', sa.String(length=20), nullable=True),
    sa.Column('kb_chunk_ids', sa.JSON(), nullable=False),
    sa.Column('transcript', sa.JSON(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('sla_due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignee', sa.String(length=16), nullable=True),
    sa.Column('assignee_name', sa.String(length=80), nullable=True),
    sa.Column('resolution_code', sa.String(length=30), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('satisfaction_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_case_assignee'), ['assignee'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_customer_phone'), ['customer_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_number'), ['number'], unique=True)
        batch_op.create_index(batch_op.f('ix_support_case_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_problem_kind'), ['problem_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_status'), ['status'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('in_conversation', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], ),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('support_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_case_status'))
        batch_op.drop_index(batch_op.f('ix_support_case_session_id'))
        batch_op.drop_index(batch_op.f('ix_support_case_problem_kind'))
        batch_op.drop_index(batch_op.f('ix_support_case_priority'))
        batch_op.drop_index(batch_op.f('ix_support_case_number'))
        batch_op.drop_index(batch_op.f('ix_support_case_customer_phone'))
        batch_op.drop_index(batch_op.f('ix_support_case_customer_id'))
        batch_op.drop_index(batch_op.f('ix_support_case_created_at'))
        batch_op.drop_index(batch_op.f('ix_support_case_assignee'))

    op.drop_table('support_case')
    with op.batch_alter_table('technician', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technician_key_prefix'))

    op.drop_table('technician')
