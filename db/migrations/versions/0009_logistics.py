"""logistics: delivery_route, route_stop, gps_ping, delivery_event; vehicle capacity in kg,
shift and costs; driver rating and sign-in key; delivery quantity, service time, tracking token,
route, ETA, proof of delivery and survey

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

- delivery_route / route_stop: one vehicle's route on one day (branch, driver, status, version
  bumped by re-optimisation, planned km/minutes/cost) and its stops with planned times.
- gps_ping: positions the driver's phone posts while a route is active.
- delivery_event: departed (the route), arrived, delivered (recipient name, photo), failed
  (reason).
- fleetvehicle: capacity_kg, shift_start/shift_end (local time), cost per km and per hour (cents).
- driver: rating (mean survey score) and its count; key_prefix of the driver's API key.
- delivery: branch, tires, kg, service minutes, tracking_token (random; existing rows get one),
  route, eta, delay notice, departed/arrived/delivered times, proof, failure reason, survey.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('delivery_route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('driver_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('planned_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('planned_end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('km', sa.Float(), nullable=False),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.Column('cost_cents', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['driver_id'], ['driver.id'], ),
    sa.ForeignKeyConstraint(['vehicle_id'], ['fleetvehicle.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'vehicle_id', name='uq_route_day_vehicle')
    )
    with op.batch_alter_table('delivery_route', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_route_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_route_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_route_driver_id'), ['driver_id'], unique=False)

    op.create_table('gps_ping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('driver_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['driver_id'], ['driver.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['delivery_route.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gps_ping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gps_ping_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gps_ping_route_id'), ['route_id'], unique=False)

    op.create_table('delivery_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=True),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('recipient_name', sa.String(length=120), nullable=True),
    sa.Column('photo', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['delivery_route.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_event_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_event_route_id'), ['route_id'], unique=False)

    op.create_table('route_stop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('planned_arrival', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('planned_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('planned_departure', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['delivery_route.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('route_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_stop_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_route_stop_route_id'), ['route_id'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('branch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tires', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('kg', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('service_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('tracking_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('route_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eta', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('delay_notified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('departed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('arrived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('recipient_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('proof_photo', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('failure_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('survey_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('survey_comment', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('surveyed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False, server_default=sa.func.current_timestamp()))
        batch_op.create_index(batch_op.f('ix_delivery_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_route_id'), ['route_id'], unique=False)
        batch_op.create_unique_constraint('uq_delivery_tracking_token', ['tracking_token'])
        batch_op.create_foreign_key('fk_delivery_branch_id', 'branch', ['branch_id'], ['id'])
        batch_op.create_foreign_key('fk_delivery_route_id', 'delivery_route', ['route_id'], ['id'])

    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE delivery SET branch_id = (SELECT orders.branch_id FROM orders WHERE orders.id = delivery.order_id)"
    ))
    for (delivery_id,) in bind.execute(sa.text("SELECT id FROM delivery")).all():
        bind.execute(
            sa.text("UPDATE delivery SET tracking_token = :token WHERE id = :id"),
            {"token": secrets.token_urlsafe(16), "id": delivery_id},
        )

    with op.batch_alter_table('driver', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('ratings', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('key_prefix', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint('uq_driver_key_prefix', ['key_prefix'])

    with op.batch_alter_table('fleetvehicle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_kg', sa.Integer(), nullable=False, server_default='1000'))
        batch_op.add_column(sa.Column('shift_start', sa.Time(), nullable=False, server_default='08:00:00'))
        batch_op.add_column(sa.Column('shift_end', sa.Time(), nullable=False, server_default='19:00:00'))
        batch_op.add_column(sa.Column('cost_per_km_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('cost_per_hour_cents', sa.Integer(), nullable=False, server_default='0'))



def downgrade() -> None:
    with op.batch_alter_table('fleetvehicle', schema=None) as batch_op:
        batch_op.drop_column('cost_per_hour_cents')
        batch_op.drop_column('cost_per_km_cents')
        batch_op.drop_column('shift_end')
        batch_op.drop_column('shift_start')
        batch_op.drop_column('capacity_kg')

    with op.batch_alter_table('driver', schema=None) as batch_op:
        batch_op.drop_constraint('uq_driver_key_prefix', type_='unique')
        batch_op.drop_column('key_prefix')
        batch_op.drop_column('ratings')
        batch_op.drop_column('rating')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint('fk_delivery_route_id', type_='foreignkey')
        batch_op.drop_constraint('fk_delivery_branch_id', type_='foreignkey')
        batch_op.drop_constraint('uq_delivery_tracking_token', type_='unique')
        batch_op.drop_index(batch_op.f('ix_delivery_route_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_branch_id'))
        batch_op.drop_column('created_at')
        batch_op.drop_column('surveyed_at')
        batch_op.drop_column('survey_comment')
        batch_op.drop_column('survey_score')
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('proof_photo')
        batch_op.drop_column('recipient_name')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('arrived_at')
        batch_op.drop_column('departed_at')
        batch_op.drop_column('delay_notified_at')
        batch_op.drop_column('eta')
        batch_op.drop_column('route_id')
        batch_op.drop_column('tracking_token')
        batch_op.drop_column('service_minutes')
        batch_op.drop_column('kg')
        batch_op.drop_column('tires')
        batch_op.drop_column('branch_id')

    with op.batch_alter_table('route_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_stop_route_id'))
        batch_op.drop_index(batch_op.f('ix_route_stop_delivery_id'))

    op.drop_table('route_stop')
    with op.batch_alter_table('delivery_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_event_route_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_event_delivery_id'))

    op.drop_table('delivery_event')
    with op.batch_alter_table('gps_ping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gps_ping_route_id'))
        batch_op.drop_index(batch_op.f('ix_gps_ping_at'))

    op.drop_table('gps_ping')
    with op.batch_alter_table('delivery_route', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_route_driver_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_route_day'))
        batch_op.drop_index(batch_op.f('ix_delivery_route_branch_id'))

    op.drop_table('delivery_route')
