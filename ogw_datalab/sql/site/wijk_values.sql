-- Published wijk values with their rank among the wijken.
SELECT p.indicator, p.wijkcode, p.waarde, p.status, p.reden, v.rang, v.percentiel
FROM indicators.publicatie_wijk AS p
LEFT JOIN indicators.vergelijking_wijk AS v USING (indicator, wijkcode)
ORDER BY p.indicator, p.wijkcode
