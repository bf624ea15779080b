-- Partner rows keyed by postcode (PC6 such as 2401AB, or PC4 such as 2401). A postcode is
-- placed in the buurt holding most of its BAG addresses (ties: lowest buurtcode);
-- aandeel_adressen says which share of the postcode's addresses lie in that buurt.
CREATE OR REPLACE TABLE {target} AS
WITH per_buurt AS (
    SELECT postcode AS pc, buurtcode, count(*) AS n FROM joined.adressen_buurt
    WHERE buurtcode IS NOT NULL AND postcode IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT left(postcode, 4) AS pc, buurtcode, count(*) AS n FROM joined.adressen_buurt
    WHERE buurtcode IS NOT NULL AND postcode IS NOT NULL GROUP BY ALL
),
best AS (
    SELECT pc, first(buurtcode ORDER BY n DESC, buurtcode) AS buurtcode, max(n) / sum(n) AS aandeel_adressen
    FROM per_buurt GROUP BY pc
)
SELECT p.*, b.buurtcode, bu.wijkcode, b.aandeel_adressen,
       CASE WHEN p.postcode IS NULL THEN 'lege postcode'
            WHEN NOT regexp_full_match(p.postcode, '[1-9][0-9]{{3}}([A-Z]{{2}})?') THEN 'geen geldige postcode (PC4 of PC6)'
            WHEN b.buurtcode IS NULL THEN 'postcode heeft geen BAG-adressen in deze gemeente'
       END AS reden
FROM {partner} AS p
LEFT JOIN best AS b ON b.pc = p.postcode
LEFT JOIN staging.buurten AS bu ON bu.buurtcode = b.buurtcode
ORDER BY p.bronrij;
