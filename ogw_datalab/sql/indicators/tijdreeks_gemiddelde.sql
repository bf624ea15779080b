-- Mean of a buurt's hourly values of one quantity and soort over the months $van to $tot (local):
-- teller = sum of the hourly values, noemer = hours with a value; no value when fewer than
-- $min_dekking * $uren_in_periode hours have one (or the buurt has no sensor).
WITH uren AS (
    SELECT buurtcode, sum(waarde) AS teller, count(*) AS noemer
    FROM {uur}
    WHERE grootheid = $grootheid AND soort = $soort AND maand BETWEEN $van AND $tot
    GROUP BY buurtcode
)
SELECT b.buurtcode, u.teller, u.noemer,
       CASE WHEN u.noemer >= $min_dekking * $uren_in_periode THEN u.teller / u.noemer END AS waarde
FROM staging.buurten AS b
LEFT JOIN uren AS u USING (buurtcode)
ORDER BY b.buurtcode
