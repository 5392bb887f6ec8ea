"""sales roll-ups kept by triggers, outbox attachments, report_subscription.attach

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

- sales_branch_day (day x branch) and sales_product_month (month x product x branch): sums of
  sales_daily maintained by triggers on its inserts, updates and deletes, filled here from the
  rows already there. The dashboard's year view read a year of daily rows ~10 times (2.5 s).
- outbox_attachment: files sent with an outbox e-mail (scheduled reports).
- report_subscription.attach: pdf, xlsx or both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADD_DAY = (
    "INSERT INTO sales_branch_day (day, branch_id, units, revenue_cents) "
    "VALUES ({r}.day, {r}.branch_id, {r}.units, {r}.revenue_cents) "
    "ON CONFLICT (day, branch_id) DO UPDATE SET units = sales_branch_day.units + excluded.units, "
    "revenue_cents = sales_branch_day.revenue_cents + excluded.revenue_cents"
)
_ADD_MONTH = (
    "INSERT INTO sales_product_month (month, product_id, branch_id, units, revenue_cents) "
    "VALUES ({month}, {r}.product_id, {r}.branch_id, {r}.units, {r}.revenue_cents) "
    "ON CONFLICT (month, product_id, branch_id) DO UPDATE SET "
    "units = sales_product_month.units + excluded.units, "
    "revenue_cents = sales_product_month.revenue_cents + excluded.revenue_cents"
)
_SUB_DAY = (
    "UPDATE sales_branch_day SET units = units - {r}.units, "
    "revenue_cents = revenue_cents - {r}.revenue_cents "
    "WHERE day = {r}.day AND branch_id = {r}.branch_id"
)
_SUB_MONTH = (
    "UPDATE sales_product_month SET units = units - {r}.units, "
    "revenue_cents = revenue_cents - {r}.revenue_cents "
    "WHERE month = {month} AND product_id = {r}.product_id AND branch_id = {r}.branch_id"
)
# a roll-up row whose days were all deleted goes too, as its daily rows did (the sums reach 0
# first, so the look at sales_daily runs once per emptied row, not on every delete)
_DROP_EMPTY_DAY = (
    "DELETE FROM sales_branch_day WHERE day = {r}.day AND branch_id = {r}.branch_id "
    "AND units = 0 AND revenue_cents = 0 AND NOT EXISTS (SELECT 1 FROM sales_daily d "
    "WHERE d.day = {r}.day AND d.branch_id = {r}.branch_id)"
)
_DROP_EMPTY_MONTH = (
    "DELETE FROM sales_product_month WHERE month = {month} AND product_id = {r}.product_id "
    "AND branch_id = {r}.branch_id AND units = 0 AND revenue_cents = 0 "
    "AND NOT EXISTS (SELECT 1 FROM sales_daily d "
    "WHERE d.product_id = {r}.product_id AND d.branch_id = {r}.branch_id "
    "AND d.day >= {month} AND d.day < {next_month})"
)


def _sqlite_month(row: str) -> str:
    return f"date({row}.day, 'start of month')"


def _sqlite_next_month(row: str) -> str:
    return f"date({row}.day, 'start of month', '+1 month')"


def _pg_month(row: str) -> str:
    return f"CAST(date_trunc('month', {row}.day) AS date)"


def _pg_next_month(row: str) -> str:
    return f"CAST(date_trunc('month', {row}.day) + interval '1 month' AS date)"


def _statements(kind: str, row: str, pg: bool) -> list[str]:
    month = _pg_month(row) if pg else _sqlite_month(row)
    if kind == "add":
        return [_ADD_DAY.format(r=row), _ADD_MONTH.format(r=row, month=month)]
    following = _pg_next_month(row) if pg else _sqlite_next_month(row)
    return [
        _SUB_DAY.format(r=row), _SUB_MONTH.format(r=row, month=month),
        _DROP_EMPTY_DAY.format(r=row),
        _DROP_EMPTY_MONTH.format(r=row, month=month, next_month=following),
    ]  # fmt: skip


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        old = ";\n    ".join(_statements("sub", "OLD", pg=True))
        new = ";\n    ".join(_statements("add", "NEW", pg=True))
        op.execute(
            "CREATE FUNCTION sales_daily_rollup() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n    {old};\n  END IF;\n"
            f"  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n    {new};\n  END IF;\n"
            "  RETURN NULL;\nEND $$"
        )
        op.execute(
            "CREATE TRIGGER sales_daily_rollup AFTER INSERT OR UPDATE OR DELETE ON sales_daily "
            "FOR EACH ROW EXECUTE FUNCTION sales_daily_rollup()"
        )
        return
    for name, parts in (
        ("insert", _statements("add", "NEW", pg=False)),
        ("delete", _statements("sub", "OLD", pg=False)),
        ("update", _statements("sub", "OLD", pg=False) + _statements("add", "NEW", pg=False)),
    ):  # fmt: skip
        body = ";\n  ".join(parts)
        op.execute(
            f"CREATE TRIGGER sales_daily_rollup_{name} AFTER {name.upper()} ON sales_daily "
            f"BEGIN\n  {body};\nEND"
        )


def _backfill() -> None:
    month = (
        _pg_month("sales_daily") if op.get_bind().dialect.name == "postgresql"
        else _sqlite_month("sales_daily")
    )  # fmt: skip
    op.execute(
        "INSERT INTO sales_branch_day (day, branch_id, units, revenue_cents) "
        "SELECT day, branch_id, sum(units), sum(revenue_cents) FROM sales_daily "
        "GROUP BY day, branch_id"
    )
    op.execute(
        "INSERT INTO sales_product_month (month, product_id, branch_id, units, revenue_cents) "
        f"SELECT {month}, product_id, branch_id, sum(units), sum(revenue_cents) "
        f"FROM sales_daily GROUP BY {month}, product_id, branch_id"
    )


def upgrade() -> None:
    op.create_table('sales_branch_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('revenue_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('day', 'branch_id')
    )
    op.create_table('sales_product_month',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('revenue_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('month', 'product_id', 'branch_id')
    )
    _backfill()
    _create_triggers()
    op.create_table('outbox_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attachment_outbox_id'), ['outbox_id'], unique=False)
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attach', sa.String(length=8), nullable=False, server_default='pdf'))


def downgrade() -> None:
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.drop_column('attach')
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attachment_outbox_id'))
    op.drop_table('outbox_attachment')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sales_daily_rollup ON sales_daily")
        op.execute("DROP FUNCTION IF EXISTS sales_daily_rollup()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sales_daily_rollup_{name}")
    op.drop_table('sales_product_month')
    op.drop_table('sales_branch_day')
