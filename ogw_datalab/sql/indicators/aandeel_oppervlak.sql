-- Area of a polygon layer in the buurt (computed into {oppervlak}) as a share of its land area.
WITH land AS (
    SELECT buurtcode, coalesce(oppervlakte_land_ha * 1e4, ST_Area(geometry)) AS m2 FROM staging.buurten
)
SELECT l.buurtcode, coalesce(o.oppervlak_m2, 0) AS teller, l.m2 AS noemer,
       CASE WHEN l.m2 > 0 THEN 100.0 * coalesce(o.oppervlak_m2, 0) / l.m2 END AS waarde
FROM land AS l
LEFT JOIN {oppervlak} AS o USING (buurtcode)
