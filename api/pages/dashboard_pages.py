"""The executive dashboard and its module views (inventory, sales/CRM, agents, logistics),
sales targets and report subscriptions (admin edits), report downloads, for signed-in staff
and admin."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from adapters.reports.build import (
    KIND_LABEL,
    ROLE_LABEL,
    ReportFormat,
    ReportKind,
    ReportRole,
    build_report,
)
from api.deps import ChatServiceDep, ContainerDep, EngineDep, run_write
from api.pages.render import render
from api.pages.web_auth import CSRF_HEADER, PageUser, check_csrf, require_page
from api.routes.chat import conversation as read_conversation
from core.errors import InvalidRequest, PermissionDenied
from core.security import Scope
from db.engine import session_scope
from db.repositories.catalog import branch_by_code
from db.repositories.crm_followup import conversion_by_source, rfm_segments, run_followups
from db.repositories.dashboard import as_of_day, build_dashboard
from db.repositories.dashboard_sources import open_quotes, unpaid_reservations
from db.repositories.inventory_alerts import list_alerts
from db.repositories.report_subscriptions import (
    list_subscriptions,
    remove_subscription,
    save_subscription,
)
from db.tables import Branch, ChatSession, Lead, SalesTarget
from domain.clock import utcnow
from domain.dashboard import PERIOD_LABEL, Dashboard, Period, month_start
from domain.enums import Role

router = APIRouter(include_in_schema=False)
Reader = Annotated[PageUser, Depends(require_page(Scope.ANALYTICS_READ))]
BranchQ = Annotated[str | None, Query(max_length=8)]


def _dashboard(container: ContainerDep, period: Period, branch: str | None) -> Dashboard:
    with session_scope(container.engine) as session:
        return build_dashboard(
            session, container.settings.dashboard, period=period, branch=branch or None,
            quote_hours=container.settings.reports.abandoned_quote_hours,
        )  # fmt: skip


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(
    request: Request, container: ContainerDep, user: Reader,
    period: Period = "month", branch: BranchQ = None,
) -> HTMLResponse:  # fmt: skip
    """The executive dashboard, rendered with its figures; the page refreshes them as JSON."""
    data = await anyio.to_thread.run_sync(_dashboard, container, period, branch)
    # "</" cannot close the script element that carries the JSON
    initial = data.model_dump_json().replace("</", "<\\/")
    return render(request, "dash_dashboard.html", user=user, d=data, periods=PERIOD_LABEL,
                  active="dashboard", initial_json=initial)  # fmt: skip


@router.get("/dashboard/data.json")
async def dashboard_data(
    container: ContainerDep, _: Reader, period: Period = "month", branch: BranchQ = None
) -> Dashboard:
    """The same figures as JSON (the page's refresh and filters)."""
    return await anyio.to_thread.run_sync(_dashboard, container, period, branch)


@router.get("/dashboard/inventory", response_class=HTMLResponse)
async def inventory_page(
    request: Request, container: ContainerDep, user: Reader, branch: BranchQ = None
) -> HTMLResponse:
    """Acciones requeridas hoy, predicciones de la semana, optimización financiera."""

    def load() -> dict[str, Any]:
        with session_scope(container.engine) as session:
            bid = branch_by_code(session, branch).id if branch else None
            alerts, total = list_alerts(session, branch_id=bid, state=None, limit=30)
            codes = {b.id: b.code for b in session.exec(select(Branch)).all()}
            d = build_dashboard(session, container.settings.dashboard, branch=branch)
            from db.repositories.reorder import list_suggestions

            return {
                "alerts": [(a, codes.get(a.branch_id, "")) for a in alerts],
                "alerts_total": total,
                "suggestions": list_suggestions(session, branch_id=bid, limit=20),
                "kpis": d.inventory,
                "insights": [i for i in d.insights if "inventory" in i.link],
            }

    ctx = await anyio.to_thread.run_sync(load)
    return render(
        request, "dash_inventory.html", user=user, active="inventory", branch=branch, **ctx
    )


@router.get("/dashboard/sales", response_class=HTMLResponse)
async def sales_page(request: Request, container: ContainerDep, user: Reader) -> HTMLResponse:
    """Sales and CRM: RFM segments, conversion by source, quotes and leads to follow up."""
    hours = container.settings.reports.abandoned_quote_hours

    def load() -> dict[str, Any]:
        with session_scope(container.engine) as session:
            return {
                "segments": rfm_segments(session),
                "conversion": conversion_by_source(session, since=utcnow() - timedelta(days=90)),
                "quotes": open_quotes(session, older_than_hours=hours)[:30],
                "unpaid": unpaid_reservations(session)[:30],
                "leads": session.exec(
                    select(Lead).where(col(Lead.status) == "new")
                    .order_by(col(Lead.created_at).desc()).limit(30)
                ).all(),
                "hours": hours,
            }  # fmt: skip

    ctx = await anyio.to_thread.run_sync(load)
    return render(request, "dash_sales.html", user=user, active="sales", **ctx)


@router.post("/dashboard/sales/followup")
async def followup_now(
    request: Request, container: ContainerDep, user: Reader,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:  # fmt: skip
    """Run the follow-up of abandoned quotes and leads now (the sweep runs it too)."""
    check_csrf(user, csrf)
    hours = container.settings.reports.abandoned_quote_hours

    def run() -> None:
        with session_scope(container.engine, write=True) as session:
            run_followups(session, quote_hours=hours)

    await run_write(request, run)
    await anyio.to_thread.run_sync(container.notifier.deliver_queued)
    return RedirectResponse("/dashboard/sales#seguimiento", status_code=303)


@router.get("/dashboard/agents", response_class=HTMLResponse)
async def agents_page(request: Request, container: ContainerDep, user: Reader) -> HTMLResponse:
    """Conversations to review, newest first, with the agents' figures."""

    def load() -> dict[str, Any]:
        with session_scope(container.engine) as session:
            d = build_dashboard(session, container.settings.dashboard, period="week")
            led = set(session.exec(select(Lead.session_id)).all())
            rows = session.exec(
                select(ChatSession).order_by(col(ChatSession.updated_at).desc()).limit(50)
            ).all()
            return {"kpis": d.agents, "sessions": [(s, s.id in led) for s in rows]}

    ctx = await anyio.to_thread.run_sync(load)
    return render(request, "dash_agents.html", user=user, active="agents", **ctx)


@router.get("/dashboard/agents/{session_id}", response_class=HTMLResponse)
async def conversation_page(
    request: Request, session_id: str, engine: EngineDep, service: ChatServiceDep, user: Reader
) -> HTMLResponse:
    """One conversation: transcript, the agents it went through and their tool calls (the
    same data as GET /v1/conversations/{id})."""
    convo = await read_conversation(session_id[:40], engine, service, user.principal)
    path: list[str] = []
    for m in convo.messages:
        if m.agent and m.role == "assistant" and (not path or path[-1] != m.agent):
            path.append(m.agent)
    return render(request, "dash_conversation.html", user=user, active="agents", c=convo, path=path)


@router.get("/dashboard/logistics", response_class=HTMLResponse)
async def logistics_page(request: Request, container: ContainerDep, user: Reader) -> HTMLResponse:
    """Deliveries: today's figures (pendiente where the logistics product has no data yet)."""
    d = await anyio.to_thread.run_sync(_dashboard, container, "month", None)
    return render(request, "dash_logistics.html", user=user, active="logistics", kpis=d.logistics)


@router.get("/dashboard/targets", response_class=HTMLResponse)
async def targets_page(
    request: Request, container: ContainerDep, user: Reader, month: date | None = None
) -> HTMLResponse:
    """Monthly sales targets per branch (admin edits them)."""

    def load() -> tuple[date, list[tuple[str, int | None]]]:
        with session_scope(container.engine) as session:
            first = month_start(month or as_of_day(session))
            targets = {
                t.branch_id: t.revenue_cents
                for t in session.exec(select(SalesTarget).where(SalesTarget.month == first)).all()
            }
            branches = session.exec(select(Branch).order_by(col(Branch.code))).all()
            return first, [(b.code, targets.get(b.id or 0)) for b in branches]

    first, rows = await anyio.to_thread.run_sync(load)
    return render(request, "dash_targets.html", user=user, active="targets", month=first, rows=rows,
                  editable=user.principal.role == Role.ADMIN)  # fmt: skip


@router.post("/dashboard/targets")
async def save_targets(request: Request, container: ContainerDep, user: Reader) -> Response:
    """Save a month's targets (admin only, CSRF-checked); amounts in pesos."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf", "")))
    if user.principal.role != Role.ADMIN:
        raise PermissionDenied("only admin edits sales targets")
    try:
        first = month_start(date.fromisoformat(str(form.get("month", ""))))
    except ValueError:
        first = month_start(date.today())

    def save() -> None:
        with session_scope(container.engine, write=True) as session:
            for branch in session.exec(select(Branch)).all():
                raw = str(form.get(f"target_{branch.code}", "")).replace(",", "").strip()
                if not raw:
                    continue
                cents = round(float(raw) * 100)
                if not 0 <= cents <= 10**13:
                    continue
                row = session.exec(
                    select(SalesTarget).where(
                        SalesTarget.branch_id == branch.id, SalesTarget.month == first
                    )
                ).first() or SalesTarget(branch_id=branch.id or 0, month=first, revenue_cents=0)
                row.revenue_cents = cents
                row.updated_by = user.principal.actor[:80]
                row.updated_at = utcnow()
                session.add(row)

    await run_write(request, save)
    return RedirectResponse(f"/dashboard/targets?month={first.isoformat()}", status_code=303)


SUBSCRIPTION_FIELDS = {
    "email": "Escribe un correo válido.",
    "role": "Elige el área del reporte.",
    "kind": "Elige si es diario, semanal o mensual.",
    "attach": "Elige los archivos: PDF, Excel o ambos.",
}


def _subscriptions_page(
    request: Request, container: ContainerDep, user: PageUser, *, error: str = "",
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    with session_scope(container.engine) as session:
        rows = list_subscriptions(session)
    return render(
        request, "dash_subscriptions.html", status_code=status, user=user,
        active="subscriptions", rows=rows, roles=ROLE_LABEL, kinds=KIND_LABEL, error=error,
        editable=user.principal.role == Role.ADMIN,
    )  # fmt: skip


@router.get("/dashboard/subscriptions", response_class=HTMLResponse)
async def subscriptions_page(
    request: Request, container: ContainerDep, user: Reader
) -> HTMLResponse:
    """Who receives which scheduled report, by role (admin edits)."""
    return await anyio.to_thread.run_sync(lambda: _subscriptions_page(request, container, user))


@router.post("/dashboard/subscriptions")
async def add_subscription(request: Request, container: ContainerDep, user: Reader) -> Response:
    """Subscribe an e-mail to a role's report (admin only, CSRF-checked)."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf", "")))
    if user.principal.role != Role.ADMIN:
        raise PermissionDenied("only admin edits report subscriptions")

    def save() -> None:
        with session_scope(container.engine, write=True) as session:
            save_subscription(
                session, role=str(form.get("role", "")), kind=str(form.get("kind", "")),
                email=str(form.get("email", ""))[:254], name=str(form.get("name", ""))[:80],
                attach=str(form.get("attach", "pdf")), actor=user.principal.actor,
            )  # fmt: skip

    try:
        await run_write(request, save)
    except InvalidRequest as exc:
        error = SUBSCRIPTION_FIELDS.get(exc.field or "", "Revisa los datos.")
        return await anyio.to_thread.run_sync(
            lambda: _subscriptions_page(request, container, user, error=error, status=422)
        )
    return RedirectResponse("/dashboard/subscriptions", status_code=303)


@router.post("/dashboard/subscriptions/{subscription_id}/delete")
async def delete_subscription(
    request: Request, container: ContainerDep, user: Reader, subscription_id: int,
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:  # fmt: skip
    """Stop a subscription (admin only, CSRF-checked)."""
    check_csrf(user, csrf)
    if user.principal.role != Role.ADMIN:
        raise PermissionDenied("only admin edits report subscriptions")

    def remove() -> None:
        with session_scope(container.engine, write=True) as session:
            remove_subscription(session, subscription_id, actor=user.principal.actor)

    await run_write(request, remove)
    return RedirectResponse("/dashboard/subscriptions", status_code=303)


@router.get("/dashboard/report")
async def download_report(
    container: ContainerDep,
    _: Reader,
    kind: ReportKind = "daily",
    role: ReportRole = "direccion",
    format: Literal["pdf", "xlsx"] = "xlsx",
) -> Response:
    """A report as a file, built on request from the same figures as the dashboard."""
    fmt: ReportFormat = format

    def build() -> bytes:
        with session_scope(container.engine) as session:
            return build_report(session, container.settings, kind=kind, role=role, fmt=fmt).content

    content = await anyio.to_thread.run_sync(build)
    media = (
        "application/pdf" if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )  # fmt: skip
    name = f"topllantas-{role}-{kind}.{fmt}"
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


__all__ = ["CSRF_HEADER", "router"]
