-- Every local month in which a tijdreeks has a value: the horizontal axis of its time charts.
-- Identifier {table} comes from the validated configuration, quoted.
SELECT DISTINCT strftime(dag, '%Y-%m') AS maand
FROM {table}
WHERE dag IS NOT NULL
ORDER BY maand
