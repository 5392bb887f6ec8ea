"""Before the nightly inventory job has ever run, a forecast question gets a Spanish answer
that says so and when it runs, in the tool and in the staff chat."""

from __future__ import annotations

from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy.engine import Engine

from conversation.service import ChatService, load_nlu
from core.settings import InventorySettings, Settings
from db.engine import session_scope
from db.repositories.chat import start_session
from tests.tools.conftest import MakeCtx, refusal
from tools import replenishment as r


def test_the_tool_says_there_is_no_forecast_yet_and_when_it_runs(
    make_ctx: MakeCtx, settings: Settings
) -> None:
    ctx = make_ctx("staff")
    said = refusal(r.GET_DEMAND_FORECAST, ctx, size="205/55R16", weeks=4)
    assert said.startswith("Todavía no hay pronóstico de demanda")
    assert "corrida nocturna" in said and "forecast" not in said
    ctx.settings = settings.model_copy(
        update={"inventory": InventorySettings(nightly_enabled=True, nightly_hour=3)}
    )
    assert "Corre cada noche a las 3:00 (hora del centro)" in refusal(
        r.GET_DEMAND_FORECAST, ctx, size="205/55R16"
    )


def test_the_staff_chat_answers_it_in_spanish(settings: Settings, engine: Engine) -> None:
    service = ChatService(settings, engine, InMemorySaver(), load_nlu(settings, engine))
    with session_scope(engine, write=True) as session:
        chat = start_session(session, owner="test", role="staff", channel="staff", customer_id=None)
    reply = service.run_turn(chat, "cuanto se va a vender de 205/55r16 el mes q viene").reply
    assert "Todavía no hay pronóstico de demanda" in reply, reply
    assert "forecast" not in reply.lower()
