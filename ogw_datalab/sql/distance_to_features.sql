-- Per home (BAG address with a residential use) the distance to the nearest feature of
-- {features} within $max_afstand_m metres; NULL when none is that close.
CREATE OR REPLACE TABLE {target} AS
WITH near AS (
    SELECT a.bronrij, min(ST_Distance(a.geometry, f.geometry)) AS afstand_m
    FROM joined.adressen_buurt AS a
    JOIN {features} AS f ON ST_DWithin(a.geometry, f.geometry, $max_afstand_m)
    WHERE a.is_woning
    GROUP BY a.bronrij
)
SELECT a.bronrij, a.buurtcode, n.afstand_m
FROM joined.adressen_buurt AS a
LEFT JOIN near AS n USING (bronrij)
WHERE a.is_woning
ORDER BY a.bronrij;
