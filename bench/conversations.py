"""Multi-turn Spanish (es-MX) web-chat conversations for the latency benchmarks.

Written the way customers write on WhatsApp and web chat: few accents, slang, typos, numbers in
words, short follow-ups. Each is one anonymous customer's conversation, turn by turn.
"""

from __future__ import annotations

CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    (
        "Hola, necesito 4 llantas para Jetta 2020, ¿cuánto cuesta?",
        "Me interesa la Continental, ¿mañana las puedo recoger?",
        "gracias!",
    ),
    (
        "buenas tardes, cuanto salen las llantas para un versa 2019",
        "y la mas barata?",
        "ok va, apartame 4 porfa",
        "gracias",
    ),
    (
        "q onda, tienen 185 65 15?",
        "cuanto la michelin",
        "y con instalacion cuanto seria",
    ),
    ("hola", "busco llantas para mi aveo 2018", "son 2 nada mas", "sale, lo pienso y te aviso"),
    (
        "oigan a q hora abren el sabado",
        "y donde estan en guadalajara?",
        "grax",
    ),
    (
        "mi llanta trae un chipote de un lado, la garantia lo cubre?",
        "la compre hace como 3 meses",
        "ok, gracias",
    ),
    (
        "necesito llantas para una hilux 2021 pero todo terreno",
        "cuanto por las 4",
        "tienen en monterrey?",
        "va gracias",
    ),
    ("cuanto cuesta la alineacion y balanceo?", "y la rotacion?", "ok"),
    (
        "quiero 205/55R16",
        "la recomendada",
        "si, apartalas",
        "cuando vence el apartado?",
    ),
    (
        "Buen día, ¿manejan meses sin intereses?",
        "es para un mazda 3 2022",
        "va, cuanto quedaria a 6 meses",
    ),
    (
        "tengo una llanta baja, se le baja el aire cada semana",
        "es una 195 65 15",
        "pueden revisarla hoy?",
    ),
    ("hola buenas noches", "nomas queria saber si venden rines", "ah ok, gracias de todos modos"),
)
