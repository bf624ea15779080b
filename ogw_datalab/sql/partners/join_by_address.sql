-- Partner rows matched to BAG addresses on postcode + huisnummer (+ huisletter, toevoeging).
-- A row without letter or addition matches only the address without them.
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, a.identificatie AS adres_identificatie, a.buurtcode, b.wijkcode,
       CASE WHEN p.postcode IS NULL OR p.huisnummer IS NULL THEN 'postcode of huisnummer ontbreekt of is geen getal'
            WHEN a.identificatie IS NULL THEN 'adres (postcode, huisnummer, huisletter, toevoeging) niet gevonden in de BAG-adressen'
            WHEN a.buurtcode IS NULL THEN 'adres ligt buiten de buurten van de gemeente'
       END AS reden
FROM {partner} AS p
LEFT JOIN joined.adressen_buurt AS a
  ON a.postcode = p.postcode
 AND a.huisnummer = p.huisnummer
 AND coalesce(a.huisletter, '') = coalesce(p.huisletter, '')
 AND coalesce(a.toevoeging, '') = coalesce(p.toevoeging, '')
LEFT JOIN staging.buurten AS b ON b.buurtcode = a.buurtcode
ORDER BY p.bronrij;
