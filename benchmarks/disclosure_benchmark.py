"""Disclosure control at scale: secondary suppression and the audit on a synthetic region.

Run: ``.venv/bin/python -m benchmarks.disclosure_benchmark [--buurten 1000] [--wijken 100]``.

A region of ``--buurten`` buurten in ``--wijken`` wijken (one gemeente) gets inhabitants drawn
like Dutch buurten (log-normal, about one in twelve under 50), homes, and points of one layer;
the indicators are the inhabitants, the point count, the points per 1,000 inhabitants (the same
numerator) and the share of homes near a park. The last line is machine-readable:

    disclosure buurten=<n> publish_s=<wall> publish_cpu_s=<cpu> audit_s=<wall> audit_cpu_s=<cpu>
        extra=<figures> recoverable=<figures>
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from ogw_datalab.config import Privacy
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.disclosure import recoverable_withheld_cells
from ogw_datalab.indicators.suppress import publish_indicators
from ogw_datalab.storage import frame_to_temp_table, run_sql_file, write_frame

BRON = {"uitgever": "synthetisch", "dataset": "benchmark", "jaar": 2024, "licentie": "CC0"}
CATALOGUE = Catalogue.model_validate(
    {
        "indicatoren": [
            {"id": i, "titel": i, "eenheid": "e", "beschrijving": "b", "bron": BRON, "formule": f, "decimalen": d}
            for i, f, d in (
                ("inwoners", {"type": "kerncijfer", "kolom": "aantal_inwoners"}, 0),
                ("speelplekken", {"type": "aantal", "laag": "speelplekken"}, 0),
                ("speelplekken_per_1000", {"type": "per_inwoners", "laag": "speelplekken", "per": 1000}, 1),
                ("park_300m_pct", {"type": "binnen_afstand", "laag": "parken", "afstand_m": 300}, 1),
            )
        ]
    }
)


class _Config:
    """The only part of the project configuration that publication reads."""

    privacy = Privacy()


def region(buurten: int, wijken: int, seed: int = 484) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buurten (code, wijk, inhabitants) and indicators per buurt (teller, noemer, waarde)."""
    rng = np.random.default_rng(seed)
    inhabitants = np.round(rng.lognormal(mean=6.4, sigma=1.6, size=buurten) / 5) * 5  # CBS rounds to 5
    wijk = np.sort(rng.integers(0, wijken, size=buurten))
    codes = [f"BU9999{n:04d}" for n in range(buurten)]
    areas = pd.DataFrame(
        {"buurtcode": codes, "buurtnaam": codes, "wijkcode": [f"WK9999{w:02d}" for w in wijk % 100]}
    ).assign(aantal_inwoners=inhabitants)
    homes = np.round(inhabitants / 2.2)
    points = rng.poisson(inhabitants / 600)
    near = rng.binomial(homes.astype(int), rng.uniform(0.2, 1.0, size=buurten))
    rows = []
    for n, code in enumerate(codes):
        parts = (
            ("inwoners", inhabitants[n], None, inhabitants[n]),
            ("speelplekken", points[n], None, points[n]),
            ("speelplekken_per_1000", points[n], inhabitants[n], None),
            ("park_300m_pct", near[n], homes[n], None),
        )
        for indicator, teller, noemer, waarde in parts:
            if waarde is None and noemer:
                scale = 1000 if indicator == "speelplekken_per_1000" else 100
                waarde = round(scale * teller / noemer, 1)
            rows.append((indicator, code, code, areas.wijkcode[n], waarde, teller, noemer))
    values = pd.DataFrame(
        rows, columns=["indicator", "buurtcode", "buurtnaam", "wijkcode", "waarde", "teller", "noemer"]
    )
    return areas, values.astype({"waarde": float, "teller": float, "noemer": float})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buurten", type=int, default=1000)
    parser.add_argument("--wijken", type=int, default=100)
    args = parser.parse_args(argv)
    areas, values = region(args.buurten, args.wijken)
    con = connect(":memory:")
    write_frame(con, "staging", "buurten", areas)
    write_frame(con, "indicators", "buurt", values)
    meta = pd.DataFrame(
        [{"indicator": i.id, "aggregation": i.aggregation, "scale": i.scale} for i in CATALOGUE.indicatoren]
    )
    frame_to_temp_table(con, "indicator_catalogue", meta)
    run_sql_file(con, "roll_up_indicators.sql", {"gemeentecode": "GM9999"})
    start, cpu = time.perf_counter(), time.process_time()
    counts = publish_indicators(con, _Config(), CATALOGUE)  # type: ignore[arg-type]
    publish, publish_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    found = recoverable_withheld_cells(con, CATALOGUE, Privacy())
    audit, audit_cpu = time.perf_counter() - start, time.process_time() - cpu
    small = int((areas["aantal_inwoners"] < Privacy().min_inwoners).sum())
    print(
        f"{args.buurten} buurten in {areas['wijkcode'].nunique()} wijken ({small} under 50 inhabitants), "
        f"{len(CATALOGUE.indicatoren)} indicators: publish {publish:.1f} s ({publish_cpu:.1f} s CPU; "
        f"{counts['onderdrukt_buurt']} buurt figures withheld, {counts['aanvullend_onderdrukt']} extra), "
        f"audit {audit:.1f} s ({audit_cpu:.1f} s CPU; {len(found)} recoverable)"
    )
    print(
        f"disclosure buurten={args.buurten} publish_s={publish:.2f} publish_cpu_s={publish_cpu:.2f} "
        f"audit_s={audit:.2f} audit_cpu_s={audit_cpu:.2f} "
        f"extra={counts['aanvullend_onderdrukt']} recoverable={len(found)}"
    )


if __name__ == "__main__":
    main()
