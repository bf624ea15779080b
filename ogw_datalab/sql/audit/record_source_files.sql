-- The audit trail: which version of each source and partner file a build used (never its contents).
-- The new rows are in the temp table bronbestanden_nieuw; a rerun of the same build replaces its own rows.
CREATE TABLE IF NOT EXISTS raw.bronbestanden (
    bouw VARCHAR,            -- the build (run id or start time) that read the file
    bron VARCHAR,            -- its key in the configuration: bronnen.buurten, lagen.bomen, partners.ggd
    pad VARCHAR,             -- the path it was read from
    sha256 VARCHAR,          -- sha256 of the file's bytes
    grootte_bytes BIGINT,
    gewijzigd_utc TIMESTAMP, -- the file's modification time
    vastgelegd_utc TIMESTAMP -- when the build recorded it
);
DELETE FROM raw.bronbestanden
WHERE (bouw, bron) IN (SELECT (bouw, bron) FROM bronbestanden_nieuw);
INSERT INTO raw.bronbestanden BY NAME SELECT * FROM bronbestanden_nieuw;
DROP TABLE bronbestanden_nieuw;
