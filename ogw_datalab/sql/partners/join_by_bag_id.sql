-- Partner rows keyed by BAG verblijfsobject id (16 digits, repaired in staging). An id found among the
-- BAG addresses but outside the gemeente's buurten belongs to another gemeente: buiten_gemeente, left out.
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, a.buurtcode, b.wijkcode,
       a.identificatie IS NOT NULL AND a.buurtcode IS NULL AS buiten_gemeente,
       CASE WHEN p.bag_id IS NULL THEN 'leeg BAG-id'
            WHEN NOT regexp_full_match(p.bag_id, '[0-9]{{16}}') THEN 'geen geldig BAG-id (16 cijfers)'
            WHEN a.identificatie IS NULL THEN 'BAG-id niet gevonden in de adressen van deze gemeente'
       END AS reden
FROM {partner} AS p
LEFT JOIN joined.adressen_buurt AS a ON a.identificatie = p.bag_id
LEFT JOIN staging.buurten AS b ON b.buurtcode = a.buurtcode
ORDER BY p.bronrij;
