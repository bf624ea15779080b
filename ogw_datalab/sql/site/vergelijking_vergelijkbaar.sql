-- Per buurt and indicator how its published value compares with its similar buurten. Only comparisons of a value
-- this build publishes: the join with the publication table keeps a withheld value's comparison off the site.
SELECT v.buurtcode, v.indicator, v.mediaan_vergelijkbaar, v.vergelijkbaar_met_waarde, v.lager, v.hoger, v.tekst
FROM indicators.vergelijking_vergelijkbaar AS v
JOIN indicators.publicatie_buurt AS p USING (buurtcode, indicator)
WHERE p.status = 'gepubliceerd' AND p.waarde IS NOT NULL AND v.tekst IS NOT NULL
  AND v.mediaan_vergelijkbaar IS NOT NULL
ORDER BY v.indicator, v.buurtcode
