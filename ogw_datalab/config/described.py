"""Descriptions and examples of the keys that a configuration of one gemeente and one of several share.

They are Dutch (the user reads them in the editor, from the JSON Schema: ``ogw-datalab schema``).
"""

from __future__ import annotations

BRONNEN_DESCRIPTION = "de bestanden van de buurten, de wijken en (als dat kan) de adressen van de woningen"
BRONNEN_EXAMPLE = {
    "buurten": {"soort": "cbs_wijkbuurtkaart", "pad": "../data/wijkenbuurten_2024.gpkg", "laag": "buurten"},
    "wijken": {"soort": "cbs_wijkbuurtkaart", "pad": "../data/wijkenbuurten_2024.gpkg", "laag": "wijken"},
}
LAGEN_DESCRIPTION = (
    "lagen van punten en vlakken uit open data (bomen, groen, speelplekken, voorzieningen), elk met een eigen naam"
)
LAGEN_EXAMPLE = {
    "bomen": {
        "soort": "vector",
        "geometrie": "punten",
        "pad": "../data/bomen.geojson",
        "kolommen": {"id": "BOOMNUMMER"},
    }
}
PARTNERS_DESCRIPTION = (
    "gegevens van partners (woningcorporatie, GGD, politie), per rij in een buurt geplaatst met hun sleutel"
)
PARTNERS_EXAMPLE = [
    {
        "naam": "ggd",
        "sleutel": "buurtcode",
        "soort": "csv",
        "pad": "../data/ggd.csv",
        "kolommen": {"buurtcode": "WijkenEnBuurten", "eenzaam_pct": "Eenzaam_28"},
    }
]
INDICATOREN_DESCRIPTION = "de indicatorcatalogus (YAML): elk getal op een kaart, met bron en formule"
OPGAVEN_DESCRIPTION = "het bestand met de opgaven (YAML): waar het knelt en welke indicatoren dat laten zien"
PARAMETERS_EXAMPLE = {"park_laag": "groen", "park_afstand_m": 300}
PRIVACY_EXAMPLE = {"min_inwoners": 50, "min_noemer": 10}
PARAMETERS_DESCRIPTION = "hoe parken gekozen en bereikt worden, en welke buurten zonder inwoners mogen zijn"
PRIVACY_DESCRIPTION = "onthullingscontrole: onder deze drempels wordt een cijfer nooit gepubliceerd"
VERGELIJKBARE_BUURTEN_DESCRIPTION = "zoek voor elke buurt de buurten elders die er in opbouw het meest op lijken"
TIJDREEKSEN_DESCRIPTION = "tijdreeksen van meetpunten (luchtkwaliteit, geluid), samengevat per buurt en maand"
TIJDREEKSEN_EXAMPLE = {
    "lucht": {
        "bronnen": [
            {
                "soort": "long",
                "pad": "../data/metingen.csv",
                "tijd": {"zone": "offset"},
                "kolommen": {"sensor": "sensor", "grootheid": "grootheid", "waarde": "waarde", "eenheid": "eenheid"},
            }
        ],
        "sensoren": {"pad": "../data/sensoren.csv", "kolommen": {"sensor": "id"}, "x": "lon", "y": "lat"},
    }
}
