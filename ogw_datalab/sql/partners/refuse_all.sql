-- Every row refused with one reason (for example: no address source to match against).
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, NULL::VARCHAR AS buurtcode, NULL::VARCHAR AS wijkcode, $reden::VARCHAR AS reden
FROM {partner} AS p
ORDER BY p.bronrij;
