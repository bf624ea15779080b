-- Mean distance (m) from home to the nearest feature, over homes with one within the search radius.
SELECT b.buurtcode, sum(d.afstand_m) AS teller, count(d.afstand_m) AS noemer,
       CASE WHEN count(d.afstand_m) > 0 THEN sum(d.afstand_m) / count(d.afstand_m) END AS waarde
FROM staging.buurten AS b
LEFT JOIN {afstanden} AS d USING (buurtcode)
GROUP BY b.buurtcode
