"""The front page ``index.html``.

Per opgave a small map, its key figures and priority buurten; every indicator; every wijk and buurt. The colophon
has its own module, :mod:`.build_colophon`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..indicators.opgaven import Opgave
from .build_map_pages import gemeente_text, opgave_sentences, page_name, profile_href, score_layer
from .colours import NEED_PALETTE
from .dutch import format_score, join_words, value_with_unit
from .pages import Pages
from .shapes import SiteShapes
from .site_data import SiteData
from .svg import Shape, numbered_marker, spread_apart, svg_map


def thumbnail(data: SiteData, shapes: SiteShapes, opgave: Opgave) -> str:
    """Draw a small static map of an opgave's score, the priority buurten outlined and numbered, with alt text."""
    colours = score_layer(data, opgave).colours
    top = data.top_of(opgave.id)
    position = {code: i for i, code in enumerate(data.buurten.index)}
    pictures = [Shape(d, c, stroke="#ffffff", stroke_width=1) for d, c in zip(shapes.paths, colours, strict=True)]
    radius = max(shapes.projection.width, shapes.projection.height) / 40
    outlines, markers = [], []
    centres = [shapes.centres[position[code]] for code in top["buurtcode"]]
    places = spread_apart(centres, 2.2 * radius, (shapes.projection.width, shapes.projection.height))
    for number, code in enumerate(top["buurtcode"], start=1):
        i = position[code]
        outlines.append(Shape(shapes.paths[i], "none", stroke="#1a1a1a", stroke_width=radius / 3))
        (x, y), (px, py) = centres[number - 1], places[number - 1]
        if (px, py) != (x, y):  # moved so that no number hides another: a line back to its buurt
            markers.append(
                f'<line x1="{x:.0f}" y1="{y:.0f}" x2="{px:.0f}" y2="{py:.0f}" stroke="#1a1a1a" '
                f'stroke-width="{radius / 5:.1f}"/>'
            )
        markers.append(numbered_marker(px, py, number, radius=radius))
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
