-- The quality-control counts of one tijdreeks per sensor and quantity (written by staging), for the colophon.
-- Identifier {table} comes from the validated configuration, quoted.
SELECT *
FROM {table}
ORDER BY sensor, grootheid
