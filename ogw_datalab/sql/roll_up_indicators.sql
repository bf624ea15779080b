-- Wijk and gemeente values recomputed from buurt sums, never averaged:
--   'som'        sum(teller)
--   'verhouding' schaal * sum(teller) / sum(noemer), over buurten whose noemer is known
--   'geen'       a published figure that cannot be rolled up (NULL)
CREATE OR REPLACE TEMP TABLE buurt_parts AS
SELECT b.wijkcode, i.indicator, c.aggregatie, c.schaal, i.teller, i.noemer
FROM indicators.buurt AS i
JOIN staging.buurten AS b USING (buurtcode)
JOIN indicator_catalogue AS c USING (indicator);

CREATE OR REPLACE TABLE indicators.wijk AS
SELECT wijkcode, indicator,
       CASE aggregatie
           WHEN 'som' THEN sum(teller)
           WHEN 'verhouding' THEN schaal * sum(teller) FILTER (WHERE noemer IS NOT NULL)
                                  / nullif(sum(noemer), 0)
       END AS waarde,
       sum(teller) FILTER (WHERE aggregatie = 'som' OR noemer IS NOT NULL) AS teller,
       sum(noemer) AS noemer
FROM buurt_parts
GROUP BY wijkcode, indicator, aggregatie, schaal
ORDER BY wijkcode, indicator;

CREATE OR REPLACE TABLE indicators.gemeente AS
SELECT $gemeentecode AS gemeentecode, indicator,
       CASE aggregatie
           WHEN 'som' THEN sum(teller)
           WHEN 'verhouding' THEN schaal * sum(teller) FILTER (WHERE noemer IS NOT NULL)
                                  / nullif(sum(noemer), 0)
       END AS waarde,
       sum(teller) FILTER (WHERE aggregatie = 'som' OR noemer IS NOT NULL) AS teller,
       sum(noemer) AS noemer
FROM buurt_parts
GROUP BY indicator, aggregatie, schaal
ORDER BY indicator;
