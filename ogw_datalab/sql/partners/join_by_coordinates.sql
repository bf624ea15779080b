-- Partner rows with a location, after join_points_to_buurten wrote {target}.
CREATE OR REPLACE TABLE {target} AS
SELECT p.*, b.wijkcode,
       CASE WHEN p.geometry IS NULL THEN 'geen (geldige) coördinaten'
            WHEN p.buurtcode IS NULL THEN 'ligt buiten de buurten van de gemeente'
       END AS reden
FROM {target} AS p
LEFT JOIN staging.buurten AS b USING (buurtcode)
ORDER BY p.bronrij;
