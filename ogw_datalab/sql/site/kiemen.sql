-- The initiatives (kiemen) of one layer as points: a point on the surface of a polygon kiem.
-- Identifiers {label} and {table} come from the validated configuration, quoted.
SELECT {label} AS label, ST_AsWKB(ST_PointOnSurface(geometry)) AS geometry_wkb
FROM {table}
WHERE geometry IS NOT NULL
