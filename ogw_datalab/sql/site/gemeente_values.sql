-- Published values for the whole gemeente.
SELECT indicator, waarde, status, reden
FROM indicators.publicatie_gemeente
ORDER BY indicator
