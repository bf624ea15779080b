-- The published wijk figures for PostGIS.
SELECT indicator, wijkcode, waarde, status, reden
FROM indicators.publicatie_wijk
ORDER BY indicator, wijkcode
