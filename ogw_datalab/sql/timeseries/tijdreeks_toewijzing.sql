-- Which location periods feed which buurt, per quantity. A period counts for the buurt its point
-- lies in (__in_buurt, from the point assignment engine). With $met_dichtstbijzijnde, a buurt
-- without a period of that quantity inside it takes the nearest period(s) within $max_afstand_m
-- (distance from the buurt polygon, 0 inside; ties all count), marked 'dichtstbijzijnde'.
CREATE OR REPLACE TEMP TABLE __gemeten AS
SELECT DISTINCT periode_id, grootheid
FROM {metingen}
WHERE geldig AND meetellen;

CREATE OR REPLACE TEMP TABLE __eigen AS
SELECT g.periode_id, g.grootheid, a.buurtcode, 'in_buurt' AS herkomst, 0.0::DOUBLE AS afstand_m
FROM __gemeten AS g
JOIN __in_buurt AS a USING (periode_id);

CREATE OR REPLACE TABLE {toewijzing} AS
SELECT periode_id, grootheid, buurtcode, herkomst, afstand_m FROM __eigen
UNION ALL
SELECT periode_id, grootheid, buurtcode, 'dichtstbijzijnde' AS herkomst, afstand_m
FROM (
    SELECT g.periode_id, g.grootheid, b.buurtcode, ST_Distance(b.geometry, l.geometry) AS afstand_m,
           min(ST_Distance(b.geometry, l.geometry)) OVER (PARTITION BY b.buurtcode, g.grootheid) AS kortste
    FROM staging.buurten AS b
    JOIN {locaties} AS l ON $met_dichtstbijzijnde AND ST_DWithin(b.geometry, l.geometry, $max_afstand_m)
    JOIN __gemeten AS g ON g.periode_id = l.periode_id
    WHERE NOT EXISTS (SELECT 1 FROM __eigen AS e WHERE e.buurtcode = b.buurtcode AND e.grootheid = g.grootheid)
)
WHERE afstand_m = kortste
ORDER BY buurtcode, grootheid, periode_id;
