SELECT b.buurtcode, NULL::DOUBLE AS teller, NULL::DOUBLE AS noemer, g.eenzaam_pct AS waarde
FROM staging.buurten AS b
LEFT JOIN {partner} AS g USING (buurtcode)
