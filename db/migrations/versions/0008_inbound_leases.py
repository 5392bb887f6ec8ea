"""inbound leases: inbound_message.turn_text, lease_owner, lease_until, attempts;
chat_session.dialogue

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

- inbound_message.turn_text: what the agents read, so another worker can run the turn again.
- inbound_message.lease_owner / lease_until: the worker running the turn and until when its
  renewed lease holds; an expired lease means the worker died (crash recovery).
- inbound_message.attempts: runs of the message (a poison message gets the trouble reply).
- chat_session.dialogue: the dialogue state as the last write tool committed it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): other rows reference both tables.
    op.add_column('inbound_message', sa.Column('turn_text', sa.Text(), nullable=True))
    op.add_column('inbound_message', sa.Column('lease_owner', sa.String(length=80), nullable=True))
    op.add_column('inbound_message', sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('inbound_message', sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
    op.create_index(op.f('ix_inbound_message_lease_until'), 'inbound_message', ['lease_until'], unique=False)
    op.add_column('chat_session', sa.Column('dialogue', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('chat_session', schema=None) as batch_op:
        batch_op.drop_column('dialogue')
    op.drop_index(op.f('ix_inbound_message_lease_until'), table_name='inbound_message')
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('turn_text')
