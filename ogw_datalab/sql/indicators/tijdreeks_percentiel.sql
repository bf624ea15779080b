-- The $kwantiel-quantile (linear interpolation) of a buurt's hourly values of one quantity and soort over
-- the months $van to $tot (local); noemer = hours with a value; nothing below the coverage rule.
WITH uren AS (
    SELECT buurtcode, quantile_cont(waarde, $kwantiel) AS kwantiel, count(*) AS noemer
    FROM {uur}
    WHERE grootheid = $grootheid AND soort = $soort AND maand BETWEEN $van AND $tot
    GROUP BY buurtcode
),
gedekt AS (
    SELECT * FROM uren WHERE noemer >= $min_dekking * $uren_in_periode
)
SELECT b.buurtcode, NULL::DOUBLE AS teller, g.noemer, g.kwantiel AS waarde
FROM staging.buurten AS b
LEFT JOIN gedekt AS g USING (buurtcode)
ORDER BY b.buurtcode
