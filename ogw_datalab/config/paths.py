"""The files a configuration names: relative paths resolved against its folder, and missing files listed."""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path

from .gemeenten import GemeenteAanvulling, GemeentenConfig, GemeentenOutput
from .messages import ConfigError
from .project import Output, ProjectConfig, VergelijkbareBuurten
from .sources import GLOB_CHARACTERS, Source
from .timeseries import Tijdreeks

Resolve = Callable[[Path], Path]


def check_source_files(config: ProjectConfig | GemeentenConfig) -> None:
    """Raise :class:`ConfigError` listing every configured input file that does not exist.

    A source with a ``download`` may be missing: ``ogw-datalab fetch`` writes it. A pattern
    must match at least one file.
    """
    missing = [
        f"  {key}.pad: "
        + ("no file matches" if src.is_pattern else "file not found")
        + f": {src.pad}"
        + (" (run 'ogw-datalab fetch' to download it)" if src.download else "")
        for key, src in config.all_sources().items()
        if not _source_exists(src)
    ]
    named = {"indicatoren": config.indicatoren, "opgaven": config.opgaven}
    if isinstance(config, GemeentenConfig):
        for code, extra in config.per_gemeente.items():
            named.update({f"per_gemeente.{code}.{k}": getattr(extra, k) for k in ("indicatoren", "opgaven")})
    for key, file in named.items():
        if file is not None and not file.is_file():
            missing.append(f"  {key}: file not found: {file}")
    if isinstance(config, ProjectConfig):
        for key, (path, fetched) in config.timeseries_files().items():
            if not _matches(path):
                what = "no file matches" if _is_glob(path) else "file not found:"
                missing.append(
                    f"  {key}.pad: {what} {path}" + (" (run 'ogw-datalab fetch' to download it)" if fetched else "")
                )
    if missing:
        raise ConfigError(f"{config.config_file}: missing input files\n" + "\n".join(missing))


def _is_glob(path: Path) -> bool:
    return any(character in str(path) for character in GLOB_CHARACTERS)


def _matches(path: Path) -> bool:
    """Whether a file exists at ``path``, or, for a glob pattern, at least one file matches it."""
    if _is_glob(path):
        return bool(glob.glob(str(path), recursive=True))
    return path.exists()


def _source_exists(source: Source) -> bool:
    return _matches(source.pad)


def _resolver(base: Path) -> Resolve:
    def resolve(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    return resolve


def _resolve_comparison(comparison: VergelijkbareBuurten | None, resolve: Resolve) -> VergelijkbareBuurten | None:
    if comparison is None or comparison.referentie is None:
        return comparison
    referentie = comparison.referentie.model_copy(update={"pad": resolve(comparison.referentie.pad)})
    return comparison.model_copy(update={"referentie": referentie})


def resolve_gemeenten_paths(config: GemeentenConfig, base: Path) -> GemeentenConfig:
    """Return ``config`` of several gemeenten with every relative path made absolute against ``base``."""
    resolve = _resolver(base)

    def with_path(source):
        return source.model_copy(update={"pad": resolve(source.pad)})

    def extra(aanvulling: GemeenteAanvulling) -> GemeenteAanvulling:
        return aanvulling.model_copy(
            update={
                "adressen": with_path(aanvulling.adressen) if aanvulling.adressen else None,
                "lagen": {name: with_path(layer) for name, layer in aanvulling.lagen.items()},
                "partners": [with_path(p) for p in aanvulling.partners],
                "indicatoren": resolve(aanvulling.indicatoren) if aanvulling.indicatoren else None,
                "opgaven": resolve(aanvulling.opgaven) if aanvulling.opgaven else None,
            }
        )

    output = GemeentenOutput(
        database=resolve(config.uitvoer.database),
        kaarten=resolve(config.uitvoer.kaarten),
        cache=resolve(config.uitvoer.cache),
        inbox=resolve(config.uitvoer.inbox) if config.uitvoer.inbox else None,
    )
    return config.model_copy(
        update={
            "bronnen": config.bronnen.model_copy(
                update={name: with_path(src) for name, src in config.bronnen if src is not None}
            ),
            "lagen": {name: with_path(layer) for name, layer in config.lagen.items()},
            "partners": [with_path(p) for p in config.partners],
            "opgaven": resolve(config.opgaven),
            "indicatoren": resolve(config.indicatoren),
            "uitvoer": output,
            "vergelijkbare_buurten": _resolve_comparison(config.vergelijkbare_buurten, resolve),
            "per_gemeente": {code: extra(a) for code, a in config.per_gemeente.items()},
        }
    )


def resolve_paths(config: ProjectConfig, base: Path) -> ProjectConfig:
    """Return ``config`` with every relative path (sources, outputs, years, time series) absolute against ``base``."""
    resolve = _resolver(base)

    def with_table(table):
        return None if table is None else table.model_copy(update={"pad": resolve(table.pad)})

    def with_reeks(reeks: Tijdreeks) -> Tijdreeks:
        bronnen = [
            b.model_copy(update={"pad": resolve(b.pad), "sensoren": with_table(b.sensoren)}) for b in reeks.bronnen
        ]
        return reeks.model_copy(update={"bronnen": bronnen, "sensoren": with_table(reeks.sensoren)})

    def with_path(source):
        return source.model_copy(update={"pad": resolve(source.pad)})

    sources = config.bronnen.model_copy(
        update={name: with_path(src) for name, src in config.bronnen if src is not None}
    )
    output = Output(
        database=resolve(config.uitvoer.database),
        kaarten=resolve(config.uitvoer.kaarten),
        cache=resolve(config.uitvoer.cache),
        inbox=resolve(config.uitvoer.inbox) if config.uitvoer.inbox else None,
        sleutel_variabele=config.uitvoer.sleutel_variabele,
    )
    demo = config.demo.model_copy(update={"map": resolve(config.demo.map)}) if config.demo else None
    return config.model_copy(
        update={
            "bronnen": sources,
            "lagen": {name: with_path(layer) for name, layer in config.lagen.items()},
            "partners": [with_path(p) for p in config.partners],
            "opgaven": resolve(config.opgaven),
            "indicatoren": resolve(config.indicatoren),
            "uitvoer": output,
            "demo": demo,
            "jaren": {year: resolve(path) for year, path in config.jaren.items()},
            "vergelijkbare_buurten": _resolve_comparison(config.vergelijkbare_buurten, resolve),
            "tijdreeksen": {name: with_reeks(reeks) for name, reeks in config.tijdreeksen.items()},
        }
    )
