"""The front page ``index.html`` and the colophon ``colofon.html``.

The front page shows per opgave a small map, its key figures and priority buurten, every indicator and every
wijk and buurt; the colophon gives sources, licences and every formula in words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Privacy
from ..indicators.opgaven import Opgave
from ..timeseries.publish import colofon_tekst
from .build_map_pages import gemeente_text, opgave_sentences, page_name, profile_href, score_layer
from .build_method_pages import method_links
from .colours import NEED_PALETTE
from .dutch import format_date, format_number, format_score, join_words, value_with_unit
from .explain import explain_formula, explain_protection, explain_roll_up
from .pages import Pages
from .sensors import QUALITY_COLUMNS, SENSOR_RASTER_M, quality_rows
from .shapes import SiteShapes
from .site_data import KIEMEN_BUFFER_M, SiteData
from .svg import Shape, numbered_marker, svg_map


def thumbnail(data: SiteData, shapes: SiteShapes, opgave: Opgave) -> str:
    """Draw a small static map of an opgave's score, the priority buurten outlined and numbered, with alt text."""
    colours = score_layer(data, opgave).colours
    top = data.top_of(opgave.id)
    position = {code: i for i, code in enumerate(data.buurten.index)}
    pictures = [Shape(d, c, stroke="#ffffff", stroke_width=1) for d, c in zip(shapes.paths, colours, strict=True)]
    radius = max(shapes.projection.width, shapes.projection.height) / 40
    outlines, markers = [], []
    for number, code in enumerate(top["buurtcode"], start=1):
        i = position[code]
        outlines.append(Shape(shapes.paths[i], "none", stroke="#1a1a1a", stroke_width=radius / 3))
        x, y = shapes.centres[i]
        markers.append(numbered_marker(x, y, number, radius=radius))
    names = join_words([f"{n} {name}" for n, name in enumerate(top["buurtnaam"], start=1)])
    label = (
        f"Kaart van {data.gemeente.naam} met de score voor {opgave.titel} per buurt: hoe donkerder, hoe meer aandacht."
        + (f" Genummerd de buurten die de meeste aandacht vragen: {names}." if len(top) else "")
    )
    return svg_map(
        [*pictures, *outlines], shapes.projection, label=label, css_class="duimnagel", extra="".join(markers)
    )


def build_index(pages: Pages, data: SiteData, shapes: SiteShapes) -> Path:
    """Write ``index.html``.

    Every opgave with a small map, key figures and priority buurten; all indicators; all wijken and buurten.
    """
    opgaven = []
    for opgave in data.opgaven:
        top = data.top_of(opgave.id)
        opgaven.append(
            {
                "id": opgave.id,
                "titel": opgave.titel,
                "angel": opgave.angel,
                "href": page_name("opgave", opgave.id),
                "kaartje": thumbnail(data, shapes, opgave),
                "zinnen": opgave_sentences(data, opgave, with_top=False),
                "prioriteiten": [
                    {
                        "naam": row["buurtnaam"],
                        "href": profile_href(row["buurtcode"]),
                        "score": format_score(row["score"]),
                        "drijvers": join_words(row["drijvers"].split("; ")) if isinstance(row["drijvers"], str) else "",
                    }
                    for _, row in top.iterrows()
                ],
            }
        )
    indicators = [
        {
            "titel": i.titel,
            "href": page_name("indicator", i.id),
            "gemeente": gemeente_text(data, i),
            "nederland": value_with_unit(i.nederland, i) if i.nederland is not None else "–",
            "bron": i.bron.text(),
        }
        for i in data.catalogue.indicatoren
    ]
    return pages.render(
        "index.html",
        "index.html",
        opgaven=opgaven,
        indicators=indicators,
        wijken=_areas(data),
        legend=NEED_PALETTE,
    )


def _areas(data: SiteData) -> list[dict[str, Any]]:
    groups = [
        {
            "naam": row["wijknaam"],
            "href": profile_href(str(code)),
            "buurten": [(data.buurten.at[b, "buurtnaam"], profile_href(b)) for b in data.buurten_of_wijk(str(code))],
        }
        for code, row in data.wijken.iterrows()
    ]
    loose = data.buurten[data.buurten["wijkcode"].isna()]
    if len(loose):
        groups.append(
            {
                "naam": "Buurten buiten de wijken",
                "href": "",
                "buurten": [(n, profile_href(c)) for c, n in loose["buurtnaam"].items()],
            }
        )
    return groups


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
    """Say in Dutch which configured source a file is ('sources.buurten' -> 'buurtgrenzen')."""
    fixed = {"sources.buurten": "buurtgrenzen", "sources.wijken": "wijkgrenzen", "sources.adressen": "adressen (BAG)"}
    if bron in fixed:
        return fixed[bron]
    kind, _, name = bron.partition(".")
    words = {"layers": "kaartlaag", "partners": "gegevens van partner", "tijdreeksen": "meetreeks"}
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
