-- Primary disclosure control: which buurt and wijk figures may not be published, and why.
-- An indicator of public objects (openbaar in the catalogue) is published everywhere.
-- A figure is withheld when its area has fewer than $min_inwoners inhabitants (or an unknown
-- number), or when its denominator counts fewer than $min_noemer persons, homes or rows, or
-- fewer than $min_respondenten survey respondents.
CREATE OR REPLACE TEMP TABLE buurt_kandidaten AS
SELECT i.indicator, i.buurtcode, i.buurtnaam, i.wijkcode, i.waarde, i.teller, i.noemer, m.aggregation,
       CASE
           WHEN m.openbaar THEN NULL  -- public objects (fire stations, trees), nothing about persons
           WHEN b.aantal_inwoners IS NULL THEN 'aantal inwoners van de buurt is geheim of onbekend'
           WHEN b.aantal_inwoners < $min_inwoners THEN 'minder dan ' || $min_inwoners || ' inwoners in de buurt'
           WHEN m.denominator = 'respondenten' AND coalesce(i.noemer, 0) < $min_respondenten
               THEN 'minder dan ' || $min_respondenten || ' respondenten'
           WHEN m.denominator IN ('personen', 'woningen', 'rijen') AND coalesce(i.noemer, 0) < $min_noemer
               THEN 'berekend over minder dan ' || $min_noemer || ' ' || m.denominator
       END AS reden
FROM indicators.buurt AS i
JOIN staging.buurten AS b USING (buurtcode)
JOIN indicator_meta AS m USING (indicator);

CREATE OR REPLACE TEMP TABLE wijk_kandidaten AS
WITH inwoners AS (
    SELECT wijkcode, sum(aantal_inwoners) AS n, count(*) FILTER (WHERE aantal_inwoners IS NULL) AS onbekend
    FROM staging.buurten GROUP BY wijkcode
)
SELECT i.indicator, i.wijkcode, i.waarde, i.teller, i.noemer, m.aggregation, i.reden AS reden_geen_waarde,
       CASE
           WHEN m.aggregation = 'geen' THEN 'bestaat alleen per buurt'
           WHEN m.openbaar THEN NULL
           WHEN coalesce(n.n, 0) < $min_inwoners THEN 'minder dan ' || $min_inwoners || ' inwoners in de wijk'
           WHEN m.denominator = 'respondenten' AND coalesce(i.noemer, 0) < $min_respondenten
               THEN 'minder dan ' || $min_respondenten || ' respondenten'
           WHEN m.denominator IN ('personen', 'woningen', 'rijen') AND coalesce(i.noemer, 0) < $min_noemer
               THEN 'berekend over minder dan ' || $min_noemer || ' ' || m.denominator
       END AS reden
FROM indicators.wijk AS i
JOIN indicator_meta AS m USING (indicator)
LEFT JOIN inwoners AS n USING (wijkcode);
