-- Partner rows keyed by wijkcode: placed in a wijk, not in a buurt. Other levels and gemeenten are left out.
CREATE OR REPLACE TABLE {target} AS
SELECT p.* EXCLUDE (wijkcode),
       p.wijkcode AS bron_code,
       NULL::VARCHAR AS buurtcode,
       CASE WHEN $weigeren::VARCHAR IS NULL THEN w.wijkcode END AS wijkcode,
       CASE WHEN $weigeren::VARCHAR IS NOT NULL THEN $weigeren::VARCHAR
            WHEN p.wijkcode IS NULL THEN 'lege wijkcode'
            WHEN w.wijkcode IS NULL THEN 'wijkcode komt niet voor in de wijken van deze gemeente en dit jaar'
       END AS reden
FROM {partner} AS p
LEFT JOIN staging.wijken AS w ON w.wijkcode = p.wijkcode
WHERE p.wijkcode IS NULL OR p.wijkcode LIKE 'WK' || $gemeente_digits || '%'
ORDER BY p.bronrij;
