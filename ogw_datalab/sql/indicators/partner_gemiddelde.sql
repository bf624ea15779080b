-- Mean of a numeric partner column over its rows in the buurt (for example the rent of dwellings).
SELECT b.buurtcode, sum(p.{kolom}) AS teller, count(p.{kolom}) AS noemer,
       CASE WHEN count(p.{kolom}) > 0 THEN sum(p.{kolom}) / count(p.{kolom}) END AS waarde
FROM staging.buurten AS b
LEFT JOIN {partner} AS p USING (buurtcode)
GROUP BY b.buurtcode
