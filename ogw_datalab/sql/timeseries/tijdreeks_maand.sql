-- Hourly, daily and monthly figures per area ({code}: buurtcode, wijkcode or gemeentecode) of one tijdreeks.
--   hour:  the weighted mean of the valid, counting sensor values in the area in that hour,
--          sum(w_s * x_s) / sum(w_s), w_s the weight of the sensor's soort (__soortgewicht)
--   day:   the mean of the area's hourly values on a local day; complete with >= $min_uren_dag hours;
--          above the guideline when a complete day's mean exceeds it (__richtlijn)
--   month: mean and $kwantiel-quantile of the hourly values, complete days, days above the guideline;
--          only when at least $min_dekking of the month's hours (__maanden) have a value
CREATE OR REPLACE TEMP TABLE __geldig AS
SELECT g.code, g.herkomst, g.afstand_m, m.grootheid, m.eenheid, w.groep AS soort, w.gewicht,
       m.sensor, m.tijd, m.dag, strftime(m.dag, '%Y-%m') AS maand, m.waarde
FROM {metingen} AS m
JOIN {locaties} AS l USING (periode_id)
JOIN __gebied AS g ON g.periode_id = m.periode_id AND g.grootheid = m.grootheid
JOIN __soortgewicht AS w ON w.soort = l.soort
WHERE m.geldig AND m.meetellen;

CREATE OR REPLACE TABLE {uur} AS
SELECT code AS {code}, herkomst, grootheid, eenheid, soort, tijd, dag, maand,
       sum(gewicht * waarde) / sum(gewicht) AS waarde,
       count(*) AS sensoren,  -- a sensor has one valid value per quantity and hour (duplicates are flagged)
       max(afstand_m) AS afstand_m
FROM __geldig
GROUP BY code, herkomst, grootheid, eenheid, soort, tijd, dag, maand
ORDER BY {code}, grootheid, soort, tijd;

CREATE OR REPLACE TABLE {dag} AS
SELECT u.{code}, u.herkomst, u.grootheid, u.eenheid, u.soort, u.dag, u.maand,
       count(*) AS uren,
       avg(u.waarde) AS waarde,
       count(*) >= $min_uren_dag AS volledig,
       r.richtlijn,
       CASE WHEN count(*) >= $min_uren_dag AND r.richtlijn IS NOT NULL THEN avg(u.waarde) > r.richtlijn END
           AS boven_richtlijn
FROM {uur} AS u
LEFT JOIN __richtlijn AS r USING (grootheid)
GROUP BY u.{code}, u.herkomst, u.grootheid, u.eenheid, u.soort, u.dag, u.maand, r.richtlijn
ORDER BY u.{code}, u.grootheid, u.soort, u.dag;

CREATE OR REPLACE TEMP TABLE __maand_uren AS
SELECT {code}, herkomst, grootheid, eenheid, soort, maand,
       count(*) AS geldige_uren,
       sum(waarde) AS som_uurwaarden,
       quantile_cont(waarde, $kwantiel) AS kwantielwaarde,
       max(afstand_m) AS afstand_m
FROM {uur}
GROUP BY {code}, herkomst, grootheid, eenheid, soort, maand;

CREATE OR REPLACE TEMP TABLE __maand_sensoren AS
SELECT code AS {code}, grootheid, soort, maand, count(DISTINCT sensor) AS sensoren
FROM __geldig
GROUP BY code, grootheid, soort, maand;

CREATE OR REPLACE TEMP TABLE __maand_dagen AS
SELECT {code}, grootheid, soort, maand,
       count(*) FILTER (WHERE volledig) AS geldige_dagen,
       count(*) FILTER (WHERE boven_richtlijn) AS dagen_boven,
       any_value(richtlijn) AS richtlijn
FROM {dag}
GROUP BY {code}, grootheid, soort, maand;

CREATE OR REPLACE TABLE {maand} AS
WITH gedekt AS (
    SELECT u.*, s.sensoren, d.geldige_dagen, d.dagen_boven, d.richtlijn, mm.uren_in_maand,
           u.geldige_uren / mm.uren_in_maand AS dekking,
           u.geldige_uren >= $min_dekking * mm.uren_in_maand AS voldoende
    FROM __maand_uren AS u
    JOIN __maand_sensoren AS s USING ({code}, grootheid, soort, maand)
    JOIN __maand_dagen AS d USING ({code}, grootheid, soort, maand)
    JOIN __maanden AS mm USING (maand)
)
SELECT {code}, maand, grootheid, eenheid, soort, herkomst, afstand_m, sensoren,
       geldige_uren, uren_in_maand, dekking,
       CASE WHEN voldoende THEN som_uurwaarden / geldige_uren END AS gemiddelde,
       CASE WHEN voldoende THEN kwantielwaarde END AS percentiel,
       $percentiel AS percentiel_p,
       geldige_dagen,
       CASE WHEN voldoende AND richtlijn IS NOT NULL AND geldige_dagen > 0 THEN dagen_boven END
           AS dagen_boven_richtlijn,
       richtlijn,
       som_uurwaarden,
       CASE WHEN voldoende THEN 'ok' ELSE 'te_weinig_uren' END AS status,
       CASE WHEN NOT voldoende THEN
           printf('te weinig uren met een waarde: %d van de %d uren van %s (%.0f %%), minstens %.0f %% nodig',
                  geldige_uren, uren_in_maand, maand, 100 * dekking, 100 * $min_dekking)
       END AS reden
FROM gedekt
ORDER BY {code}, grootheid, soort, maand;
