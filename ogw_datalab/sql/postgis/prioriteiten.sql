-- The buurten that ask most attention per opgave, for PostGIS.
SELECT buurtcode, opgave, buurtnaam, score, gewicht_met_waarde, drijvers, rang
FROM indicators.prioriteiten
ORDER BY opgave, buurtcode
