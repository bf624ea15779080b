-- The files of the most recent record of every source and partner (a folder or pattern is many files):
-- what the latest build used.
SELECT bron, pad, sha256, grootte_bytes, gewijzigd_utc, vastgelegd_utc, bouw
FROM raw.bronbestanden
QUALIFY rank() OVER (PARTITION BY bron ORDER BY vastgelegd_utc DESC, bouw DESC) = 1
ORDER BY bron, pad
