-- The wijk outlines the site shows, for PostGIS: EPSG:28992 as hex EWKB, always a MultiPolygon.
SELECT wijkcode, wijknaam, 'SRID=28992;' || ST_AsHEXWKB(ST_Multi(geometry)) AS geometry
FROM staging.wijken
ORDER BY wijkcode
