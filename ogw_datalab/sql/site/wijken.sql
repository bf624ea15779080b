-- Every wijk of the build with its outline (EPSG:28992).
SELECT wijkcode, wijknaam, ST_AsWKB(geometry) AS geometry_wkb
FROM staging.wijken
ORDER BY wijkcode
