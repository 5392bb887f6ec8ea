"""Sign-in for people, the dashboard's figures against the API's, targets, CSRF and roles."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from db.engine import session_scope
from db.tables import Outbox, ReportSubscription, StaffMember
from domain.enums import Role
from tests.conftest import bearer


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in with a key; returns the session's CSRF token (from the dashboard)."""
    page = client.get("/login")
    response = client.post(
        "/login", data={"api_key": key, "csrf": csrf_of(page.text), "next": "/dashboard"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "tl_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/dashboard")
    return csrf_of(page.text) if page.status_code == 200 else ""


def test_a_browser_without_a_session_is_sent_to_the_login_page(client: TestClient) -> None:
    response = client.get("/dashboard?period=week", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/dashboard%3Fperiod%3Dweek"
    assert client.get("/dashboard/data.json").status_code == 401


def test_staff_signs_in_and_sees_the_apis_figures(
    client: TestClient, keys: dict[Role, str]
) -> None:
    sign_in(client, keys[Role.STAFF])
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Ventas del periodo" in page.text
    data = client.get("/dashboard/data.json", params={"period": "month", "branch": "GDL"}).json()
    api = client.get(
        "/api/v1/dashboard", params={"period": "month", "branch": "GDL"},
        headers=bearer(keys[Role.STAFF]),
    ).json()  # fmt: skip
    assert data == api
    sales = client.get(
        "/api/v1/analytics/sales",
        params={"date_from": data["date_from"], "date_to": data["date_to"], "branch": "GDL"},
        headers=bearer(keys[Role.STAFF]),
    ).json()  # fmt: skip
    period = next(k for k in data["sales"] if k["key"] == "sales_period")
    assert period["value"] == sales["total_revenue_cents"] > 0
    assert [r["key"] for r in data["by_branch"]] == ["GDL"]
    # no target yet: pending, never an invented number
    attainment = next(k for k in data["sales"] if k["key"] == "target_attainment")
    assert attainment["value"] is None and attainment["status"] == "pending"
    # the inventory engine has not run on this database: pending too
    critical = next(k for k in data["inventory"] if k["key"] == "critical_products")
    assert critical["status"] == "pending"


def test_login_refuses_a_bad_key_a_missing_csrf_and_roles_without_pages(
    client: TestClient, keys: dict[Role, str]
) -> None:
    page = client.get("/login")
    bad = client.post("/login", data={"api_key": "tl_x_y", "csrf": csrf_of(page.text)})
    assert bad.status_code == 401 and "Llave no válida" in bad.text
    forged = client.post("/login", data={"api_key": keys[Role.STAFF], "csrf": "forged"})
    assert forged.status_code == 403
    page = client.get("/login")
    evaluator = client.post(
        "/login", data={"api_key": keys[Role.EVALUATOR], "csrf": csrf_of(page.text)}
    )
    assert evaluator.status_code == 403
    sign_in(client, keys[Role.TECHNICIAN])
    assert client.get("/dashboard").status_code == 403  # pages check roles like the API


HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_refused_page_is_a_spanish_page_in_a_browser_and_json_for_programs(
    client: TestClient, keys: dict[Role, str]
) -> None:
    sign_in(client, keys[Role.TECHNICIAN])
    page = client.get("/dashboard", headers=HTML)
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "No tienes acceso a esta página" in page.text and 'lang="es-MX"' in page.text
    data = client.get("/dashboard/data.json", headers=HTML)  # the page's own fetch: JSON
    assert data.status_code == 403 and data.json()["error"] == "forbidden"
    api = client.get("/api/v1/dashboard", headers={**HTML, **bearer(keys[Role.TECHNICIAN])})
    assert api.status_code == 403 and api.json()["error"] == "forbidden"
    assert client.get("/dashboard").json()["error"] == "forbidden"  # a script: JSON
    client.cookies.clear()
    csrf = sign_in(client, keys[Role.STAFF])
    form = {"month": "2026-11-01", "target_GDL": "1000", "csrf": csrf}
    not_admin = client.post("/dashboard/targets", data=form, headers=HTML)
    assert not_admin.status_code == 403 and "No tienes acceso" in not_admin.text
    stale = client.post("/dashboard/targets", data={**form, "csrf": "old"}, headers=HTML)
    assert stale.status_code == 403 and "La página caducó" in stale.text
    client.cookies.clear()
    away = client.get("/dashboard/agents/abc", headers=HTML, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login?next=")
    assert client.get("/api/v1/dashboard", headers=HTML).status_code == 401


def test_sign_out_kills_the_session_on_the_server(
    client: TestClient, keys: dict[Role, str]
) -> None:
    csrf = sign_in(client, keys[Role.STAFF])
    stolen = client.cookies.get("tl_session")
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("tl_session", stolen or "")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_only_admin_edits_targets_and_the_attainment_follows(
    client: TestClient, keys: dict[Role, str]
) -> None:
    csrf = sign_in(client, keys[Role.STAFF])
    data = client.get("/dashboard/data.json", params={"period": "month"}).json()
    month = data["date_to"][:8] + "01"
    form = {"csrf": csrf, "month": month, "target_CDMX": "1000000", "target_GDL": "500000",
            "target_MTY": "600000"}  # fmt: skip
    assert client.post("/dashboard/targets", data=form).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, keys[Role.ADMIN])
    assert client.post("/dashboard/targets", data={**form, "csrf": "x"}).status_code == 403
    saved = client.post("/dashboard/targets", data={**form, "csrf": csrf}, follow_redirects=False)
    assert saved.status_code == 303
    data = client.get("/dashboard/data.json", params={"period": "month", "branch": "GDL"}).json()
    attainment = next(k for k in data["sales"] if k["key"] == "target_attainment")
    period = next(k for k in data["sales"] if k["key"] == "sales_period")
    assert period["target"] is not None and 0 < period["target"] <= 50_000_000
    assert attainment["value"] == round(period["value"] / period["target"], 4)


def test_a_one_time_link_goes_through_the_outbox_and_works_once(
    client: TestClient, engine: Engine
) -> None:
    with session_scope(engine, write=True) as session:
        session.add(StaffMember(name="Ana Pérez", email="ana@topllantas.mx", job="ventas"))
    page = client.get("/login")
    sent = client.post(
        "/login/link", data={"email": "ANA@topllantas.mx", "csrf": csrf_of(page.text)}
    )
    assert sent.status_code == 200 and "te enviamos un enlace" in sent.text
    unknown = client.post("/login/link", data={"email": "x@y.mx", "csrf": csrf_of(sent.text)})
    assert "te enviamos un enlace" in unknown.text  # same answer: no account discovery
    with session_scope(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.kind == "login_link")).one()
        assert row.to == "ana@topllantas.mx" and row.channel == "email"
    found = re.search(r"/login/link/(\S+)", row.body or "")
    assert found
    first = client.get(f"/login/link/{found.group(1)}", follow_redirects=False)
    assert first.status_code == 303 and "tl_session=" in first.headers["set-cookie"]
    assert client.get("/dashboard").status_code == 200
    client.cookies.clear()
    again = client.get(f"/login/link/{found.group(1)}", follow_redirects=False)
    assert again.status_code == 401


def test_module_views_and_report_download(client: TestClient, keys: dict[Role, str]) -> None:
    sign_in(client, keys[Role.STAFF])
    for path, text in (
        ("/dashboard/inventory", "Acciones requeridas hoy"),
        ("/dashboard/sales", "Segmentos de clientes"),
        ("/dashboard/agents", "Conversaciones para revisar"),
        ("/dashboard/logistics", "Entregas de hoy"),
        ("/dashboard/targets", "Metas de venta"),
    ):
        page = client.get(path)
        assert page.status_code == 200 and text in page.text, path
    xlsx = client.get("/dashboard/report", params={"kind": "weekly", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get("/dashboard/report", params={"kind": "daily", "format": "pdf"})
    assert pdf.content[:5] == b"%PDF-"
    assert client.get("/static/uplot.iife.min.js").status_code == 200


def test_the_session_expires(client: TestClient, keys: dict[Role, str], engine: Engine) -> None:
    from db.tables import WebSession
    from domain.clock import utcnow

    sign_in(client, keys[Role.STAFF])
    with session_scope(engine, write=True) as session:
        for row in session.exec(select(WebSession)).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
            session.add(row)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_the_year_view_equals_the_api_and_the_daily_rows(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    sign_in(client, keys[Role.STAFF])
    assert client.get("/dashboard", params={"period": "year"}).status_code == 200
    data = client.get("/dashboard/data.json", params={"period": "year"}).json()
    api = client.get(
        "/api/v1/dashboard", params={"period": "year"}, headers=bearer(keys[Role.STAFF])
    ).json()
    assert data == api
    start, end = data["date_from"], data["date_to"]
    assert start.endswith("-01-01") and start[:4] == end[:4]
    by_month: dict[str, int] = {}
    by_brand: dict[str, int] = {}
    with engine.connect() as conn:
        for day, brand, revenue in conn.execute(
            sa.text(
                "SELECT s.day, p.brand, s.revenue_cents FROM sales_daily s "
                "JOIN product p ON p.id = s.product_id WHERE s.day >= :a AND s.day <= :z"
            ),
            {"a": start, "z": end},
        ).all():
            by_month[str(day)[:7]] = by_month.get(str(day)[:7], 0) + revenue
            by_brand[brand] = by_brand.get(brand, 0) + revenue
    period = next(k for k in data["sales"] if k["key"] == "sales_period")
    assert period["value"] == sum(by_month.values()) > 0
    assert {p["key"]: p["revenue_cents"] for p in data["trend"] if p["revenue_cents"]} == by_month
    assert {r["key"]: r["revenue_cents"] for r in data["by_brand"]} == {
        b: by_brand[b] for b in sorted(by_brand, key=lambda b: -by_brand[b])[:8]
    }
    sales = client.get(
        "/api/v1/analytics/sales", params={"date_from": start, "date_to": end, "group_by": "brand"},
        headers=bearer(keys[Role.STAFF]),
    ).json()  # fmt: skip
    assert sales["total_revenue_cents"] == period["value"]
    assert sales["rows"][: len(data["by_brand"])] == data["by_brand"]


def test_admin_edits_who_receives_which_report(
    client: TestClient, keys: dict[Role, str], engine: Engine
) -> None:
    csrf = sign_in(client, keys[Role.ADMIN])
    page = client.get("/dashboard/subscriptions")
    assert page.status_code == 200 and "Nadie recibe reportes todavía" in page.text
    form = {"csrf": csrf, "email": "Compras@TopLlantas.mx", "name": "Compras", "role": "compras",
            "kind": "weekly", "attach": "both"}  # fmt: skip
    added = client.post("/dashboard/subscriptions", data=form, follow_redirects=False)
    assert added.status_code == 303
    again = client.post("/dashboard/subscriptions", data={**form, "attach": "xlsx"})
    assert again.status_code == 200 and again.text.count('data-email="compras@topllantas.mx"') == 1
    bad = client.post("/dashboard/subscriptions", data={**form, "email": "no es correo"})
    assert bad.status_code == 422 and "Escribe un correo válido." in bad.text
    with session_scope(engine) as session:
        [row] = session.exec(select(ReportSubscription)).all()
    assert (row.email, row.role, row.kind, row.attach) == (
        "compras@topllantas.mx",
        "compras",
        "weekly",
        "xlsx",
    )
    client.cookies.clear()
    staff_csrf = sign_in(client, keys[Role.STAFF])
    seen = client.get("/dashboard/subscriptions")
    assert "compras@topllantas.mx" in seen.text and "Solo un administrador" in seen.text
    refused = client.post("/dashboard/subscriptions", data={**form, "csrf": staff_csrf})
    gone = client.post(f"/dashboard/subscriptions/{row.id}/delete", data={"csrf": staff_csrf})
    assert refused.status_code == gone.status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, keys[Role.ADMIN])
    assert (
        client.post(f"/dashboard/subscriptions/{row.id}/delete", data={"csrf": "x"}).status_code
        == 403
    )
    client.post(f"/dashboard/subscriptions/{row.id}/delete", data={"csrf": csrf})
    with session_scope(engine) as session:
        assert session.exec(select(ReportSubscription)).all() == []
