"""Shared fixtures: no test run in the data team's Dagster instance, an in-memory DuckDB with spatial, a small town of
four hand-built buurten and its configuration, the real data in ../shared/data, and the expensive builds that many
tests read (the demo, Alphen, ten gemeenten of 2015 and the national overview), each built once per test run and
never changed by a test.

With pytest-xdist (``make test`` runs one worker per core) a session build is made by the first worker that asks
for it, under a file lock in the run's shared temporary folder (``labs.build_once``); another worker that asks
waits for it and reads the same folder. Which worker runs what is decided here too (``FIRST``, below).
The demo lab is built on a SQLite Dagster instance of its own beside it, as ``make demo`` builds it, so a test that
reads its runs reads that instance (``BuiltLab.instance``), whichever worker built it; the other builds run on a
temporary in-memory instance, or on the test worker's SQLite instance when a test asks for ``dagster_home``.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from ogw_datalab.config import ProjectConfig, load_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.maps.build_overview import OverviewPages
from pipelines.garbage_collector import spare_imported_objects

from .factories import DEMO
from .fixtures import write_small_town
from .labs import (
    REGION_SAMPLE,
    WHOLE_BUILDS,
    BuiltLab,
    alphen_config,
    build_lab,
    build_national_overview,
    build_once,
    demo_config,
    region_config,
    slim_demo_config,
)

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT.parent / "shared" / "data"


# What two workers are given first, in this order (``make test``: ``--dist loadgroup``). The modules of a group share
# an expensive build and go to one worker as one unit: the page tests build the demo and Alphen, the gemeente tests
# the ten gemeenten of 2015, the Celery tests their workers, the init and overview page checks the gemeenten
# ``init`` configured and the national overview; so each worker starts on a build of its own and neither waits on
# the other's lock. Then, one test at a time to whichever worker is free, the modules with the
# longest tests (whole builds of copies of the demo), so that the run does not end on one of them, and last every
# other test in file order. (xdist's own ``xdist_group`` mark does not group under pytest 9.2: xdist 3.8 marks a
# group by rewriting the item's ``_nodeid``, which pytest no longer reads.)
FIRST = {
    "tests/browser/test_pages_in_chromium.py": "pages",
    "tests/browser/test_gemeente_sites_in_chromium.py": "regio",
    "tests/test_several_gemeenten.py": "regio",
    "tests/test_celery_scale.py": "celery",
    # one worker builds what these page checks open, while the other goes on; as single tests both workers asked
    # for the same build at once, and one of them waited for the other's lock (tests/test_init.py and
    # tests/test_overview.py, later in file order, find it built)
    "tests/browser/test_init_site_in_chromium.py": "init",
    "tests/browser/test_overview_in_chromium.py": "overzicht",
    "tests/test_build_transaction.py": None,
    "tests/test_years.py": None,
    "tests/test_automation.py": None,
    "tests/test_protection.py": None,
    "tests/test_benchmarks.py": None,
    "tests/test_partner_joins.py": None,
    "tests/test_fetch.py": None,
    "tests/test_stopping.py": None,  # builds of several gemeenten stopped half-way (h/stop)
    "tests/test_postgis.py": "postgis",  # one worker: its PostgreSQL server and its two builds of a demo copy
}


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by mark
def pytest_collection_modifyitems(config, items):
    """Mark every test that asks for a shared build ``e2e``. In a worker of ``--dist loadgroup``: the modules of
    ``FIRST`` first, in that order; the rest in file order."""
    for item in items:
        if WHOLE_BUILDS.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
    if config.getoption("loadgroup", False):  # set by xdist in its workers only
        rank = {module: n for n, module in enumerate(FIRST)}
        items.sort(key=lambda item: rank.get(module_of(item.nodeid), len(rank)))


def pytest_collection_finish(session):
    """The collected tests and their modules live as long as the test process: out of the garbage collector's
    sight, as a build's imports are (``pipelines/garbage_collector.py``); the in-process builds collect less."""
    spare_imported_objects()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadgroup``: the groups and order of ``FIRST`` (see there)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedBuildScheduling(LoadScopeScheduling):
        """One unit per group of ``FIRST``, one per other test, handed out in the order of the workers' collection."""

        def _split_scope(self, nodeid: str) -> str:
            return FIRST.get(module_of(nodeid)) or nodeid

    config.option.loadscopereorder = False  # the order of FIRST, not the largest unit first
    return SharedBuildScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def no_dagster_home():
    """No test run goes into the data team's ``.dagster/``: without ``DAGSTER_HOME`` a build runs on a temporary
    in-memory instance (``pipelines.instance``), as the command does where none is set. A test that reads what Dagster
    kept of its runs asks for :func:`dagster_home`; the demo lab is built on a SQLite instance of its own, as
    ``make demo`` builds it. (A SQLite instance costs about 2 CPU s a build: most tests look only at files.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DAGSTER_HOME", raising=False)
        patch.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
        yield


@pytest.fixture(scope="session")
def sqlite_dagster_home(tmp_path_factory) -> Path:
    """A SQLite Dagster instance of this test process (see :func:`dagster_home`)."""
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        # Its storage made now, in one process, as a data team's instance exists before its first build: two
        # processes that create it at once (``build --workers 2`` on a new instance) leave sqlite two schema heads.
        instance.get_runs(limit=1)
        instance.get_asset_keys()
        instance.all_instigator_state()
    return home


@pytest.fixture
def dagster_home(sqlite_dagster_home, monkeypatch) -> Path:
    """``DAGSTER_HOME`` set to this test process's SQLite instance for the test: its runs are kept there, for the
    test to read (``dg.DagsterInstance.get()``)."""
    monkeypatch.setenv("DAGSTER_HOME", str(sqlite_dagster_home))
    return sqlite_dagster_home


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def config() -> ProjectConfig:
    """The demo configuration as gemeente GM0001 without partners: the settings of :func:`small_town`."""
    demo = load_config(DEMO, check_files=False)
    return demo.model_copy(update={"partners": [], "gemeente": demo.gemeente.model_copy(update={"code": "GM0001"})})


@pytest.fixture
def small_town(con):
    """``con`` with the four buurten of GM0001 and their trees, homes, park and green (see ``write_small_town``)."""
    write_small_town(con)
    return con


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real open data beside the project; tests that need it skip only when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the project in CI)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_lab(tmp_path_factory) -> BuiltLab:
    """The demo gemeente with its earlier year 2023, built as ``make demo`` builds it, then built again."""
    return build_once(
        tmp_path_factory,
        "demo",
        lambda folder: build_lab(folder, lambda lab: demo_config(lab, years=True), twice=True, kept_runs=True),
    )


@pytest.fixture(scope="session")
def slim_demo_lab(tmp_path_factory) -> BuiltLab:
    """The demo with two opgaven and no tijdreeksen (``slim_demo_config``), built once: for the tests that build a
    copy again and again (killed, read-only, twice at once), where the demo's other pages only add time."""
    return build_once(tmp_path_factory, "demo-slim", lambda folder: build_lab(folder, slim_demo_config))


@pytest.fixture(scope="session")
def alphen_lab(tmp_path_factory, shared_data) -> BuiltLab:
    """Alphen aan den Rijn from the real files in ../shared/data, built once."""
    return build_once(
        tmp_path_factory, "alphen", lambda folder: build_lab(folder, lambda lab: alphen_config(lab, shared_data))
    )


@pytest.fixture(scope="session")
def region_lab(tmp_path_factory, shared_data) -> BuiltLab:
    """Ten gemeenten of the 2015 national files (REGION_SAMPLE), each its own site, and their overview; built once."""
    return build_once(
        tmp_path_factory,
        "regio-" + "-".join(REGION_SAMPLE),
        lambda folder: build_lab(folder, lambda lab: region_config(lab, shared_data, REGION_SAMPLE), tables=False),
    )


@pytest.fixture(scope="session")
def national_overview(tmp_path_factory, shared_data) -> OverviewPages:
    """The near-national overview of 2015 (11,700 buurten) with the kaart's own values and similar buurten."""
    return build_once(tmp_path_factory, "overzicht", lambda folder: build_national_overview(shared_data, folder))
