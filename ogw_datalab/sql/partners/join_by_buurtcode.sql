-- Partner rows keyed by buurtcode. Rows of other levels (WK..., GM..., NL...) and of other gemeenten in
-- the same file are not errors: buiten_gemeente, left out and counted. $weigeren, when set, refuses every
-- other row (for example when the file's gebiedsindeling differs from the configured year).
CREATE OR REPLACE TABLE {target} AS
SELECT p.* EXCLUDE (buurtcode),
       p.buurtcode AS bron_code,
       CASE WHEN $weigeren::VARCHAR IS NULL THEN b.buurtcode END AS buurtcode,
       CASE WHEN $weigeren::VARCHAR IS NULL THEN b.wijkcode END AS wijkcode,
       coalesce(NOT starts_with(p.buurtcode, 'BU' || $gemeente_digits), false) AS buiten_gemeente,
       CASE WHEN $weigeren::VARCHAR IS NOT NULL THEN $weigeren::VARCHAR
            WHEN p.buurtcode IS NULL THEN 'lege buurtcode'
            WHEN b.buurtcode IS NULL THEN 'buurtcode komt niet voor in de buurten van deze gemeente en dit jaar'
       END AS reden
FROM {partner} AS p
LEFT JOIN staging.buurten AS b ON b.buurtcode = p.buurtcode
ORDER BY p.bronrij;
