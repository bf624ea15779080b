-- The files of the most recent record of every source and partner (a folder or pattern is many files):
-- what the latest build used. A key recorded before the configuration's keys were renamed (sources.buurten,
-- layers.bomen) is read as today's (bronnen.buurten, lagen.bomen), so that it is the same source.
WITH bestanden AS (
    SELECT * REPLACE (regexp_replace(regexp_replace(bron, '^sources\.', 'bronnen.'), '^layers\.', 'lagen.') AS bron)
    FROM raw.bronbestanden
)
SELECT bron, pad, sha256, grootte_bytes, gewijzigd_utc, vastgelegd_utc, bouw
FROM bestanden
QUALIFY rank() OVER (PARTITION BY bron ORDER BY vastgelegd_utc DESC, bouw DESC) = 1
ORDER BY bron, pad
