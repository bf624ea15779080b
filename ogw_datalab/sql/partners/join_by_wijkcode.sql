-- Partner rows keyed by wijkcode: placed in a wijk, not in a buurt. Rows of other levels and gemeenten
-- are buiten_gemeente: left out and counted.
CREATE OR REPLACE TABLE {target} AS
SELECT p.* EXCLUDE (wijkcode),
       p.wijkcode AS bron_code,
       NULL::VARCHAR AS buurtcode,
       CASE WHEN $weigeren::VARCHAR IS NULL THEN w.wijkcode END AS wijkcode,
       coalesce(NOT starts_with(p.wijkcode, 'WK' || $gemeente_digits), false) AS buiten_gemeente,
       CASE WHEN $weigeren::VARCHAR IS NOT NULL THEN $weigeren::VARCHAR
            WHEN p.wijkcode IS NULL THEN 'lege wijkcode'
            WHEN w.wijkcode IS NULL THEN 'wijkcode komt niet voor in de wijken van deze gemeente en dit jaar'
       END AS reden
FROM {partner} AS p
LEFT JOIN staging.wijken AS w ON w.wijkcode = p.wijkcode
ORDER BY p.bronrij;
