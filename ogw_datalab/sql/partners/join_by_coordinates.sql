-- Partner rows with a location, after join_points_to_buurten wrote {target}. A point outside every buurt
-- of the gemeente (outside their union) lies in another gemeente: buiten_gemeente, left out and counted.
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, b.wijkcode,
       p.geometry IS NOT NULL AND p.buurtcode IS NULL AS buiten_gemeente,
       CASE WHEN p.geometry IS NULL THEN 'geen (geldige) coördinaten' END AS reden
FROM {target} AS p
LEFT JOIN staging.buurten AS b USING (buurtcode)
ORDER BY p.bronrij;
