-- Assign every point of {points} to exactly one buurt.
-- A point inside or on the boundary of a buurt belongs to it; a point on a boundary shared
-- by several buurten goes to the lowest buurtcode (deterministic). Points outside every
-- buurt, or without geometry, keep buurtcode NULL so that they are counted, not lost.
CREATE OR REPLACE TABLE {target} AS
WITH hits AS (
    SELECT p.bronrij, min(b.buurtcode) AS buurtcode
    FROM {points} AS p
    JOIN staging.buurten AS b ON ST_Intersects(b.geometry, p.geometry)
    GROUP BY p.bronrij
)
SELECT p.*, h.buurtcode
FROM {points} AS p
LEFT JOIN hits AS h USING (bronrij)
ORDER BY p.bronrij;
