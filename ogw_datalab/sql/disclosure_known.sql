-- Per published buurt and indicator the denominator, which the disclosure audit takes to be public
-- knowledge (inhabitants, homes and land area are published by CBS and the BAG), and the numerator,
-- which it uses only to know which buurten a total adds up (a NULL numerator is left out of every
-- sum) and which bounds hold (never negative; a share's numerator never exceeds its denominator).
SELECT i.indicator, i.buurtcode, p.wijkcode, CAST(i.teller AS DOUBLE) AS teller, CAST(i.noemer AS DOUBLE) AS noemer
FROM indicators.buurt AS i
JOIN indicators.publicatie_buurt AS p USING (indicator, buurtcode)
ORDER BY i.indicator, i.buurtcode
