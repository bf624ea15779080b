"""Models of ``tijdreeksen:``: point sensors measuring every hour (air quality, noise), their files and rules.

How the files are read, checked and aggregated per buurt and month is :mod:`ogw_datalab.timeseries`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator

from .strict import NAME, StrictModel

TimeseriesKind = Literal["long", "wide", "sensor_community"]
TIMESERIES_KINDS: tuple[str, ...] = get_args(TimeseriesKind)
TimeseriesDownloadKind = Literal["luchtmeetnet", "sensorthings"]
TIMESERIES_DOWNLOAD_KINDS: tuple[str, ...] = get_args(TimeseriesDownloadKind)
HeaderLine = Literal["sensor", "grootheid", "eenheid"]
SensorSoort = Literal["referentie", "laagkosten"]
SENSOR_SOORTEN: tuple[str, ...] = get_args(SensorSoort)
# WHO global air quality guidelines 2021, 24-hour means in µg/m³ (99th percentile: 3-4 exceedance days a year).
WHO_2021_24H = {"NO2": 25.0, "PM25": 15.0, "PM10": 45.0}


def _check_zone(value: str) -> str:
    import zoneinfo  # the IANA database; only needed to validate a named zone

    if value in ("offset", "UTC"):
        return value
    if value not in zoneinfo.available_timezones():
        raise ValueError(
            f"unknown time zone {value!r}: use 'offset' (every time carries its own +02:00 or Z), 'UTC', "
            "or an IANA name such as Europe/Amsterdam"
        )
    return value


def _header_lines(*lines: HeaderLine) -> list[HeaderLine]:
    return list(lines)


def _equal_weights() -> dict[SensorSoort, float]:
    return {"referentie": 1.0, "laagkosten": 1.0}


class Tijd(StrictModel):
    """How a file writes its times; the zone is never guessed."""

    old_keys: ClassVar[Mapping[str, str]] = {"column": "kolom", "format": "formaat"}

    kolom: str = Field(
        "tijd", description="de kolom met de tijden (wide: leeg is de eerste kolom)", examples=["tijdstip"]
    )
    zone: str = Field(
        description="'offset' (elke tijd draagt +02:00 of Z), 'UTC', of een IANA-naam (lokale tijd)",
        examples=["offset", "Europe/Amsterdam"],
    )
    formaat: str | None = Field(
        None, description="strptime-formaat, bijvoorbeeld '%d-%m-%y %H:%M'; leeg: ISO 8601", examples=["%d-%m-%Y %H:%M"]
    )
    label: Literal["begin", "eind"] = Field(
        "begin", description="of een tijd het begin of het eind van zijn uur noemt", examples=["eind"]
    )
    dubbelzinnig: Literal["volgorde", "zomertijd", "wintertijd", "weglaten"] = Field(
        "volgorde",
        description="lokale tijd, het dubbele uur aan het eind van de zomertijd: op volgorde in het bestand (eerst "
        "zomertijd, dan wintertijd), altijd een van de twee, of weglaten",
        examples=["volgorde"],
    )
    niet_bestaand: Literal["fout", "weglaten"] = Field(
        "fout",
        description="lokale tijd, een tijd in het uur dat aan het begin van de zomertijd wegvalt: een fout, "
        "of weglaten",
        examples=["fout"],
    )

    @field_validator("zone")
    @classmethod
    def _zone_known(cls, value: str) -> str:
        return _check_zone(value)


class TijdreeksDownload(StrictModel):
    """Where ``ogw-datalab fetch`` gets a time-series source (network code lives in ``ogw_datalab.fetch``)."""

    old_keys: ClassVar[Mapping[str, str]] = {"kind": "dienst"}

    dienst: TimeseriesDownloadKind = Field(
        description="de dienst: luchtmeetnet (meetstations van het RIVM) of sensorthings (Samen Meten)",
        examples=["luchtmeetnet"],
    )
    url: str = Field(
        description="het begin van de API: https://api.luchtmeetnet.nl/open_api of https://api-samenmeten.rivm.nl/v1.0",
        examples=["https://api.luchtmeetnet.nl/open_api"],
    )
    stations: list[str] = Field(
        default_factory=list, description="luchtmeetnet: de nummers van de stations", examples=[["NL49014"]]
    )
    grootheden: dict[str, str] = Field(
        default_factory=dict,
        description="de grootheid van de API (luchtmeetnet-formule NO2, PM25; sensorthings-datastream no2, pm25_kal) "
        "-> onze grootheid",
        examples=[{"NO2": "NO2", "PM25": "PM25"}],
    )
    codegemeente: str | None = Field(
        None, description="sensorthings: properties/codegemeente (leeg: de gemeente)", examples=["484"]
    )
    soort: SensorSoort | None = Field(
        None,
        description="de soort van de opgehaalde sensoren (leeg: luchtmeetnet referentie, sensorthings laagkosten)",
        examples=["referentie"],
    )
    van: str | None = Field(
        None,
        description="de eerste dag om op te halen, JJJJ-MM-DD (leeg: de eerste van vorige maand)",
        examples=["2024-01-01"],
    )
    tot: str | None = Field(
        None, description="de dag na de laatste om op te halen, JJJJ-MM-DD (leeg: vandaag)", examples=["2024-02-01"]
    )
    venster_dagen: int = Field(7, ge=1, le=31, description="luchtmeetnet: het aantal dagen per verzoek", examples=[7])

    @model_validator(mode="after")
    def _inputs(self) -> TijdreeksDownload:
        if self.dienst == "luchtmeetnet" and not self.stations:
            raise ValueError("dienst 'luchtmeetnet' needs 'stations' (station numbers such as NL49014)")
        if not self.grootheden:
            raise ValueError("give 'grootheden': the API's quantity names and ours, e.g. {NO2: NO2, PM25: PM25}")
        return self


class SensorTabel(StrictModel):
    """A table with one row per sensor (or per sensor and period) and its location."""

    old_keys: ClassVar[Mapping[str, str]] = {
        "path": "pad",
        "columns": "kolommen",
        "separator": "scheidingsteken",
        "decimal": "decimaalteken",
        "encoding": "tekenset",
    }

    pad: Path = Field(description="het bestand met de sensoren (CSV)", examples=["../data/sensoren.csv"])
    kolommen: dict[str, str] = Field(
        default_factory=dict,
        description="onze naam -> kolom in het bestand: sensor (verplicht), soort, fase, van, tot (tijden met "
        "offset of Z)",
        examples=[{"sensor": "id", "soort": "soort"}],
    )
    x: str = Field(description="de kolom met de x-coördinaat of de lengtegraad", examples=["lon"])
    y: str = Field(description="de kolom met de y-coördinaat of de breedtegraad", examples=["lat"])
    crs: str | None = Field(
        None, description="het coördinatenstelsel van x en y; leeg: afgeleid uit de waarden", examples=["EPSG:4326"]
    )
    scheidingsteken: str = Field(",", description="het teken tussen de velden van een regel", examples=[","])
    decimaalteken: str = Field(".", description="het decimaalteken van getallen", examples=["."])
    tekenset: str = Field("utf-8-sig", description="de tekenset van het bestand", examples=["utf-8-sig"])

    @model_validator(mode="after")
    def _sensor_column(self) -> SensorTabel:
        if "sensor" not in self.kolommen:
            raise ValueError("'kolommen' needs 'sensor': the column with the sensor id")
        return self


class TijdreeksBron(StrictModel):
    """One file (or a glob of files) of hourly point measurements."""

    old_keys: ClassVar[Mapping[str, str]] = {
        "kind": "soort",
        "path": "pad",
        "columns": "kolommen",
        "separator": "scheidingsteken",
        "decimal": "decimaalteken",
        "encoding": "tekenset",
        "na_values": "leeg_als",
    }

    soort: TimeseriesKind = Field(
        description="de vorm van het bestand: long (een rij per meting), wide (een kolom per sensor) of "
        "sensor_community (de archiefbestanden van Sensor.Community)",
        examples=["long"],
    )
    pad: Path = Field(
        description="een bestand, of een patroon zoals ../data/sensor_community/*.csv",
        examples=["../data/metingen.csv"],
    )
    tijd: Tijd = Field(
        description="hoe het bestand zijn tijden schrijft", examples=[{"kolom": "tijd", "zone": "offset"}]
    )
    scheidingsteken: str = Field(",", description="het teken tussen de velden van een regel", examples=[";"])
    decimaalteken: str = Field(".", description="het decimaalteken van getallen", examples=[","])
    tekenset: str = Field("utf-8-sig", description="de tekenset van het bestand", examples=["utf-8-sig"])
    leeg_als: list[str] = Field(
        default_factory=lambda: ["", "NaN", "nan", "NA", "null", "-"],
        description="celwaarden die 'geen meting' betekenen",
        examples=[["", "NaN", "-"]],
    )
    interval: Literal["uur", "ruw"] = Field(
        "uur",
        description="'uur': uurgemiddelden op het hele uur; 'ruw': losse metingen, hier per uur gemiddeld",
        examples=["uur"],
    )
    min_waarden_per_uur: int = Field(
        1, ge=1, description="ruw: het aantal metingen dat een uurgemiddelde nodig heeft", examples=[3]
    )
    kolommen: dict[str, str] = Field(
        default_factory=dict,
        description="long: onze naam -> kolom in het bestand voor sensor, grootheid, waarde en eenheid",
        examples=[{"sensor": "sensor", "grootheid": "grootheid", "waarde": "waarde", "eenheid": "eenheid"}],
    )
    grootheid: str | None = Field(
        None, description="de grootheid van elke waarde (wide-bestanden met één grootheid)", examples=["NO2"]
    )
    eenheid: str | None = Field(None, description="de eenheid van elke waarde", examples=["ug/m3"])
    kopregels: list[HeaderLine] = Field(
        default_factory=lambda: _header_lines("sensor"),
        description="wide: wat elke kopregel per kolom noemt (sensor, grootheid, eenheid)",
        examples=[["sensor", "grootheid", "eenheid"]],
    )
    overslaan: list[str] = Field(
        default_factory=list, description="wide: kolommen die geen sensor zijn", examples=[["opmerking"]]
    )
    sensor_namen: dict[str, str] = Field(
        default_factory=dict,
        description="sensor-id in dit bestand -> de id die hier gebruikt wordt",
        examples=[{"NL10418": "NL49014"}],
    )
    sensoren: SensorTabel | None = Field(
        None,
        description="de eigen sensortabel van deze bron (leeg: de gedeelde)",
        examples=[{"pad": "../data/sensoren.csv", "kolommen": {"sensor": "id"}, "x": "lon", "y": "lat"}],
    )
    download: TijdreeksDownload | None = Field(
        None,
        description="waar 'ogw-datalab fetch' deze bron ophaalt",
        examples=[
            {
                "dienst": "luchtmeetnet",
                "url": "https://api.luchtmeetnet.nl/open_api",
                "stations": ["NL49014"],
                "grootheden": {"NO2": "NO2"},
            }
        ],
    )

    @model_validator(mode="after")
    def _consistent(self) -> TijdreeksBron:
        if self.soort == "long":
            missing = [c for c in ("sensor", "waarde") if c not in self.kolommen]
            if missing:
                raise ValueError(f"soort 'long' needs a column mapping for {missing} under 'kolommen'")
            if "grootheid" not in self.kolommen and self.grootheid is None:
                raise ValueError("soort 'long' needs a 'grootheid' column under 'kolommen' or one 'grootheid'")
        if self.soort == "wide":
            if self.kopregels.count("sensor") != 1 or len(set(self.kopregels)) != len(self.kopregels):
                raise ValueError("'kopregels' must name 'sensor' once (and 'grootheid', 'eenheid' at most once)")
            if "grootheid" not in self.kopregels and self.grootheid is None:
                raise ValueError("soort 'wide' needs 'grootheid' (or a header line 'grootheid' in 'kopregels')")
        if self.soort in ("long", "wide") and self.eenheid is None and "eenheid" not in self.kolommen:
            if "eenheid" not in self.kopregels:
                raise ValueError("give the unit: 'eenheid' (e.g. ug/m3), a column or a header line with it")
        if self.download is not None and (self.soort != "long" or self.sensoren is None):
            raise ValueError(
                "a source with 'download' is soort 'long' with its own 'sensoren' (the fetcher writes both)"
            )
        return self


class Fase(StrictModel):
    """A period in which sensors stood somewhere else, e.g. beside a reference station for calibration."""

    naam: str = Field(pattern=NAME, description="de naam van de fase", examples=["kalibratie"])
    sensoren: list[str] = Field(
        min_length=1, description="sensor-id's of patronen zoals 'waag_*'", examples=[["waag_*"]]
    )
    van: dt.date = Field(
        description="de eerste dag (lokale datum, in de zone van de tijdreeks)", examples=["2024-03-01"]
    )
    tot: dt.date = Field(description="de laatste dag, die meetelt (lokale datum)", examples=["2024-03-31"])
    locatie: str | None = Field(
        None, description="stond op de plek van deze sensor (leeg: op de eigen plek)", examples=["NL49014"]
    )
    meetellen: bool = Field(
        False, description="of de waarden van deze periode meetellen in de cijfers per buurt", examples=[False]
    )

    @model_validator(mode="after")
    def _ordered(self) -> Fase:
        if self.tot < self.van:
            raise ValueError(f"fase '{self.naam}': 'tot' ({self.tot}) is before 'van' ({self.van})")
        return self


class Onbetrouwbaar(StrictModel):
    """A period the source says not to trust, for some sensors."""

    sensoren: list[str] = Field(min_length=1, description="sensor-id's of patronen", examples=[["sensor_12"]])
    van: dt.date | None = Field(None, description="de eerste dag (lokale datum); leeg: open", examples=["2024-05-01"])
    tot: dt.date | None = Field(
        None, description="de laatste dag, die meetelt (lokale datum); leeg: open", examples=["2024-05-14"]
    )
    reden: str = Field(description="waarom deze waarden niet te vertrouwen zijn", examples=["sensor defect gemeld"])


class Uitschieters(StrictModel):
    """Outliers: a sensor's hourly value compared with the nearest reference station at the same hour."""

    methode: Literal["mad", "verschil"] = Field(
        "mad",
        description="'mad': het verschil met de referentie ligt meer dan 'factor' robuuste standaardafwijkingen van "
        "het eigen mediane verschil van de sensor; 'verschil': |waarde - referentie| > max_verschil",
        examples=["mad"],
    )
    factor: float = Field(5.0, gt=0, description="mad: het aantal robuuste standaardafwijkingen", examples=[5])
    max_verschil: float = Field(
        50.0, gt=0, description="verschil: het grootste verschil, in de eenheid van de waarden", examples=[50]
    )
    max_afstand_m: float = Field(
        10_000.0,
        gt=0,
        description="geen vergelijking met een referentie die verder weg staat, in meters",
        examples=[10000],
    )
    min_paren: int = Field(
        48,
        ge=3,
        description="mad: het aantal uren met beide waarden dat een sensor nodig heeft voordat hij getoetst wordt",
        examples=[48],
    )


class Kwaliteit(StrictModel):
    """Quality-control rules; every flag is counted per sensor."""

    opwarmen_uren: int = Field(
        4, ge=0, description="het aantal uren na een (her)start van een sensor dat gemarkeerd wordt", examples=[4]
    )
    herstart_na_gat_uren: int = Field(
        3, ge=1, description="een gat van zoveel ontbrekende uren telt als herstart", examples=[3]
    )
    ondergrens: dict[str, float] = Field(
        default_factory=dict, description="grootheid -> de laagste geloofwaardige waarde", examples=[{"PM25": 0}]
    )
    ondergrens_actie: Literal["weglaten", "afkappen"] = Field(
        "weglaten",
        description="waarden onder de ondergrens: weglaten, of op de ondergrens zetten (en wel meetellen)",
        examples=["afkappen"],
    )
    onbetrouwbaar: list[Onbetrouwbaar] = Field(
        default_factory=list,
        description="perioden waarin de bron zegt dat sommige sensoren niet te vertrouwen zijn",
        examples=[[{"sensoren": ["sensor_12"], "van": "2024-05-01", "reden": "sensor defect gemeld"}]],
    )
    dubbel_tolerantie: float = Field(
        0.0,
        ge=0,
        description="dubbele metingen die hooguit zoveel verschillen zijn één waarde (die van de eerste bron blijft)",
        examples=[0.1],
    )
    uitschieters: Uitschieters | None = Field(
        default_factory=Uitschieters,
        description="uitschieters: de uurwaarde van een sensor naast die van het dichtstbijzijnde referentiestation",
        examples=[{"methode": "mad", "factor": 5}],
    )


class TijdreeksAggregatie(StrictModel):
    """How hourly sensor values become figures per buurt and month."""

    soorten: Literal["apart", "samen", "gewogen"] = Field(
        "apart",
        description="referentie en laagkosten apart, samen met gelijk gewicht, of gewogen",
        examples=["apart"],
    )
    gewichten: dict[SensorSoort, float] = Field(
        default_factory=_equal_weights,
        description="gewogen: het gewicht per soort",
        examples=[{"referentie": 1.0, "laagkosten": 0.5}],
    )
    percentiel: float = Field(
        90.0, gt=0, lt=100, description="het percentiel van de daggemiddelden per maand", examples=[90]
    )
    min_uren_dag: int = Field(
        18,
        ge=1,
        le=24,
        description="het aantal uren dat een daggemiddelde nodig heeft (75 %, als in de EU)",
        examples=[18],
    )
    min_dekking: float = Field(
        0.5,
        gt=0,
        le=1,
        description="het aandeel van de uren van een maand dat een maandcijfer nodig heeft",
        examples=[0.5],
    )
    richtlijnen: dict[str, float] = Field(
        default_factory=lambda: dict(WHO_2021_24H),
        description="grootheid -> de richtlijn voor het 24-uursgemiddelde (WHO 2021)",
        examples=[{"NO2": 25.0, "PM25": 15.0}],
    )
    dichtstbijzijnde_m: float | None = Field(
        None,
        gt=0,
        description="buurten zonder sensor nemen de dichtstbijzijnde binnen deze afstand in meters (gemarkeerd); "
        "leeg: uit",
        examples=[500],
    )

    @model_validator(mode="after")
    def _weights(self) -> TijdreeksAggregatie:
        if any(w <= 0 for w in self.gewichten.values()):
            raise ValueError("'gewichten' must be positive")
        return self


class Tijdreeks(StrictModel):
    """A set of point time series (one or more files), its sensors, QC rules and aggregation."""

    bronnen: list[TijdreeksBron] = Field(
        min_length=1,
        description="de bestanden met metingen per uur",
        examples=[
            [
                {
                    "soort": "long",
                    "pad": "../data/metingen.csv",
                    "tijd": {"zone": "offset"},
                    "kolommen": {
                        "sensor": "sensor",
                        "grootheid": "grootheid",
                        "waarde": "waarde",
                        "eenheid": "eenheid",
                    },
                }
            ]
        ],
    )
    sensoren: SensorTabel | None = Field(
        None,
        description="de sensortabel die de bronnen delen",
        examples=[{"pad": "../data/sensoren.csv", "kolommen": {"sensor": "id"}, "x": "lon", "y": "lat"}],
    )
    zone: str = Field(
        "Europe/Amsterdam",
        description="de zone van de datums in fasen en onbetrouwbaar, van dagen en maanden",
        examples=["Europe/Amsterdam"],
    )
    soorten: dict[SensorSoort, list[str]] = Field(
        default_factory=dict,
        description="soort -> sensor-id's of patronen (leeg: de kolom 'soort' van de sensortabel, anders laagkosten)",
        examples=[{"referentie": ["NL49*"]}],
    )
    fasen: list[Fase] = Field(
        default_factory=list,
        description="perioden waarin sensoren ergens anders stonden, bijvoorbeeld naast een meetstation",
        examples=[[{"naam": "kalibratie", "sensoren": ["waag_*"], "van": "2024-03-01", "tot": "2024-03-31"}]],
    )
    kwaliteit: Kwaliteit = Field(
        default_factory=Kwaliteit, description="de regels van de kwaliteitscontrole", examples=[{"opwarmen_uren": 4}]
    )
    aggregatie: TijdreeksAggregatie = Field(
        default_factory=TijdreeksAggregatie,
        description="hoe uurwaarden cijfers per buurt en maand worden",
        examples=[{"soorten": "apart", "percentiel": 90}],
    )

    @field_validator("zone")
    @classmethod
    def _zone_named(cls, value: str) -> str:
        if _check_zone(value) == "offset":
            raise ValueError("'zone' of a tijdreeks must be 'UTC' or a named zone such as Europe/Amsterdam")
        return value

    @model_validator(mode="after")
    def _sensor_tables(self) -> Tijdreeks:
        for i, bron in enumerate(self.bronnen):
            if bron.soort != "sensor_community" and bron.sensoren is None and self.sensoren is None:
                raise ValueError(f"bronnen.{i}: give 'sensoren' (a sensor table) here or for the whole tijdreeks")
        names = [f.naam for f in self.fasen]
        if len(set(names)) != len(names):
            raise ValueError(f"fase names must be unique: {names}")
        return self

    def sensor_tables(self) -> list[SensorTabel]:
        """Every sensor table of this tijdreeks (shared first), each once."""
        tables = [self.sensoren] + [b.sensoren for b in self.bronnen]
        unique: list[SensorTabel] = []
        for table in tables:
            if table is not None and table not in unique:
                unique.append(table)
        return unique
