"""Delivery asks read the way customers and dispatch staff write them (no accents, slang,
typos, run-ons), on the normalised text and the NLU's entities."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from adapters.llm.offline import delivery_understand as du
from adapters.llm.offline.nlu import NLU, Vocabulary
from domain.clock import MEXICO_CITY
from domain.dialogue import TimeWindow

NOW = datetime(2026, 11, 27, 11, 0, tzinfo=MEXICO_CITY)  # a Friday
THURSDAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return NLU(Vocabulary.from_demo_files(), cache_dir=tmp_path_factory.mktemp("nlu"))


def ask(nlu: NLU, text: str, *, in_delivery: bool = False) -> du.DeliveryAsk:
    return du.read(nlu.analyze(text, now=NOW), in_delivery=in_delivery)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("CAMBIAR HORA", du.Ask.RESCHEDULE),
        ("kiero cambiar la ora de la entrga", du.Ask.RESCHEDULE),
        ("y a que hora llega?", du.Ask.ETA),
        ("cuando me llegan mis llantas", du.Ask.ETA),
        ("y quien me lo lleva?", du.Ask.DRIVER),
        ("la direccion esta mal, es Calle Sonora 20, col. Condesa", du.Ask.ADDRESS),
        ("cuanto cobran por llevar las llantas a narvarte?", du.Ask.COST),
    ],
)
def test_customer_asks(nlu: NLU, text: str, kind: du.Ask) -> None:
    assert ask(nlu, text).ask == kind


def test_a_bare_day_moves_the_delivery_only_when_talking_about_it(nlu: NLU) -> None:
    assert ask(nlu, "mejor el jueves").ask is None
    found = ask(nlu, "mejor el jueves", in_delivery=True)
    assert (found.ask, found.day) == (du.Ask.RESCHEDULE, THURSDAY)
    assert ask(nlu, "no, dejalo como estaba", in_delivery=True).ask == du.Ask.UNDO
    assert ask(nlu, "sabes que, mejor yo paso por ellas", in_delivery=True).ask == du.Ask.PICKUP


def test_a_voice_note_gives_its_day_and_window(nlu: NLU) -> None:
    found = ask(
        nlu,
        "oye fijate que el jueves no voy a estar porque tengo chamba entonces si me lo pueden "
        "pasar pal viernes en la tarde mejor porfa",
        in_delivery=True,
    )
    assert found.ask == du.Ask.RESCHEDULE
    assert found.window == TimeWindow.AFTERNOON
    assert found.day is not None and found.day.weekday() in (3, 4)


def test_an_hour_names_its_window(nlu: NLU) -> None:
    analysis = nlu.analyze("mejor que lleguen el sabado como a las 5 de la tarde", now=NOW)
    assert du.window_of_words(analysis) == TimeWindow.EVENING
    assert du.window_of_words(nlu.analyze("a las 10", now=NOW)) == TimeWindow.MORNING


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", 5), ("5 muy bien", 5), ("cinco estrellas", 5), ("excelente servicio", 5),
     ("2 llegaron bien tarde", 2), ("pesimo servicio", 1)],
)  # fmt: skip
def test_survey_answers(nlu: NLU, text: str, score: int) -> None:
    assert du.survey_score(nlu.analyze(text, now=NOW)) == score


@pytest.mark.parametrize("text", ["205/55r16 5", "quiero 5 llantas", "tengo 2 pedidos", "hola"])
def test_no_survey_answer(nlu: NLU, text: str) -> None:
    assert du.survey_score(nlu.analyze(text, now=NOW)) is None


def test_picking_an_offered_window(nlu: NLU) -> None:
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
    offers = [(monday, TimeWindow.MORNING), (monday, TimeWindow.AFTERNOON),
              (tuesday, TimeWindow.MORNING)]  # fmt: skip

    def pick(text: str) -> int | bool | None:
        return du.pick_offer(nlu.analyze(text, now=NOW), offers)

    assert pick("la de la tarde") == 1
    assert pick("el martes en la mañana") == 2
    assert pick("la primera") == 0
    assert pick("3") == 2
    assert pick("ninguna, mejor dejala asi") is False
    assert pick("el jueves") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("planea las rutas de mañana para cdmx", du.StaffAsk.PLAN),
        ("que entregas van tarde ahorita?", du.StaffAsk.LATE),
        ("donde va la camioneta de Carlos?", du.StaffAsk.FLEET),
        ("como vamos hoy con las entregas a tiempo?", du.StaffAsk.KPIS),
        ("cuantas michelin hay en total?", None),
    ],
)
def test_staff_asks(nlu: NLU, text: str, kind: du.StaffAsk | None) -> None:
    assert du.staff_ask(nlu.analyze(text, now=NOW)) == kind


def test_a_driver_is_read_by_the_name_as_written(nlu: NLU) -> None:
    assert du.vehicle_named(nlu.analyze("donde va la camioneta de Carlos Gutiérrez?", now=NOW)) == "carlos"
    assert du.vehicle_named(nlu.analyze("como va la unidad cd-512-0b", now=NOW)) == "CD-512-0B"
