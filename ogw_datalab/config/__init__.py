"""The project configuration file: which gemeente, which sources, where outputs go.

A data team points the pipeline at its own municipality with one YAML file
(see ``config/demo.yaml`` and docs/handleiding/eigen-gemeente.md). Relative paths in it are resolved against
the folder that holds the file.

One module per job: the models of the input files (:mod:`.sources`), of time series
(:mod:`.timeseries`), of a configuration of one gemeente (:mod:`.project`) and of several
(:mod:`.gemeenten`); reading a file (:mod:`.load`), its paths and files (:mod:`.paths`), and
what an error says (:mod:`.messages`). Every public name is importable from here. The reader
kinds a source may have are the registry's (:mod:`ogw_datalab.reader_kinds`).
"""

from .gemeenten import GemeenteAanvulling, GemeentenConfig, GemeentenOutput
from .load import (
    SAFE_LOADER,
    ModelT,
    configuration_fingerprint,
    load_config,
    load_configuration,
    load_yaml_model,
    load_year_config,
)
from .messages import ConfigError
from .paths import check_source_files
from .postgis import PostGIS
from .project import (
    DEFAULT_KENMERKEN,
    Demo,
    Gemeente,
    Kenmerk,
    Output,
    Parameters,
    Privacy,
    ProjectConfig,
    VergelijkbareBuurten,
)
from .sources import (
    ADDRESS_KEYS,
    DOWNLOAD_KINDS,
    GEOMETRIE,
    GLOB_CHARACTERS,
    KEY_COLUMNS,
    PARTNER_KEYS,
    Download,
    Layer,
    Partner,
    Source,
    Sources,
    missing_addresses,
)
from .strict import ENV_NAME, GEMEENTECODE, NAME, REGION_NAME
from .timeseries import (
    SENSOR_SOORTEN,
    TIMESERIES_DOWNLOAD_KINDS,
    TIMESERIES_KINDS,
    WHO_2021_24H,
    Fase,
    HeaderLine,
    Kwaliteit,
    Onbetrouwbaar,
    SensorSoort,
    SensorTabel,
    Tijd,
    Tijdreeks,
    TijdreeksAggregatie,
    TijdreeksBron,
    TijdreeksDownload,
    Uitschieters,
)

__all__ = [
    "ADDRESS_KEYS",
    "DEFAULT_KENMERKEN",
    "DOWNLOAD_KINDS",
    "ENV_NAME",
    "GEMEENTECODE",
    "GEOMETRIE",
    "GLOB_CHARACTERS",
    "KEY_COLUMNS",
    "NAME",
    "PARTNER_KEYS",
    "REGION_NAME",
    "SAFE_LOADER",
    "SENSOR_SOORTEN",
    "TIMESERIES_DOWNLOAD_KINDS",
    "TIMESERIES_KINDS",
    "WHO_2021_24H",
    "ConfigError",
    "Demo",
    "Download",
    "Fase",
    "Gemeente",
    "GemeenteAanvulling",
    "GemeentenConfig",
    "GemeentenOutput",
    "HeaderLine",
    "Kenmerk",
    "Kwaliteit",
    "Layer",
    "ModelT",
    "Onbetrouwbaar",
    "Output",
    "Parameters",
    "Partner",
    "PostGIS",
    "Privacy",
    "ProjectConfig",
    "SensorSoort",
    "SensorTabel",
    "Source",
    "Sources",
    "Tijd",
    "Tijdreeks",
    "TijdreeksAggregatie",
    "TijdreeksBron",
    "TijdreeksDownload",
    "Uitschieters",
    "VergelijkbareBuurten",
    "check_source_files",
    "configuration_fingerprint",
    "load_config",
    "load_configuration",
    "load_year_config",
    "load_yaml_model",
    "missing_addresses",
]
