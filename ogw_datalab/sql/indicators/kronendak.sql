-- "30" of 3-30-300, approximated: (trees × $kroon_m2 + woodland area {bos}) as a share of land area.
WITH land AS (
    SELECT buurtcode, coalesce(oppervlakte_land_ha * 1e4, ST_Area(geometry)) AS m2 FROM staging.buurten
),
trees AS (
    SELECT buurtcode, count(*) AS n FROM {layer} WHERE buurtcode IS NOT NULL GROUP BY buurtcode
)
SELECT l.buurtcode,
       coalesce(t.n, 0) * $kroon_m2 + coalesce(w.oppervlak_m2, 0) AS teller,
       l.m2 AS noemer,
       CASE WHEN l.m2 > 0 THEN least(100.0, 100.0 * (coalesce(t.n, 0) * $kroon_m2 + coalesce(w.oppervlak_m2, 0)) / l.m2) END
           AS waarde
FROM land AS l
LEFT JOIN trees AS t USING (buurtcode)
LEFT JOIN {bos} AS w USING (buurtcode)
