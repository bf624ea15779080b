-- 3-30-300: share of homes that see at least $minimum trees within $afstand_m metres, have a park
-- within $park_m metres ({afstanden}), and lie in a buurt whose approximated canopy is at least 30 %.
WITH seen AS (
    SELECT a.bronrij, count(*) AS bomen
    FROM joined.adressen_buurt AS a
    JOIN {layer} AS t ON ST_DWithin(a.geometry, t.geometry, $afstand_m)
    WHERE a.is_woning
    GROUP BY a.bronrij
),
land AS (
    SELECT buurtcode, coalesce(oppervlakte_land_ha * 1e4, ST_Area(geometry)) AS m2 FROM staging.buurten
),
canopy AS (
    SELECT l.buurtcode,
           (coalesce(count(t.bronrij), 0) * $kroon_m2 + coalesce(any_value(w.oppervlak_m2), 0)) >= 0.3 * l.m2 AS groen
    FROM land AS l
    LEFT JOIN {layer} AS t USING (buurtcode)
    LEFT JOIN {bos} AS w USING (buurtcode)
    GROUP BY l.buurtcode, l.m2
),
homes AS (
    SELECT d.buurtcode, d.bronrij,
           coalesce(s.bomen, 0) >= $minimum AND coalesce(d.afstand_m <= $park_m, false) AND c.groen AS voldoet
    FROM {afstanden} AS d
    LEFT JOIN seen AS s USING (bronrij)
    JOIN canopy AS c USING (buurtcode)
)
SELECT b.buurtcode,
       count(h.bronrij) FILTER (WHERE h.voldoet) AS teller,
       count(h.bronrij) AS noemer,
       CASE WHEN count(h.bronrij) > 0
            THEN 100.0 * count(h.bronrij) FILTER (WHERE h.voldoet) / count(h.bronrij) END AS waarde
FROM staging.buurten AS b
LEFT JOIN homes AS h USING (buurtcode)
GROUP BY b.buurtcode
