-- How the areas of one gebiedsindeling ({source}: code, geometry) overlap those of another
-- ({target}: code, geometry): the area of each overlap larger than $min_m2 (slivers from
-- generalisation do not count).
CREATE OR REPLACE TEMP TABLE overlap_weights AS
WITH pairs AS (
    SELECT s.code AS bron, t.code AS doel, ST_Area(ST_Intersection(s.geometry, t.geometry)) AS overlap_m2,
           ST_Area(s.geometry) AS bron_m2, ST_Area(t.geometry) AS doel_m2
    FROM {source} AS s
    JOIN {target} AS t ON ST_Intersects(s.geometry, t.geometry)
)
SELECT bron, doel, overlap_m2, overlap_m2 / bron_m2 AS deel_van_bron, overlap_m2 / doel_m2 AS deel_van_doel
FROM pairs
WHERE overlap_m2 > $min_m2;
