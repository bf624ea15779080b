-- Area of the polygons of {layer} inside each buurt, in m². A polygon that crosses buurt
-- boundaries is cut; one lying wholly inside a buurt is taken whole (no intersection needed).
-- The layer's polygons are assumed not to overlap each other (true for BGT, a coverage).
-- $typen, when not empty, keeps only polygons whose type is listed.
CREATE OR REPLACE TABLE {target} AS
WITH pairs AS (
    SELECT b.buurtcode,
           CASE WHEN ST_Within(g.geometry, b.geometry) THEN ST_Area(g.geometry)
                ELSE ST_Area(ST_Intersection(g.geometry, b.geometry))
           END AS area_m2
    FROM (SELECT geometry FROM {layer} WHERE len($typen) = 0 OR list_contains($typen, {type_column})) AS g
    JOIN staging.buurten AS b ON ST_Intersects(g.geometry, b.geometry)
)
SELECT buurtcode, sum(area_m2) AS oppervlak_m2, count(*) AS delen
FROM pairs
GROUP BY buurtcode
ORDER BY buurtcode;
