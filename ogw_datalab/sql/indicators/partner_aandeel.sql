-- Share of the partner's rows in the buurt whose {kolom} is one of $waarden, among rows whose
-- value is one of $van (any value when $van is empty). Rows placed by address make this a
-- share of dwellings.
WITH rows AS (
    SELECT buurtcode, upper(trim(CAST({kolom} AS VARCHAR))) AS v FROM {partner}
)
SELECT b.buurtcode,
       count(r.v) FILTER (WHERE list_contains($waarden, r.v)) AS teller,
       count(r.v) FILTER (WHERE len($van) = 0 OR list_contains($van, r.v)) AS noemer,
       CASE WHEN count(r.v) FILTER (WHERE len($van) = 0 OR list_contains($van, r.v)) > 0
            THEN 100.0 * count(r.v) FILTER (WHERE list_contains($waarden, r.v))
                 / count(r.v) FILTER (WHERE len($van) = 0 OR list_contains($van, r.v)) END AS waarde
FROM staging.buurten AS b
LEFT JOIN rows AS r USING (buurtcode)
GROUP BY b.buurtcode
