-- Match partner rows to BAG addresses on postcode + huisnummer (+ huisletter, toevoeging).
-- A row without letter/addition matches the address without them.
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, a.identificatie AS adres_identificatie, a.buurtcode
FROM {partner} AS p
LEFT JOIN joined.adressen_buurt AS a
  ON a.postcode = p.postcode
 AND a.huisnummer = p.huisnummer
 AND coalesce(a.huisletter, '') = coalesce(p.huisletter, '')
 AND coalesce(a.toevoeging, '') = coalesce(p.toevoeging, '')
ORDER BY p.bronrij;
