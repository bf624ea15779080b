-- Parks: green polygons of the configured types, dissolved into connected parts,
-- kept when a part is at least $min_area_m2 square metres.
CREATE OR REPLACE TABLE staging.parken AS
WITH dissolved AS (
    SELECT ST_Union_Agg(geometry) AS geometry
    FROM {groen}
    WHERE type IN (SELECT unnest($park_types))
),
parts AS (
    SELECT unnest(ST_Dump(geometry)).geom AS geometry FROM dissolved
)
SELECT row_number() OVER (ORDER BY ST_XMin(geometry), ST_YMin(geometry)) AS park_id,
       ST_Area(geometry) AS area_m2,
       geometry
FROM parts
WHERE ST_Area(geometry) >= $min_area_m2
ORDER BY park_id;
