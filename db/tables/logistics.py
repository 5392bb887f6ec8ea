"""Deliveries and the delivery fleet."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class FleetVehicle(SQLModel, table=True):
    """A delivery vehicle of a branch; capacity in tires."""

    id: int | None = Field(default=None, primary_key=True)
    plate: str = Field(sa_type=sa.String(12), unique=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    kind: str = Field(sa_type=sa.String(40))
    capacity_tires: int
    active: bool = True


class Driver(SQLModel, table=True):
    """A delivery driver of a branch."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(80))
    phone: str = Field(sa_type=sa.String(16))
    branch_id: int = Field(foreign_key="branch.id", index=True)
    active: bool = True


class Delivery(SQLModel, table=True):
    """Taking an order to the customer's address within a time window."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    address: str = Field(sa_type=sa.String(200))
    latitude: float | None = None
    longitude: float | None = None
    window_start: datetime
    window_end: datetime
    status: str = Field(sa_type=sa.String(20), index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="fleetvehicle.id")
    driver_id: int | None = Field(default=None, foreign_key="driver.id")
