-- The buurt outlines the site shows, for PostGIS: EPSG:28992 as hex EWKB (PostGIS reads 'SRID=28992;<hex WKB>'),
-- always a MultiPolygon. Nothing else of staging.buurten (its CBS kerncijfers are not on the site).
SELECT buurtcode, buurtnaam, wijkcode, 'SRID=28992;' || ST_AsHEXWKB(ST_Multi(geometry)) AS geometry
FROM staging.buurten
ORDER BY buurtcode
