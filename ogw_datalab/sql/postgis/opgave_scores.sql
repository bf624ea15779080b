-- Every buurt's composite score per opgave, its rank and what drives it, for PostGIS.
SELECT opgave, buurtcode, buurtnaam, score, gewicht_met_waarde, drijvers, rang
FROM indicators.opgave_scores
ORDER BY opgave, buurtcode
