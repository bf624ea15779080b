-- Per six-position postcode (PC6) the buurt that holds most of its BAG addresses.
SELECT postcode, arg_max(buurtcode, adressen) AS buurtcode
FROM (
    SELECT postcode, buurtcode, count(*) AS adressen
    FROM joined.adressen_buurt
    WHERE buurtcode IS NOT NULL AND regexp_matches(postcode, '^[0-9]{4}[A-Z]{2}$')
    GROUP BY ALL
)
GROUP BY postcode
ORDER BY postcode
