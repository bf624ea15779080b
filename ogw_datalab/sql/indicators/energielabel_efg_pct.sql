WITH labels AS (
    SELECT buurtcode, upper(left(energielabel, 1)) AS label
    FROM {partner}
    WHERE upper(left(energielabel, 1)) IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')
)
SELECT b.buurtcode,
       count(l.label) FILTER (WHERE l.label IN ('E', 'F', 'G')) AS teller,
       count(l.label) AS noemer,
       CASE WHEN count(l.label) >= $min_noemer
            THEN 100.0 * count(l.label) FILTER (WHERE l.label IN ('E', 'F', 'G')) / count(l.label) END AS waarde
FROM staging.buurten AS b
LEFT JOIN labels AS l USING (buurtcode)
GROUP BY b.buurtcode
