-- "3" of 3-30-300: share of homes with at least $minimum trees within $afstand_m metres.
WITH seen AS (
    SELECT a.bronrij, count(*) AS bomen
    FROM joined.adressen_buurt AS a
    JOIN {layer} AS t ON ST_DWithin(a.geometry, t.geometry, $afstand_m)
    WHERE a.is_woning
    GROUP BY a.bronrij
)
SELECT b.buurtcode,
       count(a.bronrij) FILTER (WHERE coalesce(s.bomen, 0) >= $minimum) AS teller,
       count(a.bronrij) AS noemer,
       CASE WHEN count(a.bronrij) > 0
            THEN 100.0 * count(a.bronrij) FILTER (WHERE coalesce(s.bomen, 0) >= $minimum) / count(a.bronrij) END AS waarde
FROM staging.buurten AS b
LEFT JOIN joined.adressen_buurt AS a ON a.buurtcode = b.buurtcode AND a.is_woning
LEFT JOIN seen AS s USING (bronrij)
GROUP BY b.buurtcode
