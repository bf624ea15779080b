-- Mean of a buurt's hourly values of one quantity and soort over the months $van to $tot (local):
-- teller = sum of the hourly values, noemer = hours with a value. A buurt without a sensor, or with fewer
-- than $min_dekking * $uren_in_periode hours, gets nothing at all (so a roll-up uses defended figures only).
WITH uren AS (
    SELECT buurtcode, sum(waarde) AS teller, count(*) AS noemer
    FROM {uur}
    WHERE grootheid = $grootheid AND soort = $soort AND maand BETWEEN $van AND $tot
    GROUP BY buurtcode
),
gedekt AS (
    SELECT * FROM uren WHERE noemer >= $min_dekking * $uren_in_periode
)
SELECT b.buurtcode, g.teller, g.noemer, g.teller / g.noemer AS waarde
FROM staging.buurten AS b
LEFT JOIN gedekt AS g USING (buurtcode)
ORDER BY b.buurtcode
