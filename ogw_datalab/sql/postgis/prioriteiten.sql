-- The buurten that ask most attention per opgave, for PostGIS.
SELECT opgave, buurtcode, buurtnaam, score, gewicht_met_waarde, drijvers, rang
FROM indicators.prioriteiten
ORDER BY opgave, buurtcode
