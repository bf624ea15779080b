-- The priority buurten of every opgave, in order.
SELECT opgave, buurtcode, buurtnaam, score, drijvers, rang
FROM indicators.prioriteiten
ORDER BY opgave, rang, buurtcode
