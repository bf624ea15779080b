-- A figure a partner publishes per wijk, spread over the buurten the wijk overlaps
-- ({herverdeeld}: weighted by addresses when known, else by area). A published figure: not rolled up.
SELECT b.buurtcode, NULL::DOUBLE AS teller, NULL::DOUBLE AS noemer, h.waarde
FROM staging.buurten AS b
LEFT JOIN {herverdeeld} AS h USING (buurtcode)
