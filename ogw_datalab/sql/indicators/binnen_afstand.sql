-- Share of homes with a feature within $afstand_m metres ({afstanden}: nearest distance per home).
SELECT b.buurtcode,
       count(d.bronrij) FILTER (WHERE d.afstand_m <= $afstand_m) AS teller,
       count(d.bronrij) AS noemer,
       CASE WHEN count(d.bronrij) > 0
            THEN 100.0 * count(d.bronrij) FILTER (WHERE d.afstand_m <= $afstand_m) / count(d.bronrij) END AS waarde
FROM staging.buurten AS b
LEFT JOIN {afstanden} AS d USING (buurtcode)
GROUP BY b.buurtcode
