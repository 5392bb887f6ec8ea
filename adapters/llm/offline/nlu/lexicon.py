"""Spanish (es-MX) word tables behind normalisation: slang, spelling variants and domain words."""

from __future__ import annotations

# Data tables read best several entries per line.
# fmt: off
# One chat token → its standard form. Applied after accents and case are folded, so keys are
# plain ASCII. Values may hold several words ("xfa" → "por favor").
SLANG: dict[str, str] = {
    # Mexican usage and texting abbreviations.
    "ocupo": "necesito", "ocupamos": "necesitamos", "ocupa": "necesita", "ocupas": "necesitas",
    "ocupaba": "necesitaba", "ocuparia": "necesitaria",
    "sinco": "cinco", "dies": "diez", "dps": "dos", "kuatro": "cuatro", "trez": "tres", "ceis": "seis",
    "mez": "mes", "mess": "mes",
    "pa": "para", "pal": "para el", "xa": "para", "pra": "para",
    "porfa": "por favor", "porfis": "por favor", "porfavor": "por favor", "xfa": "por favor",
    "xfavor": "por favor", "plis": "por favor", "pls": "por favor", "plz": "por favor",
    "porfas": "por favor", "xfis": "por favor",
    "q": "que", "k": "que", "ke": "que", "qe": "que",
    "xq": "porque", "pq": "porque", "porq": "porque", "xk": "porque", "pk": "porque",
    "sta": "esta", "stan": "estan", "toy": "estoy", "tamos": "estamos",
    "tmb": "tambien", "tb": "tambien", "tmbn": "tambien", "tambn": "tambien", "tbn": "tambien",
    "d": "de", "dl": "del", "x": "por",
    "bn": "bien", "bno": "bueno", "weno": "bueno", "wueno": "bueno", "gueno": "bueno",
    "grax": "gracias", "grx": "gracias", "grasias": "gracias", "garcias": "gracias",
    "gracia": "gracias", "grac": "gracias", "thx": "gracias", "tnx": "gracias",
    "tons": "entonces", "entons": "entonces", "ntons": "entonces",
    "ola": "hola", "hla": "hola", "holi": "hola", "holis": "hola", "hol": "hola",
    "dnd": "donde", "dnde": "donde", "cdo": "cuando", "cuado": "cuando",
    "pz": "pues", "ps": "pues", "pss": "pues", "pos": "pues",
    "msi": "meses sin intereses", "mna": "manana", "mnn": "manana", "maniana": "manana",
    "tel": "telefono", "cel": "celular", "vdd": "verdad", "nd": "nada", "nda": "nada",
    "aki": "aqui", "aca": "aqui", "salu2": "saludos", "bye": "adios", "bai": "adios",
    "xvr": "chevere", "tqm": "te quiero mucho", "info": "informacion",
    "cuant": "cuanto", "cunto": "cuanto", "cuantoo": "cuanto", "kuanto": "cuanto",
    "qto": "cuanto",
    "presio": "precio", "presios": "precios", "precion": "precio", "prezio": "precio",
    "cotisacion": "cotizacion", "cotizasion": "cotizacion", "cotisar": "cotizar",
    "nesesito": "necesito", "nececito": "necesito", "nesecito": "necesito",
    "nesito": "necesito", "necesto": "necesito", "nsesito": "necesito",
    "kiero": "quiero", "qiero": "quiero", "quero": "quiero", "kisiera": "quisiera",
    "aver": "a ver", "ai": "ahi",
    "hrs": "horas", "hr": "hora", "min": "minutos", "sem": "semana",
    "ud": "usted", "uds": "ustedes",
    # Vehicles: every everyday word for a car or a pickup.
    "carro": "carro", "carros": "carro", "carrito": "carro", "carrillo": "carro",
    "nave": "carro", "navecita": "carro", "auto": "carro", "autos": "carro", "coche": "carro",
    "coches": "carro", "automovil": "carro", "vehiculo": "carro", "vehiculos": "carro",
    "carcacha": "carro",
    "camioneta": "camioneta", "camionetas": "camioneta", "troca": "camioneta",
    "trocas": "camioneta", "troquita": "camioneta", "pickup": "camioneta",
    "pick-up": "camioneta", "camionetita": "camioneta", "suv": "camioneta",
    # Tires. "rin"/"rines" stay: a rim is not a tire ("rin 15" is a size hint, "rines" wheels).
    "llanta": "llanta", "yanta": "llanta", "lanta": "llanta", "neumatico": "llanta",
    "goma": "llanta", "llnta": "llanta", "llamta": "llanta", "llantaa": "llanta",
    "llantas": "llantas", "yantas": "llantas", "lantas": "llantas", "neumaticos": "llantas",
    "gomas": "llantas", "llnatas": "llantas", "llamtas": "llantas", "llants": "llantas",
    "llantitas": "llantas", "llantita": "llanta", "neumaticas": "llantas",
    "ryn": "rin", "rim": "rin",
    # Everyday yes/no words keep their own token; the classifier and rules read them.
    "simon": "simon", "nel": "nel", "sip": "si", "sii": "si", "sep": "si", "yes": "si",
    "nop": "no", "nopo": "no", "nope": "no", "nomas": "nomas", "namas": "nomas",
    "oki": "ok", "okey": "ok", "okay": "ok", "okis": "ok", "oka": "ok", "okas": "ok",
}

# Multi-word rewrites, run on the token string after SLANG ("cuanto sale" → "cuanto").
PHRASES: tuple[tuple[str, str], ...] = (
    ("por fa", "por favor"),
    ("en cuanto sale", "cuanto"),
    ("en cuanto", "cuanto"),
    ("cuanto sale", "cuanto"),
    ("cuanto salen", "cuanto"),
    ("a como", "cuanto"),
    ("q onda", "que onda"),
    ("nada mas", "nomas"),
    ("no mas de", "no mas de"),
    ("c/u", "cada una"),
    ("p/u", "cada una"),
    ("d.f", "df"),
    ("cd de mexico", "ciudad de mexico"),
    ("cd mx", "cdmx"),
)

# Words typos are corrected towards (fuzzy match, tokens of 5+ letters, score >= 85).
DOMAIN_WORDS: tuple[str, ...] = (
    "llantas", "llanta", "precio", "precios", "cotizacion", "cotizar", "garantia", "pedido",
    "pedidos", "entrega", "entregas", "sucursal", "sucursales", "balanceo", "alineacion",
    "ponchadura", "ponchada", "ponchado", "instalacion", "instalar", "nitrogeno", "valvulas",
    "disponible", "disponibles", "existencia", "existencias", "inventario", "camioneta",
    "descuento", "promocion", "horario", "direccion", "domicilio", "factura", "tarjeta",
    "intereses", "mensualidades", "financiamiento", "credito", "pronostico", "demanda",
    "reprogramar", "apartar", "recoger", "comprar", "rotacion", "presion", "desgaste",
    "vibracion", "medida", "medidas", "gracias", "buenas", "buenos", "necesito", "quisiera",
    "cuanto", "cuestan", "cuesta", "michelin", "continental", "bridgestone", "pirelli",
    "goodyear", "firestone", "hankook", "yokohama", "reclamacion", "chipote", "burbuja",
    "cambiar", "cambio", "reagendar", "transferencia", "efectivo", "mercado", "todoterreno",
    "terreno", "barata", "baratas", "economica", "economicas", "recomendada", "recomiendas",
    "agotarse", "agotados", "sugerencia", "proveedor", "semana", "mañana", "manana",
    "tardes", "noches", "sabado", "domingo", "viernes", "jueves", "miercoles", "martes",
    "lunes", "asesor", "persona", "vendedor", "humano", "ubicacion", "abiertos", "cerrado",
    "seguimiento", "rastreo", "reparto", "repartidor", "instrucciones", "sistema",
)

# Real words that must never be "corrected" towards a domain word.
# Words the dialogue acts on (commands, choices, payment and visit words): a typo of one of them
# is corrected to it ("aparralas" → "apartalas", "efonomicas" → "economicas").
COMMAND_WORDS: tuple[str, ...] = (
    "apartame", "apartamelas", "apartamelos", "apartalas", "apartala", "apartalo", "apartado",
    "apartarlas", "separamelas", "reservar", "cancela", "cancelame", "cancelar", "cancelalo",
    "cancelala", "cancelalas", "cancelen", "factura", "facturar", "facturada", "facturas",
    "recomendadas", "recomendado", "economicas", "economico", "premium", "monterrey",
    "guadalajara", "tienen", "tienes", "cuantas", "cuantos", "anticipo", "saldo", "restante",
    "instalan", "cotizame", "cotizas", "transferencia", "deposito", "recogerlas", "recojo",
    "temprano", "quiero", "queremos", "mandame", "pasame", "enviame", "cambialo", "cambiala",
    "cambiame", "dejalo", "mejor", "siempre", "confirmo", "perdon", "modelo", "version", "basica",
    "normal", "todo", "terreno", "carretera", "refaccion", "adelante", "traseras", "delanteras",
    "cuanto", "salen", "saldrian", "cuestan", "aceptan", "pagar", "pague", "tarjeta", "credito",
    "debito", "efectivo", "domicilio", "taller", "instalacion", "balanceo", "alineacion",
    "horario", "abren", "cierran", "sabado", "domingo", "viernes", "jueves", "miercoles",
    "martes", "lunes", "tarde", "noche", "direccion", "colonia", "calle", "avenida", "tecnico",
    "asesor", "revisar", "revisen", "pedido", "apartar", "llega", "llegan", "manana",
    "cuatro", "llantas", "recomendada", "economica", "continental", "michelin", "cambiar",
)  # fmt: skip

# Real words a typo corrector would otherwise "fix" into a command word.
NOT_TYPOS: frozenset[str] = frozenset({
    "aparte", "apartadas", "apartados", "apartada", "atienden", "cuentas", "cuenta", "llevan",
    "vendida", "partes", "parte", "blanco", "cancelo", "cancelado", "cancelada", "parado",
    "prendido", "traerlas", "revisan", "revisa", "revise", "instalen", "instale", "facturan",
    "facturamos", "factures", "apartan", "apartas", "aparto", "apartes", "reserva", "reservas",
    "cambiarlas", "cambialas", "cambiale", "saldria", "saldran", "sabados", "domingos", "trasera",
    "delantera", "deposite", "recoja", "acepta", "cancele", "cancelas", "canceles", "apartelas",
    "cuentan", "llegaban", "paseme", "tiempo", "tienda", "tiendas", "pagare", "pagaron", "pago",
    "pagos", "pague", "salen", "salio", "calle", "calles", "carretera", "mejores", "normales",
    "basicas", "basico", "temprana", "tardes", "noches", "colonias", "avenidas", "modelos",
    "versiones", "tecnicos", "asesores", "pedidos", "llegar", "llego", "llegue", "abre", "cierra",
})  # fmt: skip

COMMON_WORDS: frozenset[str] = frozenset({
    "tarde", "noche", "noches", "dias", "tardes", "buenas", "buenos", "bueno", "buena", "gracias",
    "hola", "adios", "saludos", "quiero", "quiere", "quieren", "quisiera", "necesito", "necesita",
    "necesitan", "tengo", "tiene", "tienen", "tienes", "puedo", "puede", "pueden", "podria",
    "podrian", "cuando", "cuanto", "cuanta", "cuantos", "cuantas", "donde", "como", "porque",
    "para", "pero", "sobre", "entre", "hasta", "desde", "hacia", "menos", "mayor", "menor",
    "mismo", "misma", "mismos", "todas", "todos", "todo", "toda", "nada", "algo", "alguna",
    "alguno", "algunas", "algunos", "otra", "otro", "otras", "otros", "estan", "estoy", "estamos",
    "esta", "este", "esto", "esos", "esas", "eses", "ellas", "ellos", "usted", "ustedes",
    "nosotros", "ahora", "ahorita", "luego", "despues", "antes", "siempre", "nunca", "tambien",
    "entonces", "mejor", "peor", "mucho", "mucha", "muchos", "muchas", "poco", "pocos", "pocas",
    "cerca", "lejos", "dentro", "fuera", "arriba", "abajo", "precio", "precios", "barato",
    "barata", "baratos", "baratas", "caro", "cara", "caros", "caras", "costo", "costos", "cuesta",
    "cuestan", "vale", "valen", "pagar", "pago", "pagos", "pague", "tarjeta", "tarjetas", "meses",
    "llanta", "llantas", "rueda", "ruedas", "carro", "camioneta", "camion", "motor", "frenos",
    "freno", "aceite", "bateria", "sirve", "sirven", "servicio", "servicios", "taller", "talleres",
    "instalar", "instalan", "instalacion", "cambiar", "cambio", "cambian", "cambie", "pedido",
    "pedidos", "pedir", "pedimos", "orden", "ordenes", "compra", "compras", "comprar", "compre",
    "compro", "vender", "venden", "vendemos", "vendes", "vendido", "vendimos", "venta", "ventas",
    "entrega", "entregas", "entregar", "entregan", "llegan", "llega", "llegar", "llego",
    "llegaron", "salio", "salieron", "sucursal", "sucursales", "tienda", "tiendas", "horario",
    "horarios", "abren", "cierran", "abierto", "cerrado", "semana", "semanas", "lunes", "martes",
    "miercoles", "jueves", "viernes", "sabado", "domingo", "manana", "pasado", "hora", "horas",
    "minutos", "tiempo", "clima", "lluvia", "calor", "frio", "mundial", "futbol", "partido",
    "partidos", "receta", "recetas", "comida", "tacos", "pozole", "politica", "presidente",
    "elecciones", "tarea", "tareas", "celular", "celulares", "telefono", "computadora", "robot",
    "persona", "personas", "asesor", "asesores", "humano", "vendedor", "vendedora", "gerente",
    "encargado", "instrucciones", "sistema", "prompt", "datos", "clientes", "cliente", "nombre",
    "nombres", "correo", "correos", "direccion", "direcciones", "ciudad", "estado", "mexico",
    "garantia", "reclamo", "queja", "quejas", "falla", "fallas", "defecto", "ponchada", "ponchado",
    "ponchadura", "ponche", "pinchazo", "vibra", "vibran", "vibracion", "jala", "jalando",
    "desgasta", "desgaste", "desgastada", "presion", "aire", "inflar", "infladas", "rotar",
    "rotacion", "alinear", "alineacion", "balanceo", "balancear", "valvula", "valvulas",
    "nitrogeno", "medida", "medidas", "ancho", "perfil", "marca", "marcas", "modelo", "modelos",
    "michelin", "pirelli", "continental", "bridgestone", "firestone", "goodyear", "hankook",
    "yokohama", "existencias", "existencia", "inventario", "almacen", "bodega", "agotado",
    "agotados", "agotarse", "reporte", "pronostico", "demanda", "proyeccion", "estimado",
    "estimacion", "rutas", "ruta", "choferes", "chofer", "reparto", "repartidor", "camiones",
    "unidades", "piezas", "pieza", "juego", "juegos", "pares", "cada", "unas", "unos", "verdad",
    "claro", "perfecto", "excelente", "genial", "listo", "gusto", "placer", "favor", "ayuda",
    "ayudar", "ayudame", "llamar", "llamen", "llamada", "marcar", "mandar", "manden", "mande",
    "mandan", "enviar", "envian", "envio", "envios", "casa", "oficina", "trabajo", "domicilio",
    "recoger", "recojo", "paso", "pasar", "voy", "vamos", "vienen", "venir", "dinero", "efectivo",
    "transferencia", "deposito", "factura", "facturar", "credito", "contado", "descuento",
    "promocion", "promociones", "oferta", "ofertas", "apartar", "aparta", "apartame", "apartalas",
    "reservar", "seguro", "segura", "quizas", "tal", "vez", "parece", "pues", "bien", "mal",
    "malo", "mala", "feo", "fea", "raro", "rara", "hacer", "hago", "hace", "hacen", "dicen",
    "decir", "digo", "dijo", "dijeron", "sabe", "saber", "saben", "conocer", "ver", "veo", "mira",
    "mirar", "lista", "listas", "opcion", "opciones", "primera", "segunda", "tercera", "ultima",
    "recomienda", "recomiendas", "recomendada", "recomendado", "recomendacion", "economica",
    "economicas", "premium", "gama", "alta", "baja", "calidad", "duran", "dura", "durar",
    "kilometros", "kilometraje", "jeep", "leer", "creer", "cree", "creo", "correcto", "arreglar",
    "tierra", "terreno", "llevar", "media", "medio", "mediodia", "medias", "mediana", "pedida",
    "pedidas", "balatas", "balata", "clutch", "transmision", "afinacion", "recomendar",
    "recomendaron", "recomiendame", "whatsapp", "express", "compass",
})
# fmt: on


# Spanish number words up to what customers write for quantities and clock hours.
NUMBER_WORDS = {
    "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "veinte": 20,
}  # fmt: skip
