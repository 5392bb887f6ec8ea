"""appointments: service_bay, appointment

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

- service_bay: how many bays a branch has per service (alineación, balanceo, rotación,
  instalación, inspección de garantía): the capacity of one slot of that service.
- appointment: a customer's booking (number CT-000123, branch, service, start and end, status,
  vehicle, the conversation it came from, the day-before reminder's outbox row).
New tables only: nothing existing is altered, so SQLite needs no table copies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_bay',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=24), nullable=False),
    sa.Column('bays', sa.Integer(), nullable=False),
    sa.CheckConstraint('bays >= 0', name='ck_service_bay_bays'),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'service', name='uq_service_bay_branch_service')
    )
    with op.batch_alter_table('service_bay', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_bay_branch_id'), ['branch_id'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=24), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('vehicle', sa.String(length=120), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=True),
    sa.Column('reminder_outbox_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['reminder_outbox_id'], ['outbox.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_number'), ['number'], unique=True)
        batch_op.create_index('ix_appointment_slot', ['branch_id', 'service', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_status'))
        batch_op.drop_index(batch_op.f('ix_appointment_starts_at'))
        batch_op.drop_index('ix_appointment_slot')
        batch_op.drop_index(batch_op.f('ix_appointment_number'))
        batch_op.drop_index(batch_op.f('ix_appointment_customer_id'))

    op.drop_table('appointment')
    with op.batch_alter_table('service_bay', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_bay_branch_id'))

    op.drop_table('service_bay')
