-- Every row of {points} with the buurtcode the point assignment engine found for it
-- (NULL when outside all buurten or without geometry): nothing is dropped.
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, CAST(a.buurtcode AS VARCHAR) AS buurtcode
FROM {points} AS p
LEFT JOIN __assigned AS a USING (bronrij)
ORDER BY p.bronrij;
