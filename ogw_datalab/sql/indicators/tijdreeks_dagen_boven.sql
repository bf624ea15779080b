-- Share (%) of a buurt's complete days (enough hourly values, see the daily table) whose mean exceeds the
-- quantity's 24-hour guideline, over the months $van to $tot (local): teller = days above, noemer =
-- complete days; nothing below the coverage rule (hours, as for the mean) or without complete days.
WITH dagen AS (
    SELECT buurtcode,
           count(*) FILTER (WHERE boven_richtlijn) AS teller,
           count(*) FILTER (WHERE volledig) AS noemer,
           sum(uren) AS uren
    FROM {dag}
    WHERE grootheid = $grootheid AND soort = $soort AND maand BETWEEN $van AND $tot AND richtlijn IS NOT NULL
    GROUP BY buurtcode
),
gedekt AS (
    SELECT * FROM dagen WHERE uren >= $min_dekking * $uren_in_periode AND noemer > 0
)
SELECT b.buurtcode, g.teller, g.noemer, 100.0 * g.teller / g.noemer AS waarde
FROM staging.buurten AS b
LEFT JOIN gedekt AS g USING (buurtcode)
ORDER BY b.buurtcode
