-- Every buurt of the build with its wijkcode (of the buurten's own gebiedsindeling) and outline (EPSG:28992).
SELECT buurtcode, buurtnaam, wijkcode, ST_AsWKB(geometry) AS geometry_wkb
FROM staging.buurten
ORDER BY buurtcode
