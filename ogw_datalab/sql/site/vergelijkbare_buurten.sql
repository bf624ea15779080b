-- Per buurt its most similar buurten elsewhere, most alike first.
SELECT buurtcode, rang, vergelijkbare_buurtcode, vergelijkbare_buurtnaam, gemeentenaam
FROM indicators.vergelijkbare_buurten
ORDER BY buurtcode, rang
