"""DOT lots follow on-hand stock: sales take the oldest lots first, arrivals add a lot."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from db.tables import Stock, StockLot


def adjust_lots(
    session: Session, stock_id: int, delta: int, *, received: date | None = None
) -> None:
    """Mirror an on-hand change of ``delta`` units in the stock row's DOT lots.

    Units leaving the branch come out of the oldest DOT first (FIFO, as tire shops rotate
    stock); units arriving are booked as a lot of the week they arrived (``received``, default
    today) unless a lot of that week exists.
    """
    if delta == 0:
        return
    lots = list(
        session.exec(
            select(StockLot)
            .where(StockLot.stock_id == stock_id)
            .order_by(col(StockLot.dot_year), col(StockLot.dot_week), col(StockLot.id))
        ).all()
    )
    if delta > 0:
        day = received or date.today()
        week, year = min(52, day.isocalendar().week), day.year
        lot = next((x for x in lots if (x.dot_week, x.dot_year) == (week, year)), None)
        if lot is None:
            lot = StockLot(stock_id=stock_id, dot_week=week, dot_year=year, quantity=0)
        lot.quantity += delta
        session.add(lot)
        return
    left = -delta
    for lot in lots:
        taken = min(left, lot.quantity)
        lot.quantity -= taken
        left -= taken
        if lot.quantity == 0:
            session.delete(lot)
        else:
            session.add(lot)
        if left == 0:
            break


def stock_id_of(session: Session, product_id: int, branch_id: int) -> int | None:
    """The id of the stock row of a product at a branch."""
    return session.exec(
        select(Stock.id).where(Stock.product_id == product_id, Stock.branch_id == branch_id)
    ).first()
