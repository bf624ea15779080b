-- The published buurt figures for PostGIS: withheld ones without a value, with status and reason.
SELECT indicator, buurtcode, buurtnaam, wijkcode, waarde, status, reden
FROM indicators.publicatie_buurt
ORDER BY indicator, buurtcode
