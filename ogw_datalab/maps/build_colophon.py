"""The colophon ``colofon.html``: sources, licences and every formula in words.

Per indicator what it measures, how it is computed, rolled up and protected (:mod:`.explain`), with its source,
year and licence; disclosure control; the sensor time series and their quality checks; how similar buurten are
chosen; and every file the site was made from, with its date and checksum.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Privacy
from ..timeseries.publish import colofon_tekst
from .build_method_pages import method_links
from .dutch import format_date, format_number, join_words
from .explain import explain_formula, explain_protection, explain_roll_up
from .pages import Pages
from .site_data import KIEMEN_BUFFER_M, SiteData
from .tijdreeksen import QUALITY_COLUMNS, SENSOR_RASTER_M, quality_rows


def build_colophon(pages: Pages, data: SiteData, privacy: Privacy) -> Path:
    """Write ``colofon.html``.

    Per indicator what it measures, how it is computed (in words), its source, year and licence; disclosure
    control; methods; the downloads. Technical names appear only in a closed section.
    """
    indicators = [
        {
            "id": i.id,
            "titel": i.titel,
            "eenheid": i.eenheid,
            "beschrijving": i.beschrijving,
            "berekening": explain_formula(i),
            "optellen": explain_roll_up(i),
            "bescherming": explain_protection(i, privacy),
            "bron": i.bron,
            "niveaus": join_words(i.niveaus),
            "formule": i.formule.type,
            "modelschatting": i.modelschatting,
        }
        for i in data.catalogue.indicatoren
    ]
    return pages.render(
        "colofon.html",
        "colofon.html",
        indicators=indicators,
        privacy=privacy,
        kiemen_afstand=int(KIEMEN_BUFFER_M),
        indelingen=data.indelingen,
        opgaven=data.opgaven,
        sensoren=[
            {
                "naam": name,
                "tekst": colofon_tekst(series.reeks, series.kwaliteit) if len(series.kwaliteit) else [],
                "kolommen": [title for _, title in QUALITY_COLUMNS],
                "rijen": quality_rows(series),
            }
            for name, series in data.tijdreeksen.items()
        ],
        raster=format_number(SENSOR_RASTER_M),
        vergelijkbaar=similar_method(data),
        bestanden=[{**f, "wat": source_label(f["bron"]), "datum": format_date(f["datum"])} for f in data.bestanden],
        **method_links(),
    )


def source_label(bron: str) -> str:
    """Say in Dutch which configured source a file is ('bronnen.buurten' -> 'buurtgrenzen')."""
    fixed = {"bronnen.buurten": "buurtgrenzen", "bronnen.wijken": "wijkgrenzen", "bronnen.adressen": "adressen (BAG)"}
    if bron in fixed:
        return fixed[bron]
    kind, _, name = bron.partition(".")
    words = {"lagen": "kaartlaag", "partners": "gegevens van partner", "tijdreeksen": "meetreeks"}
    return f"{words.get(kind, kind)} {name.replace('_', ' ')}".strip()


def similar_method(data: SiteData) -> list[str]:
    """Explain in Dutch words how the similar buurten are chosen and compared (empty without the search)."""
    settings = data.vergelijkbaar
    if settings is None:
        return []
    where = "in andere gemeenten" if not settings.zelfde_gemeente else "in het hele gebied, ook in de eigen gemeente"
    return [
        f"Voor elke buurt zoeken we de {settings.aantal} buurten {where} die er in opbouw het meest op lijken. "
        f"We vergelijken op {join_words(data.similar_features())} (kerncijfers van het CBS).",
        "Dichtheden vergelijken we op een logaritmische schaal, zodat 100 tegenover 200 inwoners per km² even "
        "zwaar weegt als 5.000 tegenover 10.000; aandelen en de huishoudensgrootte zoals ze zijn, de stedelijkheid "
        "(1 tot 5) als getal. Elk kenmerk rekenen we om naar een standaardscore over alle buurten waarin we zoeken "
        "(het verschil met het gemiddelde, gedeeld door de standaardafwijking), zodat elk kenmerk even zwaar telt. "
        "De vergelijkbare buurten zijn die met de kleinste afstand over alle kenmerken samen; bij gelijke afstand "
        "gaat de laagste buurtcode voor.",
        f"Buurten met minder dan {format_number(settings.min_inwoners)} inwoners worden niet vergeleken en tellen "
        "ook niet als vergelijking. Per indicator zetten we de gepubliceerde waarde van de buurt naast die van haar "
        'vergelijkbare buurten: het midden (de mediaan) en hoeveel er lager en hoger liggen, bijvoorbeeld "hoger '
        f'dan 8 van 10 vergelijkbare buurten". Onderdrukte waarden tellen niet mee; hebben minder dan '
        f"{settings.min_met_waarde} vergelijkbare buurten een waarde, dan vergelijken we niet.",
        "Lijkt een buurt in opbouw op een andere, dan zijn ze nog niet in alles gelijk: de vergelijking laat zien "
        "waar een verschil opvalt, niet waardoor het komt.",
    ]
