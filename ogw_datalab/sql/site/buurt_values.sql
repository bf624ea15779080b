-- Published buurt values (suppressed ones empty, with status and reason), their rank (or why there is none)
-- and percentile,
-- and the change since the previous recorded year.
SELECT p.indicator, p.buurtcode, p.waarde, p.status, p.reden, v.rang, v.rang_reden, v.percentiel,
       t.vorig_jaar, t.vorige_waarde, t.verschil
FROM indicators.publicatie_buurt AS p
LEFT JOIN indicators.vergelijking_buurt AS v USING (indicator, buurtcode)
LEFT JOIN indicators.trends AS t USING (indicator, buurtcode)
ORDER BY p.indicator, p.buurtcode
