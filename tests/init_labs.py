"""Gemeenten that no configuration in the repository names, configured by ``ogw-datalab init`` from ../shared/data
and built by the command line, as a data team would: Enschede (GM0153, Twente, 70 buurten) and Vlieland (GM0096,
a Frisian island of two buurten). Built once per test run (``labs.build_once``) and never changed by a test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .labs import Run, build_once, run_cli

BUILT = {"GM0153": "enschede", "GM0096": "vlieland"}


@dataclass(frozen=True)
class InitLab:
    """The folder of the built gemeenten: ``config/<naam>.yaml`` and its site in ``maps/<naam>``."""

    folder: Path
    init_runs: dict[str, Run]
    build_runs: dict[str, Run]

    def config(self, code: str) -> Path:
        return self.folder / "config" / f"{BUILT[code]}.yaml"

    def site(self, code: str) -> Path:
        return self.folder / "maps" / BUILT[code]


def init_and_build(folder: Path, shared_data: Path) -> InitLab:
    """``init <code> --jaar 2015 --bronnen ../shared/data`` then ``build`` for each gemeente of ``BUILT``."""
    inits, builds = {}, {}
    for code, naam in BUILT.items():
        config = folder / "config" / f"{naam}.yaml"
        inits[code] = run_cli("init", code, "--jaar", "2015", "--bronnen", str(shared_data), "--uit", str(config))
        assert inits[code].code == 0, inits[code].out + inits[code].err
        builds[code] = run_cli("build", "--config", str(config))
        assert builds[code].code == 0, builds[code].out + builds[code].err
    return InitLab(folder, inits, builds)


@pytest.fixture(scope="session")
def init_lab(tmp_path_factory, shared_data) -> InitLab:
    """Enschede and Vlieland, configured by ``init`` and built; once per test run."""
    return build_once(tmp_path_factory, "init-" + "-".join(BUILT), lambda folder: init_and_build(folder, shared_data))
