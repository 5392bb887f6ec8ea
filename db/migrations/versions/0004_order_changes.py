"""order changes in chat: branch facts, fulfilment columns, payments received, invoices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

- branch.is_main and branch.area_codes: branch facts that were constants in code.
- orders.fulfillment_day / _window / _address: the pickup or home-visit choice (not in notes).
- orders.paid_cents: payments received. Before this revision a payment was only a status, so
  orders already paid or beyond are taken as paid in full (minus nothing: no partial payments
  were recorded anywhere), and reserved orders whose deposit link was paid get that amount.
- payment_link.purpose: deposit or balance.
- order_invoice: CFDI 4.0 receiver data per order.
- lead.kind and lead.order_id: why a conversation went to a person (HandoffReason), and the
  order it is about (a refund).
- customer.erp_customer_id: the customer's id in an external store of record (RestErp).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The facts of the demo branches (what tools/sales.py and domain/geo.py used to hard-code).
BRANCH_FACTS = {"CDMX": (True, ["55", "56"]), "GDL": (False, ["33"]), "MTY": (False, ["81"])}
PAID_OR_BEYOND = ("paid", "ready_for_pickup", "out_for_delivery", "delivered", "returned")


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch recreates the table, and dropping
    # branch or orders (which other rows reference) fails with foreign keys on.
    op.add_column('branch', sa.Column('is_main', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('branch', sa.Column('area_codes', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('orders', sa.Column('fulfillment_day', sa.Date(), nullable=True))
    op.add_column('orders', sa.Column('fulfillment_window', sa.String(length=12), nullable=True))
    op.add_column('orders', sa.Column('fulfillment_address', sa.String(length=200), nullable=True))
    op.add_column('orders', sa.Column('paid_cents', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('payment_link', sa.Column('purpose', sa.String(length=12), nullable=False, server_default='deposit'))
    op.add_column('customer', sa.Column('erp_customer_id', sa.Integer(), nullable=True))
    op.add_column('lead', sa.Column('kind', sa.String(length=20), nullable=False, server_default='other'))
    op.create_index(op.f('ix_lead_kind'), 'lead', ['kind'], unique=False)
    # lead is referenced by nothing, so a batch (a recreated table on SQLite) is safe here.
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_lead_order_id', 'orders', ['order_id'], ['id'])

    op.create_table('order_invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('name', sa.String(length=254), nullable=False),
    sa.Column('regime', sa.String(length=3), nullable=False),
    sa.Column('use', sa.String(length=4), nullable=False),
    sa.Column('zip_code', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_invoice_order_id'), ['order_id'], unique=True)

    # Data: branch facts, and what was paid before payments were recorded.
    branch = sa.table('branch', sa.column('code', sa.String), sa.column('is_main', sa.Boolean),
                      sa.column('area_codes', sa.JSON))
    for code, (is_main, area_codes) in BRANCH_FACTS.items():
        op.execute(branch.update().where(branch.c.code == code)
                   .values(is_main=is_main, area_codes=area_codes))
    orders = sa.table('orders', sa.column('id', sa.Integer), sa.column('status', sa.String),
                      sa.column('total_cents', sa.Integer), sa.column('paid_cents', sa.Integer))
    link = sa.table('payment_link', sa.column('order_id', sa.Integer), sa.column('status', sa.String),
                    sa.column('amount_cents', sa.Integer))
    paid_links = (sa.select(sa.func.coalesce(sa.func.sum(link.c.amount_cents), 0))
                  .where(link.c.order_id == orders.c.id, link.c.status == 'paid')
                  .scalar_subquery())
    op.execute(orders.update().values(paid_cents=paid_links))
    op.execute(orders.update()
               .where(orders.c.status.in_(PAID_OR_BEYOND), orders.c.paid_cents == 0)
               .values(paid_cents=orders.c.total_cents))


def downgrade() -> None:
    with op.batch_alter_table('order_invoice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_invoice_order_id'))
    op.drop_table('order_invoice')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_constraint('fk_lead_order_id', type_='foreignkey')
        batch_op.drop_column('order_id')
    op.drop_index(op.f('ix_lead_kind'), table_name='lead')
    # Plain DROP COLUMN (SQLite 3.35+): recreating branch or orders would break their references.
    op.drop_column('lead', 'kind')
    op.drop_column('customer', 'erp_customer_id')
    op.drop_column('payment_link', 'purpose')
    for column in ('paid_cents', 'fulfillment_address', 'fulfillment_window', 'fulfillment_day'):
        op.drop_column('orders', column)
    op.drop_column('branch', 'area_codes')
    op.drop_column('branch', 'is_main')
