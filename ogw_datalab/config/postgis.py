"""``postgis:``: publish the published figures and the buurt and wijk outlines to a PostGIS database too.

The connection string is never in the file: the file names the environment variable that holds it.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from .strict import ENV_NAME, NAME, StrictModel


class PostGIS(StrictModel):
    """``postgis:``: where a gemeente's GIS and BI tools read the published tables (QGIS, GeoServer, Power BI).

    ``schema`` is the key in the file; in Python it is ``schema_`` (pydantic's models have a method ``schema``).
    Several gemeenten share one schema: every table has a ``gemeentecode`` column.
    """

    dsn_variabele: str = Field(
        description="de NAAM van de omgevingsvariabele met de verbindingsgegevens (libpq) van de PostGIS-database "
        "(nooit de verbindingsgegevens zelf: daar staat het wachtwoord in)",
        examples=["OGW_DATALAB_POSTGIS"],
    )
    schema_: str = Field(
        "datalab",
        alias="schema",
        pattern=NAME,
        max_length=63,
        description="het schema waarin de tabellen komen (kleine letters, cijfers en _); gemaakt als het er niet is",
        examples=["datalab"],
    )

    @field_validator("dsn_variabele")
    @classmethod
    def _a_variable_name(cls, value: str) -> str:
        if not ENV_NAME.match(value):
            # Never quote the value: it may be the connection string, password and all.
            raise ValueError(
                "give the name of an environment variable (capitals, digits and _, e.g. OGW_DATALAB_POSTGIS), "
                "never the connection string itself"
            )
        return value
