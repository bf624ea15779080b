-- Partner rows keyed by postcode (PC6 such as 2401AB, or PC4 such as 2401). A postcode is placed in the
-- buurt holding most of its BAG addresses (ties: lowest buurtcode); aandeel_adressen says which share of
-- the postcode's addresses lie in that buurt. A postcode whose PC4 has no BAG address in the gemeente's
-- buurten belongs to another gemeente: buiten_gemeente, left out and counted. A PC6 whose PC4 does occur
-- but which itself does not is quarantined: it is more likely a typing error than another gemeente.
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
       regexp_full_match(coalesce(p.postcode, ''), '[1-9][0-9]{{3}}([A-Z]{{2}})?') AND pc4.pc IS NULL AS buiten_gemeente,
       CASE WHEN p.postcode IS NULL THEN 'lege postcode'
            WHEN NOT regexp_full_match(p.postcode, '[1-9][0-9]{{3}}([A-Z]{{2}})?') THEN 'geen geldige postcode (PC4 of PC6)'
            WHEN b.buurtcode IS NULL THEN 'postcode komt niet voor in de BAG-adressen van de gemeente (de PC4 wel)'
       END AS reden
FROM {partner} AS p
LEFT JOIN best AS b ON b.pc = p.postcode
LEFT JOIN best AS pc4 ON pc4.pc = left(p.postcode, 4)
LEFT JOIN staging.buurten AS bu ON bu.buurtcode = b.buurtcode
ORDER BY p.bronrij;
