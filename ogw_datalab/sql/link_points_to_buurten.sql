-- The buurtcode the point assignment engine found for each row of {points} that lies in a buurt
-- ({assignment}; the code is stored as an ENUM of the buurtcodes: two bytes a row, written in a fraction
-- of the time text takes), and {target} as a view: every row of {points} with its buurtcode as text
-- (NULL when outside all buurten or without geometry), the rows, columns and order that
-- join_points_to_buurten.sql writes as a table.
CREATE OR REPLACE TABLE {assignment} AS
SELECT bronrij, buurtcode
FROM __assigned;
CREATE OR REPLACE VIEW {target} AS
SELECT p.*, CAST(a.buurtcode AS VARCHAR) AS buurtcode
FROM {points} AS p
LEFT JOIN {assignment} AS a USING (bronrij)
ORDER BY p.bronrij;
