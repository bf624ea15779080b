-- A figure the partner publishes per buurt, as it is (cannot be rolled up without its counts).
-- A buurt with several rows gets their mean; staging reports such duplicates.
SELECT b.buurtcode, NULL::DOUBLE AS teller, NULL::DOUBLE AS noemer, avg(CAST(p.{kolom} AS DOUBLE)) AS waarde
FROM staging.buurten AS b
LEFT JOIN {partner} AS p USING (buurtcode)
GROUP BY b.buurtcode
