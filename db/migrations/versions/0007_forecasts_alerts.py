"""forecasts and alerts: forecast_run, forecast_row, reorder_suggestion, inventory_alert,
stock_transfer, staff_member; supplier.min_order_cents

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

- forecast_run / forecast_row: the nightly forecast (run date, horizon, strategy and model
  counts) and its rows per SKU x branch x week (mean, p10, p50, p90, the series' model).
- reorder_suggestion: a purchase the policy suggests to a supplier for a branch (lines as
  JSON), open until confirmed into a purchase order, dismissed or superseded.
- inventory_alert: crítico/alto/medio/sobreinventario/antigüedad/oportunidad with a
  de-duplication key (urgency:sku:branch) and a state (open, acknowledged, resolved).
- stock_transfer: units moved between branches (requested, in_transit, received, cancelled).
- staff_member: who gets a branch's alerts and by which channel.
- supplier.min_order_cents: the supplier's minimum order value (0 = none).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('forecast_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_date', sa.Date(), nullable=False),
    sa.Column('horizon_weeks', sa.Integer(), nullable=False),
    sa.Column('freq', sa.String(length=4), nullable=False),
    sa.Column('series', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.JSON(), nullable=False),
    sa.Column('model_counts', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_run_run_date'), ['run_date'], unique=False)

    op.create_table('forecast_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('p10', sa.Float(), nullable=False),
    sa.Column('p50', sa.Float(), nullable=False),
    sa.Column('p90', sa.Float(), nullable=False),
    sa.Column('model', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_row_run_id'), ['run_id'], unique=False)
        batch_op.create_index('ix_forecast_row_run_product', ['run_id', 'product_id'], unique=False)

    op.create_table('inventory_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedup_key', sa.String(length=120), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=14), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=80), nullable=True),
    sa.Column('acknowledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inventory_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_alert_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_alert_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_inventory_alert_key_state', ['dedup_key', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_alert_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_alert_urgency'), ['urgency'], unique=False)

    op.create_table('staff_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('notify_channel', sa.String(length=12), nullable=False),
    sa.Column('receives_alerts', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_member_branch_id'), ['branch_id'], unique=False)

    op.create_table('stock_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('folio', sa.String(length=16), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('from_branch_id', sa.Integer(), nullable=False),
    sa.Column('to_branch_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('shipped_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['from_branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.ForeignKeyConstraint(['to_branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('folio')
    )
    with op.batch_alter_table('stock_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_transfer_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_transfer_status'), ['status'], unique=False)

    op.create_table('reorder_suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('order_by', sa.Date(), nullable=False),
    sa.Column('arrives_on', sa.Date(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('savings_cents', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchaseorder.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reorder_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reorder_suggestion_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reorder_suggestion_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reorder_suggestion_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reorder_suggestion_supplier_id'), ['supplier_id'], unique=False)

    # Plain ADD COLUMN, not batch mode: recreating supplier on SQLite would break the rows
    # that reference it.
    op.add_column('supplier', sa.Column('min_order_cents', sa.Integer(), nullable=False, server_default='0'))



def downgrade() -> None:
    op.drop_column('supplier', 'min_order_cents')  # plain DROP COLUMN (SQLite 3.35+)

    with op.batch_alter_table('reorder_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reorder_suggestion_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_reorder_suggestion_status'))
        batch_op.drop_index(batch_op.f('ix_reorder_suggestion_run_id'))
        batch_op.drop_index(batch_op.f('ix_reorder_suggestion_branch_id'))

    op.drop_table('reorder_suggestion')
    with op.batch_alter_table('stock_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_transfer_status'))
        batch_op.drop_index(batch_op.f('ix_stock_transfer_product_id'))

    op.drop_table('stock_transfer')
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_member_branch_id'))

    op.drop_table('staff_member')
    with op.batch_alter_table('inventory_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_alert_urgency'))
        batch_op.drop_index(batch_op.f('ix_inventory_alert_state'))
        batch_op.drop_index('ix_inventory_alert_key_state')
        batch_op.drop_index(batch_op.f('ix_inventory_alert_created_at'))
        batch_op.drop_index(batch_op.f('ix_inventory_alert_branch_id'))

    op.drop_table('inventory_alert')
    with op.batch_alter_table('forecast_row', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_row_run_product')
        batch_op.drop_index(batch_op.f('ix_forecast_row_run_id'))

    op.drop_table('forecast_row')
    with op.batch_alter_table('forecast_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_run_run_date'))

    op.drop_table('forecast_run')
