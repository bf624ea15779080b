"""``ogw-datalab init``: from a gemeente's code or name and a folder of files to a first configuration.

The steps, one module each: recognise the files by content (:mod:`.recognise_files`), find what was asked for
(:mod:`.find_gemeente`), choose the files that cover it (:mod:`.choose_sources`, :mod:`.choose_partners`), derive a
first catalogue and opgaven (:mod:`.first_catalogue`) and write the three files (:mod:`.write_configuration`).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .choose_partners import choose_partners
from .choose_sources import (
    Selection,
    choose_addresses,
    choose_areas,
    choose_layers,
    outline_of,
    read_kaart_codes,
)
from .find_gemeente import InitError, find_wanted
from .first_catalogue import FirstCatalogue, first_catalogue
from .national_sources import ODATA_PARTNER, NationalSources, national_sources
from .recognise_files import recognise_files
from .several_gemeenten import several_gemeenten_configuration
from .write_configuration import Files, file_name, files_for, header, output_folders, refuse_existing, relative
from .write_configuration import write_configuration as write_files


@dataclass
class Written:
    """What ``init`` wrote, and the sentences it prints."""

    files: Files
    found: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cannot_build: str | None = None
    indicators: int = 0
    opgaven: int = 0

    def report(self) -> str:
        """Say what was written, found and left out (and why), as the command line prints it."""
        lines = [f"wrote {', '.join(str(p) for p in self.files.all)}"]
        lines.append(f"  {self.indicators} indicators, {self.opgaven} opgaven")
        lines += ["found:"] + [f"  {line}" for line in self.found]
        lines += ["left out:"] + [f"  {line}" for line in self.left_out]
        lines += [f"note: {line}" for line in self.notes]
        return "\n".join(lines)


def write_first_configuration(
    asked: str, *, jaar: int, bronnen: Path | None, uit: Path | None = None, overschrijven: bool = False
) -> Written:
    """Write a configuration, catalogue and opgaven for ``asked`` (a gemeentecode, name, region or ``alle``).

    Parameters
    ----------
    asked
        ``GM0153``, ``Enschede`` (any case), a region (a folder of the kaart files, e.g. ``utrecht``) or ``alle``.
    jaar
        The year of the gebiedsindeling.
    bronnen
        The folder whose files (any depth) are recognised by their content; None: download blocks for the national
        open sources of ``jaar`` (:mod:`.national_sources`, which asks PDOK for the gemeente).
    uit
        The configuration file to write (default ``config/<naam>.yaml``); the catalogue and opgaven go beside it.
    overschrijven
        Write over existing files; without it an existing file is an error and nothing is written.

    Raises
    ------
    InitError
        One sentence: nothing to build from, an unknown gemeente (with the closest names), an existing file.
    """
    if uit is not None and uit.suffix.lower() not in (".yaml", ".yml"):  # else the editor checks it against no schema
        raise InitError(f"--uit {uit}: name the configuration file to write, ending in .yaml ({uit / 'naam.yaml'})")
    if bronnen is None:
        return _write_download_configuration(asked, jaar=jaar, uit=uit, overschrijven=overschrijven)
    if uit is not None:
        refuse_existing(files_for(uit), overschrijven=overschrijven)  # before the files are read, in seconds
    recognised = recognise_files(bronnen)
    wanted = find_wanted(asked, recognised.of_kind("kaart", "buurt"), bronnen)
    naam = file_name(wanted.naam or wanted.gemeenten or asked)
    files = files_for(uit if uit is not None else Path("config") / f"{naam}.yaml")
    refuse_existing(files, overschrijven=overschrijven)
    not_recognised = [f"{path}: not recognised ({why})" for path, why in recognised.not_recognised]
    not_recognised += [
        f"{f.label}: PC4 areas; no formula type uses them (a partner keyed by postcode is placed through BAG "
        "addresses, under bronnen.adressen)"
        for f in recognised.of_kind("pc4")
    ]
    not_recognised += [
        f"{f.label}: polygons without area codes; the first catalogue takes point layers only (add it under lagen "
        "with geometrie: vlakken for aandeel_oppervlak when it covers the whole gemeente)"
        for f in recognised.of_kind("vlakken")
    ]
    if wanted.gemeenten is not None:
        config, selection = several_gemeenten_configuration(recognised, wanted.gemeenten, jaar, files)
    else:
        selection = choose_areas(recognised, str(wanted.code), str(wanted.naam), jaar)
        outline = outline_of(selection)
        choose_layers(recognised, selection, outline)
        choose_addresses(recognised, selection, outline)
        choose_partners(recognised, selection, read_kaart_codes(selection))
        config = one_gemeente_configuration(selection, files)
    catalogue = first_catalogue(selection)
    config["indicatoren"] = files.indicatoren.name
    config["opgaven"] = files.opgaven.name
    title = wanted.naam or ("alle gemeenten" if wanted.gemeenten == "alle" else f"de gemeenten van {wanted.gemeenten}")
    return _write(files, config, catalogue, selection, title, bronnen, not_recognised, wanted.note)


def _write(
    files: Files,
    config: dict[str, Any],
    catalogue: FirstCatalogue,
    selection: Selection,
    title: str,
    bronnen: Path | None,
    not_recognised: list[str],
    note: str,
) -> Written:
    """Write the three files with their comments; return what was written, found and left out."""
    comments = {
        "configuratie": header(f"Configuratie van {title}", bronnen) + _cannot_build_comment(selection),
        "indicatoren": header(f"Indicatoren van {title}", bronnen)
        + [
            "Elke indicator die de gevonden bestanden dragen; vul bij 'onbekend: vul in' de uitgever en licentie in.",
            "Telt een puntenlaag openbare objecten (brandweerkazernes, scholen, bomen) en geen personen of meldingen,",
            "zet dan 'openbaar: true' bij haar aantal: dan staat het in elke buurt, ook onder de privacydrempels.",
        ],
        "opgaven": header(f"Opgaven van {title}", bronnen)
        + [
            "Standaardopgaven als startpunt: de teksten zeggen waar cijfers hoog of laag zijn, niet waarom.",
            "De richting zegt welke kant voor de opgave gunstig is; dat is een keuze van de opgave, geen oordeel",
            "over de buurt.",
        ],
    }
    write_files(files, config, catalogue.indicatoren, catalogue.opgaven, comments=comments)
    written = Written(
        files=files,
        found=selection.found,
        left_out=selection.left_out + catalogue.left_out + not_recognised,
        notes=[note] if note else [],
        cannot_build=selection.cannot_build,
        indicators=len(catalogue.indicatoren),
        opgaven=len(catalogue.opgaven),
    )
    if len(catalogue.opgaven) < 3:
        written.notes.append(f"only {len(catalogue.opgaven)} standard opgaven: the data found carry no more")
    return written


def _write_download_configuration(asked: str, *, jaar: int, uit: Path | None, overschrijven: bool) -> Written:
    """Without ``--bronnen``: ask PDOK for the gemeente, write download blocks for the national open sources."""
    folder = uit.parent if uit is not None else Path("config")
    if uit is not None:
        refuse_existing(files_for(uit), overschrijven=overschrijven)  # before any request
    up = "../" if folder.name == "config" else ""
    cache = folder / output_folders(folder, "x")["cache"]
    with tempfile.TemporaryDirectory(prefix="ogw-init-cache-") as answers:
        # the services' answers are kept in the configuration's cache (for 'fetch') only once the files are written
        sources = national_sources(
            asked, jaar, config_folder=folder, data_folder=f"{up}data/<naam>", cache=Path(answers)
        )
        written = _write_download_files(sources, folder, uit, overschrijven=overschrijven)
        cache.mkdir(parents=True, exist_ok=True)
        for answer in Path(answers).iterdir():
            shutil.move(answer, cache / answer.name)
    return written


def _write_download_files(sources: NationalSources, folder: Path, uit: Path | None, *, overschrijven: bool) -> Written:
    """Write the configuration with the sources' download blocks, its first catalogue and opgaven."""
    selection = sources.selection
    files = files_for(uit if uit is not None else folder / f"{file_name(selection.naam)}.yaml")
    refuse_existing(files, overschrijven=overschrijven)
    config = one_gemeente_configuration(selection, files)
    config["bronnen"] = sources.bronnen
    config["lagen"] = sources.lagen
    for partner in config["partners"]:
        if partner["naam"] == "cbs_kerncijfers":  # the kaart read as a partner: its file as downloaded, in RD New
            partner.pop("laag", None)
            partner["pad"], partner["crs"] = sources.bronnen["buurten"]["pad"], "EPSG:28992"
        elif sources.odata_partner is not None and partner["naam"] == ODATA_PARTNER:
            partner["download"] = sources.odata_partner
    catalogue = first_catalogue(selection)
    config["indicatoren"] = files.indicatoren.name
    config["opgaven"] = files.opgaven.name
    return _write(files, config, catalogue, selection, selection.naam, None, [], "")


def one_gemeente_configuration(selection: Selection, files: Files) -> dict[str, Any]:
    """Return the configuration of one gemeente (a :class:`~ogw_datalab.config.ProjectConfig`'s values)."""
    folder = files.config.parent
    buurten: dict[str, Any] = {"soort": "cbs_wijkbuurtkaart", "pad": relative(selection.buurten, folder)}
    wijken: dict[str, Any] = {"soort": "cbs_wijkbuurtkaart", "pad": relative(selection.wijken, folder)}
    areas = ((buurten, selection.buurten_laag, selection.buurten), (wijken, selection.wijken_laag, selection.wijken))
    for source, layer, path in areas:
        if layer:
            source["laag"] = layer
        if "*" in str(path):
            source["gemeenten"] = [selection.code]  # the files hold other gemeenten too: read only this one
    bronnen: dict[str, Any] = {"buurten": buurten, "wijken": wijken}
    if selection.adressen is not None:
        adressen: dict[str, Any] = {"soort": "bag_verblijfsobjecten", "pad": relative(selection.adressen.pad, folder)}
        if selection.adressen.laag:
            adressen["laag"] = selection.adressen.laag
        if selection.adressen.kolommen:
            adressen["kolommen"] = selection.adressen.kolommen
        bronnen["adressen"] = adressen
    config: dict[str, Any] = {
        "gemeente": {"code": selection.code, "naam": selection.naam},
        "jaar": selection.jaar,
        "bronnen": bronnen,
        "lagen": {layer.name: _layer(layer, folder) for layer in selection.layers},
        "partners": _partners(selection, buurten, folder),
        "indicatoren": "",
        "opgaven": "",
        "privacy": {"min_inwoners": 50, "min_noemer": 10, "min_respondenten": 30},
        "uitvoer": output_folders(folder, files.stem),
    }
    if selection.reference is not None:
        config["vergelijkbare_buurten"] = {
            "referentie": {"soort": "cbs_wijkbuurtkaart", "pad": relative(selection.reference, folder)}
        }
    return config


def _layer(layer: Any, folder: Path) -> dict[str, Any]:
    values: dict[str, Any] = {"soort": "vector", "geometrie": "punten", "pad": relative(layer.pad, folder)}
    if layer.laag:
        values["laag"] = layer.laag
    if layer.naam_kolom:
        values["kolommen"] = {"naam": layer.naam_kolom}
    return values


def _partners(selection: Selection, buurten: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    partners: list[dict[str, Any]] = []
    if selection.kerncijfers:
        kaart = {k: v for k, v in buurten.items() if k != "soort"}
        partners.append(
            {
                "naam": "cbs_kerncijfers",
                "uitgever": f"CBS, kerncijfers wijken en buurten {selection.jaar} (bij de wijk- en buurtkaart)",
                "soort": "cbs_wijkbuurtkaart",
                "sleutel": "buurtcode",
                **kaart,
                "gebiedsindeling": selection.jaar,
                "kolommen": {"buurtcode": selection.buurt_code_column, **selection.kerncijfers},
            }
        )
    for partner in selection.partners:
        partners.append(
            {
                "naam": partner.naam,
                "uitgever": "RIVM/GGD Gezondheidsmonitor (StatLine 50090NED)" if partner.rivm else partner.pad.name,
                "soort": "csv",
                "sleutel": partner.sleutel,
                "pad": relative(partner.pad, folder),
                "scheidingsteken": partner.separator,
                "decimaalteken": partner.decimal,
                "gebiedsindeling": selection.jaar,
                "kolommen": {partner.sleutel: partner.code_column, **{c.ours: c.column for c in partner.columns}},
            }
        )
    return partners


def _cannot_build_comment(selection: Selection) -> list[str]:
    if not selection.cannot_build:
        return []
    return [
        "",
        "LET OP: deze configuratie bouwt niet. " + selection.cannot_build_nl,
    ]
