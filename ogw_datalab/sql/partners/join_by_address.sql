-- Partner rows matched to BAG addresses on postcode and house number, split in staging as the BAG splits
-- it (huisnummer, huisletter, toevoeging). Of the addresses with that postcode and huisnummer, the best
-- rank wins: 1 the same letter and addition; 2 the same letter and addition written together (BAG 12 with
-- letter A for a partner's 12 with addition A); 3 for a range such as '9 -11' (no letter, an addition that
-- is a higher number of the same parity, as DUO writes a school on 9 to 11) the address 9 itself.
-- Rows whose PC4 has no address in the gemeente, and addresses found outside its buurten, belong to
-- another gemeente: buiten_gemeente, left out and counted, never quarantined.
CREATE OR REPLACE TABLE {target} AS
WITH gemeente_pc4 AS (
    SELECT DISTINCT left(postcode, 4) AS pc4 FROM joined.adressen_buurt
    WHERE buurtcode IS NOT NULL AND postcode IS NOT NULL
),
candidates AS (
    SELECT p.bronrij, a.identificatie, a.buurtcode,
           CASE WHEN coalesce(a.huisletter, '') = coalesce(p.huisletter, '')
                 AND coalesce(a.toevoeging, '') = coalesce(p.toevoeging, '') THEN 1
                WHEN coalesce(a.huisletter, '') || coalesce(a.toevoeging, '')
                   = coalesce(p.huisletter, '') || coalesce(p.toevoeging, '') THEN 2
                ELSE 3
           END AS rang
    FROM {partner} AS p
    JOIN joined.adressen_buurt AS a ON a.postcode = p.postcode AND a.huisnummer = p.huisnummer
    WHERE coalesce(a.huisletter, '') || coalesce(a.toevoeging, '') = coalesce(p.huisletter, '') || coalesce(p.toevoeging, '')
       OR (a.huisletter IS NULL AND a.toevoeging IS NULL AND p.huisletter IS NULL
           AND regexp_full_match(p.toevoeging, '[1-9][0-9]*')
           AND TRY_CAST(p.toevoeging AS INTEGER) > p.huisnummer
           AND (TRY_CAST(p.toevoeging AS INTEGER) - p.huisnummer) % 2 = 0)
),
ranked AS (
    SELECT *, min(rang) OVER (PARTITION BY bronrij) AS beste FROM candidates
),
best AS (
    SELECT bronrij, min(identificatie) AS identificatie, min(buurtcode) AS buurtcode,
           count(DISTINCT coalesce(buurtcode, '')) AS buurten
    FROM ranked WHERE rang = beste GROUP BY bronrij
)
SELECT p.* EXCLUDE (huisnummer_reden),
       CASE WHEN b.buurten = 1 THEN b.identificatie END AS adres_identificatie,
       CASE WHEN b.buurten = 1 THEN b.buurtcode END AS buurtcode,
       CASE WHEN b.buurten = 1 THEN bu.wijkcode END AS wijkcode,
       regexp_full_match(coalesce(p.postcode, ''), '[1-9][0-9]{{3}}[A-Z]{{2}}')
       AND (g.pc4 IS NULL OR (b.buurten = 1 AND b.buurtcode IS NULL)) AS buiten_gemeente,
       CASE WHEN p.postcode IS NULL THEN 'lege postcode'
            WHEN NOT regexp_full_match(p.postcode, '[1-9][0-9]{{3}}[A-Z]{{2}}') THEN 'geen geldige postcode (PC6, zoals 2401AB)'
            WHEN p.huisnummer_reden IS NOT NULL THEN p.huisnummer_reden
            WHEN b.bronrij IS NULL THEN 'adres (postcode, huisnummer, huisletter, toevoeging) niet gevonden in de BAG-adressen'
            WHEN b.buurten > 1 THEN 'adres past op meer dan één BAG-adres, in verschillende buurten'
       END AS reden
FROM {partner} AS p
LEFT JOIN gemeente_pc4 AS g ON g.pc4 = left(p.postcode, 4)
LEFT JOIN best AS b ON b.bronrij = p.bronrij
LEFT JOIN staging.buurten AS bu ON bu.buurtcode = b.buurtcode AND b.buurten = 1
ORDER BY p.bronrij;
