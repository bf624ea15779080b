-- Composite score, rank and drivers per opgave and buurt.
SELECT opgave, buurtcode, score, rang, drijvers
FROM indicators.opgave_scores
ORDER BY opgave, buurtcode
