-- Distance from every address to the nearest park within $distance_m metres.
-- Addresses with no park in range get NULL distance (they are "not within").
CREATE OR REPLACE TABLE joined.adressen_park_afstand AS
WITH near AS (
    SELECT a.bronrij, min(ST_Distance(a.geometry, p.geometry)) AS afstand_park_m
    FROM joined.adressen_buurt AS a
    JOIN staging.parken AS p ON ST_DWithin(a.geometry, p.geometry, $distance_m)
    GROUP BY a.bronrij
)
SELECT a.bronrij, a.identificatie, a.buurtcode, a.is_woning, n.afstand_park_m,
       n.afstand_park_m IS NOT NULL AS binnen_afstand
FROM joined.adressen_buurt AS a
LEFT JOIN near AS n USING (bronrij)
ORDER BY a.bronrij;
