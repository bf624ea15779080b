-- Number of points of a layer in the buurt.
SELECT b.buurtcode, count(p.bronrij) AS teller, NULL::DOUBLE AS noemer, count(p.bronrij) AS waarde
FROM staging.buurten AS b
LEFT JOIN {layer} AS p USING (buurtcode)
GROUP BY b.buurtcode
