"""test personas and the anonymous chat's address

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29

- customer.is_test: test data (fictional demo customers, eval personas, customers an evaluator
  key created by speaking as an unknown phone). Evaluator keys may speak only as these.
- chat_session.client_ip: the address an anonymous web conversation started from, so unpaid
  anonymous reservations can be capped per address across conversations.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): other tables reference both, and SQLite would recreate them.
    op.add_column('customer', sa.Column('is_test', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('chat_session', sa.Column('client_ip', sa.String(length=45), nullable=True))
    op.create_index('ix_chat_session_client_ip', 'chat_session', ['client_ip'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_chat_session_client_ip', table_name='chat_session')
    # Plain DROP COLUMN (SQLite 3.35+): recreating customer would break its references.
    op.drop_column('chat_session', 'client_ip')
    op.drop_column('customer', 'is_test')
