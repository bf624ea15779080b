"""The reference kaart of vergelijkbare buurten: read once, kept as a file, loaded into every build that searches it.

The similar buurten of a gemeente are searched among all buurten of a CBS wijk- en buurtkaart, usually the
national one (``vergelijkbare_buurten.referentie``, by default ``bronnen.buurten``): 11,700 buurten in 24
region files, which take seconds to read and merge (:func:`~ogw_datalab.readers.read_areas.read_cbs_areas`).
A configuration of several gemeenten builds each gemeente in its own run and database, so the kaart is read
once and kept as a Parquet file under ``uitvoer.cache`` (:func:`cached_reference`), named by a hash of

- the content (sha256) of every file the reading opens: the kaart files and the gemeente layer beside each,
  which tells a region's own buurten from slivers of its neighbours;
- the source's ``layer`` and ``crs``;
- the code that reads and merges them (this module and the readers it calls), so that a changed rule never
  meets a file written by the old one.

A changed file, wherever it is, gives another name and is read again; nothing is kept in the process. The
hashes themselves are kept in the same folder, in ``bestanden.json``, with each file's size, modification time
and inode (the audit trail's rule), so that an unchanged file is not hashed again by every gemeente's build. Each
build copies the columns the comparison uses (:func:`~.similar_buurten.kaart_columns`) into its own table
``raw.vergelijkbare_buurten_referentie`` (:func:`load_reference_buurten`), so that its database stands alone
and every similar buurt can be traced to its row of the kaart: ``bronbestand`` and ``bestandsrij`` (file and
row) and ``bronregio`` are kept beside the kaart's own columns. Files of another version stay in the cache
folder (under a megabyte each); the folder can be emptied at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ..config import ProjectConfig, Source
from ..files import file_hash
from ..readers import locate, read_areas, source_files
from ..readers.read_areas import gemeente_layer_beside, read_cbs_areas
from ..readers.source_files import SourceFilesError
from ..storage import ensure_schemas, quote_identifier, table_name
from .similar_buurten import SimilarityError, kaart_columns

SCHEMA, TABLE = "raw", "vergelijkbare_buurten_referentie"
CACHE_FOLDER = "vergelijkbare_buurten"
HASHES = "bestanden.json"
PROVENANCE = ("bronbestand", "bestandsrij", "bronregio")
# The code whose output the cached file holds: a change to any of these names a new file.
READING_CODE = (Path(__file__), *(Path(str(m.__file__)) for m in (locate, source_files, read_areas)))


def reference_source(config: ProjectConfig) -> tuple[str, Source] | None:
    """Return the configuration key and the source of the kaart searched for similar buurten, or None.

    ``vergelijkbare_buurten.referentie`` when given, otherwise ``bronnen.buurten``; None without
    ``vergelijkbare_buurten``.

    Raises
    ------
    SimilarityError
        When the source is not a CBS wijk- en buurtkaart.
    """
    settings = config.vergelijkbare_buurten
    if settings is None:
        return None
    where = "vergelijkbare_buurten.referentie" if settings.referentie is not None else "bronnen.buurten"
    source = settings.referentie or config.bronnen.buurten
    if source.soort != "cbs_wijkbuurtkaart":
        raise SimilarityError(f"{where}: similar buurten need a CBS wijk- en buurtkaart (soort 'cbs_wijkbuurtkaart')")
    return where, source


def cached_reference(source: Source, *, cache: Path, where: str, con: duckdb.DuckDBPyConnection) -> Path:
    """Return the Parquet file of the kaart's buurten without their outlines, reading the kaart only when it is new.

    Parameters
    ----------
    source
        The kaart (a file, a folder or a glob pattern; ``laag`` and ``crs`` as for ``bronnen.buurten``).
    cache
        ``uitvoer.cache``; the file is ``<cache>/vergelijkbare_buurten/referentie_<hash>.parquet``.
    where
        The source's configuration key, for messages.
    con
        A DuckDB connection, which writes the Parquet file.

    Returns
    -------
    pathlib.Path
        The file: every buurt once, the kaart's own columns as
        :func:`~ogw_datalab.readers.read_areas.read_cbs_areas` gives them (codes trimmed and
        upper-cased, CBS secret values missing), with ``bronbestand``, ``bestandsrij`` and ``bronregio``.

    Raises
    ------
    SimilarityError
        When the files cannot be found or read.
    """
    folder = Path(cache) / CACHE_FOLDER
    path = folder / f"referentie_{_reference_key(source, where, folder)}.parquet"
    if path.is_file():
        return path
    try:
        areas = read_cbs_areas(source.pad, layer=source.laag, crs=source.crs, where=where)
    except SourceFilesError as error:
        raise SimilarityError(str(error)) from None
    frame = pd.DataFrame(areas.frame.drop(columns=areas.frame.geometry.name))
    partial = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex}.parquet")  # two builds may write it
    con.register("__reference", frame)
    try:
        con.execute(f"COPY (SELECT * FROM __reference) TO '{_sql_text(partial)}' (FORMAT parquet)")
        os.replace(partial, path)
    finally:
        con.unregister("__reference")
        partial.unlink(missing_ok=True)
    return path


@dataclass(frozen=True)
class LoadedReference:
    """What :func:`load_reference_buurten` loaded: configuration key, the kaart's path, cached file, columns kept."""

    bron: str
    pad: str
    cache: Path
    kolommen: list[str]


def load_reference_buurten(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> LoadedReference | None:
    """Write the reference kaart into ``raw.vergelijkbare_buurten_referentie``; None without ``vergelijkbare_buurten``.

    The table holds every buurt of the kaart once, with the columns the comparison can use
    (:func:`~.similar_buurten.kaart_columns`) and ``bronbestand``, ``bestandsrij``, ``bronregio``;
    it is read from :func:`cached_reference`.

    Returns
    -------
    LoadedReference or None
        None without ``vergelijkbare_buurten``.
    """
    found = reference_source(config)
    if found is None:
        return None
    where, source = found
    path = cached_reference(source, cache=config.uitvoer.cache, where=where, con=con)
    available = [str(d[0]) for d in con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [str(path)]).description]
    columns = [c for c in available if c in PROVENANCE] + kaart_columns(available, config)
    selected = ", ".join(quote_identifier(c) for c in columns)  # the file's own names, quoted
    ensure_schemas(con)
    con.execute(
        f"CREATE OR REPLACE TABLE {table_name(SCHEMA, TABLE)} AS SELECT {selected} FROM read_parquet(?)", [str(path)]
    )
    return LoadedReference(bron=where, pad=str(source.pad), cache=path, kolommen=columns)


def _reference_key(source: Source, where: str, folder: Path) -> str:
    """Hash of the content of every file reading ``source`` opens, its layer and CRS, and the reading code."""
    path = Path(source.pad)
    try:
        files = [path] if path.is_file() else source_files.source_files(path, source.laag, where)
    except SourceFilesError as error:
        raise SimilarityError(str(error)) from None
    opened = [*files, *(f for f in map(gemeente_layer_beside, files) if f is not None)]
    labels = source_files.file_labels(opened)
    code = hashlib.sha256(b"".join(p.read_bytes() for p in READING_CODE)).hexdigest()
    key = {
        "bestanden": [list(pair) for pair in zip(labels, _content_hashes(opened, folder), strict=True)],
        "layer": source.laag,  # the name of this hash input stays (cached files keep their names)
        "crs": source.crs,
        "code": code,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode("utf-8")).hexdigest()[:24]


def _content_hashes(files: list[Path], folder: Path) -> list[str]:
    """Return the sha256 of each file's content, reading again only the files that changed since they were hashed.

    ``folder/bestanden.json`` keeps each file's hash with its size, modification time and inode, the rule of the
    audit trail (:func:`~ogw_datalab.audit.record_source_files`): a national run of 374 gemeenten hashes the 15 MB
    of the kaart once, not once per gemeente (30 ms each). Two builds at once may each rewrite it; the last one
    written is kept, and what it lacks is hashed again next time.
    """
    folder.mkdir(parents=True, exist_ok=True)
    known_path = folder / HASHES
    try:
        known = json.loads(known_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    hashes, changed = [], False
    for file in files:
        info = file.stat()
        stamp = [info.st_size, info.st_mtime_ns, info.st_ino]
        entry = known.get(str(file.resolve()))
        if not (isinstance(entry, list) and entry[:3] == stamp):
            entry = known[str(file.resolve())] = [*stamp, file_hash(file)]
            changed = True
        hashes.append(str(entry[3]))
    if changed:
        partial = known_path.with_name(f".{HASHES}.{os.getpid()}.{uuid.uuid4().hex}")
        partial.write_text(json.dumps(known, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(partial, known_path)
    return hashes


def _sql_text(path: Path) -> str:
    """Return a path as the text of a SQL string literal (a ``COPY ... TO`` target cannot be a parameter)."""
    return str(path).replace("'", "''")
