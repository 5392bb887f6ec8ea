"""How Mexican customers actually write makes, models, tire brands, lines and branch cities."""

from __future__ import annotations

# Data tables read best several entries per line.
# fmt: off
# Nicknames and frequent misspellings; keys are canonical names as the database spells them.
MAKE_ALIASES: dict[str, tuple[str, ...]] = {
    "Volkswagen": ("vw", "volks", "volkswagen", "wolkswagen", "volkswaguen", "volkswagen",
                   "wolswagen", "bolkswagen", "volkwagen"),
    "Chevrolet": ("chevy", "chevrolet", "chebrolet", "chevrolet", "chevrolett", "chevro"),
    "Mitsubishi": ("mitsu", "mitsubichi", "mitsubishi"),
    "Hyundai": ("hiundai", "hyunday", "hiunday", "jiundai", "hyundae", "hundai"),
    "Suzuki": ("susuki", "suzuky", "suzuqui"),
    "Renault": ("renol", "renault", "reanult", "renaul"),
    "Peugeot": ("pejo", "peujo", "peugot", "pegueot", "peugeot"),
    "Mazda": ("masda",),
    "Toyota": ("tollota", "toyotita", "toyora"),
    "Nissan": ("nisan", "nissa", "nissancito"),
    "Dodge": ("doge", "dodge"),
    "Isuzu": ("isusu",),
    "Honda": ("jonda",),
}

# Model nicknames. Model-only aliases let "vocho" or "jeta 2020" name a make too.
MODEL_ALIASES: dict[str, tuple[str, ...]] = {
    "Jetta": ("jeta", "yeta", "yetta", "jetta", "jettita"),
    "Sedán": ("vocho", "vochito", "bocho", "bochito", "escarabajo", "vochol"),
    "Versa": ("bersa", "versa", "versita"),
    "Tsuru": ("tsuru", "zuru", "tzuru", "suru", "tsurito", "tsurú"),
    "Aveo": ("abeo", "aveo", "avello", "aveito"),
    "Hilux": ("hilux", "hilix", "hailux", "jailux", "hi lux", "hilus"),
    "Corolla": ("corola", "corolla"),
    "Sentra": ("sentra", "sentrita"),
    "Silverado": ("silverado", "silverao", "silberado"),
    "Tacoma": ("tacoma",),
    "Grand i10": ("i10", "grand i10", "grandi10"),
    "NP300": ("np300", "np 300", "estaquitas"),
    "X-Trail": ("xtrail", "x trail", "xtreil"),
    "CR-V": ("crv", "cr v", "cr-v"),
    "HR-V": ("hrv", "hr v"),
    "BR-V": ("brv", "br v"),
    "Sportage": ("sportaje", "esportage"),
    "March": ("marsh",),
    "Tiguan": ("tiguan", "tiguán"),
    "Cavalier": ("cavalier", "cabalier"),
    "Mustang": ("mostang", "mustang"),
    "EcoSport": ("ecosport", "eco sport"),
    "F-150": ("f150", "efe150", "lobito"),
    "Jetta Clásico": ("jetta clasico", "jeta clasico", "jetta a4"),
    "RAV4": ("rav4", "rav 4", "raf4"),
    "Mazda 3": ("mazda3", "mazda 3", "mazdita 3"),
    "Mazda 2": ("mazda2", "mazda 2", "mazdita"),
    "Frontier": ("frontier", "fronteir", "frontiar"),
    "D-Max": ("dmax", "d max"),
    "Grand Cherokee": ("grand cherokee", "gran cherokee"),
    "Wrangler": ("wrangler", "rangler"),
}

# Model names that are also everyday words or bare numbers ("el escape", "río", "avanza",
# "sedán", "2008"): they count only next to their make or a model year.
CONTEXT_MODELS: frozenset[str] = frozenset(
    {"sedan", "rio", "escape", "avanza", "leon", "fit", "city", "soul", "lobo", "polo",
     "golf", "2008", "208", "700", "1500", "2500"}
)

BRAND_ALIASES: dict[str, tuple[str, ...]] = {
    "BFGoodrich": ("bf goodrich", "bfg", "bf", "goodrich", "bfgoodrich", "b f goodrich"),
    "Goodyear": ("good year", "gudyear", "gudyir", "goodyer", "goodyar"),
    "General Tire": ("general tire", "general tires", "generaltire"),
    "Continental": ("conti", "continetal", "continenal"),
    "Michelin": ("michellin", "mishelin", "michelín", "michelin", "michellín", "michelan"),
    "Bridgestone": ("brigestone", "bridgeston", "bridestone", "bridgstone"),
    "Pirelli": ("pireli", "pirelly", "pirely", "pirrelli"),
    "Hankook": ("hankok", "jankuk", "hancook"),
    "Yokohama": ("yoko", "yokojama"),
    "Euzkadi": ("euskadi", "euzcadi", "euzkadi"),
    "Firestone": ("fire stone", "fairstone", "firestone"),
    "Westlake": ("west lake",),
    "Linglong": ("ling long",),
    "Landsail": ("land sail",),
    "Tornel": ("tornell",),
}

# Line words that are ordinary Spanish or vehicle names: they need their brand nearby.
CONTEXT_LINE_WORDS: frozenset[str] = frozenset(
    {"real", "clasica", "astral", "carrier", "cargo", "euro", "wrangler", "energy", "eagle",
     "destination", "advantage", "pilot", "green"}
)
# First words of line names too generic to name a family of lines.
GENERIC_LINE_WORDS: frozenset[str] = frozenset(
    {"all", "p", "sp", "ls", "f", "h", "ast", "at", "ht", "mud", "n", "nblue"}
)

# Extra ways to name a branch, added to whatever names the database gives for that code.
BRANCH_NICKNAMES: dict[str, tuple[str, ...]] = {
    "CDMX": ("cdmx", "df", "d.f.", "distrito federal", "ciudad de mexico", "cd de mexico",
             "mexico df", "chilangolandia", "insurgentes", "benito juarez", "la capital"),
    "GDL": ("gdl", "guadalajara", "guanatos", "jalisco", "zapopan", "lopez mateos", "guadalajara"),
    "MTY": ("mty", "monterrey", "monterey", "nuevo leon", "obispado", "constitucion", "mtyy"),
}
# fmt: on
