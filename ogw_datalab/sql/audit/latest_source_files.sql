-- The most recent record of every source and partner file: what the latest build used.
SELECT bron, pad, sha256, grootte_bytes, gewijzigd_utc, vastgelegd_utc, bouw
FROM raw.bronbestanden
QUALIFY row_number() OVER (PARTITION BY bron ORDER BY vastgelegd_utc DESC, bouw DESC) = 1
ORDER BY bron
