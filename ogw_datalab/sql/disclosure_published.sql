-- What the disclosure audit reads from one build: every figure of the publication tables, with its
-- status, in one long table (niveau buurt, wijk or gemeente). The buurt rows carry their wijk, which
-- is the hierarchy an attacker sees: buurt ⊂ wijk ⊂ gemeente.
SELECT indicator, 'buurt' AS niveau, buurtcode AS code, wijkcode, CAST(waarde AS DOUBLE) AS waarde, status
FROM indicators.publicatie_buurt
UNION ALL
SELECT indicator, 'wijk' AS niveau, wijkcode AS code, wijkcode, CAST(waarde AS DOUBLE) AS waarde, status
FROM indicators.publicatie_wijk
UNION ALL
SELECT indicator, 'gemeente' AS niveau, gemeentecode AS code, NULL AS wijkcode, CAST(waarde AS DOUBLE) AS waarde, status
FROM indicators.publicatie_gemeente
ORDER BY indicator, niveau, code
