-- The published figures of the whole gemeente for PostGIS (gemeentecode is the first column there, as everywhere).
SELECT indicator, waarde, status, reden
FROM indicators.publicatie_gemeente
ORDER BY indicator
