-- Points of a layer per km² of land (CBS land area; the polygon's area where CBS gives none).
WITH land AS (
    SELECT buurtcode, coalesce(oppervlakte_land_ha / 100.0, ST_Area(geometry) / 1e6) AS km2 FROM staging.buurten
)
SELECT l.buurtcode, count(p.bronrij) AS teller, l.km2 AS noemer,
       CASE WHEN l.km2 > 0 THEN count(p.bronrij) / l.km2 END AS waarde
FROM land AS l
LEFT JOIN {layer} AS p USING (buurtcode)
GROUP BY l.buurtcode, l.km2
