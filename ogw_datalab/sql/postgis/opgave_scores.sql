-- Every buurt's composite score per opgave, its rank and what drives it, for PostGIS.
SELECT buurtcode, opgave, buurtnaam, score, gewicht_met_waarde, drijvers, rang
FROM indicators.opgave_scores
ORDER BY opgave, buurtcode
