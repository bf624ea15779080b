-- Wijk and gemeente values recomputed from buurt sums, never averaged:
--   'som'        sum(teller), only when every buurt's teller is known. A total that silently
--                left out a buurt whose count is secret or unknown would understate the wijk
--                (and could reveal the withheld buurt as "published total minus the others"),
--                so such a total has no value, and 'reden' says how many buurten are unknown.
--   'verhouding' scale * sum(teller) / sum(noemer), over buurten whose noemer is known: a rate
--                over the part of the wijk where it can be computed ('buurten_onbekend' counts
--                the buurten left out).
--   'geen'       a published figure that cannot be rolled up (NULL)
CREATE OR REPLACE TEMP TABLE buurt_parts AS
SELECT b.wijkcode, i.indicator, c.aggregation, c.scale, i.teller, i.noemer,
       CASE c.aggregation
           WHEN 'som' THEN i.teller IS NULL
           WHEN 'verhouding' THEN i.noemer IS NULL
           ELSE false
       END AS onbekend
FROM indicators.buurt AS i
JOIN staging.buurten AS b USING (buurtcode)
JOIN indicator_catalogue AS c USING (indicator);

CREATE OR REPLACE TEMP MACRO rolled_up_value(aggregation, scale, teller, noemer, onbekend) AS
    CASE aggregation
        WHEN 'som' THEN CASE WHEN count(*) FILTER (WHERE onbekend) = 0 THEN sum(teller) END
        WHEN 'verhouding' THEN scale * sum(teller) FILTER (WHERE noemer IS NOT NULL) / nullif(sum(noemer), 0)
    END;

CREATE OR REPLACE TEMP MACRO rolled_up_teller(aggregation, teller, noemer, onbekend) AS
    CASE aggregation
        WHEN 'som' THEN CASE WHEN count(*) FILTER (WHERE onbekend) = 0 THEN sum(teller) END
        WHEN 'verhouding' THEN sum(teller) FILTER (WHERE noemer IS NOT NULL)
    END;

CREATE OR REPLACE TEMP MACRO rolled_up_reden(aggregation, onbekend) AS
    CASE WHEN aggregation = 'som' AND count(*) FILTER (WHERE onbekend) > 0
        THEN 'geen totaal: ' || count(*) FILTER (WHERE onbekend)
             || CASE WHEN count(*) FILTER (WHERE onbekend) = 1 THEN ' buurt heeft' ELSE ' buurten hebben' END
             || ' geen bekende waarde'
    END;

CREATE OR REPLACE TABLE indicators.wijk AS
SELECT wijkcode, indicator,
       rolled_up_value(aggregation, scale, teller, noemer, onbekend) AS waarde,
       rolled_up_teller(aggregation, teller, noemer, onbekend) AS teller,
       sum(noemer) AS noemer,
       count(*) FILTER (WHERE onbekend) AS buurten_onbekend,
       rolled_up_reden(aggregation, onbekend) AS reden
FROM buurt_parts
GROUP BY wijkcode, indicator, aggregation, scale
ORDER BY wijkcode, indicator;

CREATE OR REPLACE TABLE indicators.gemeente AS
SELECT $gemeentecode AS gemeentecode, indicator,
       rolled_up_value(aggregation, scale, teller, noemer, onbekend) AS waarde,
       rolled_up_teller(aggregation, teller, noemer, onbekend) AS teller,
       sum(noemer) AS noemer,
       count(*) FILTER (WHERE onbekend) AS buurten_onbekend,
       rolled_up_reden(aggregation, onbekend) AS reden
FROM buurt_parts
GROUP BY indicator, aggregation, scale
ORDER BY indicator;
