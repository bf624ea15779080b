SELECT b.buurtcode,
       count(d.bronrij) FILTER (WHERE d.binnen_afstand) AS teller,
       count(d.bronrij) AS noemer,
       CASE WHEN count(d.bronrij) >= $min_noemer
            THEN 100.0 * count(d.bronrij) FILTER (WHERE d.binnen_afstand) / count(d.bronrij) END AS waarde
FROM staging.buurten AS b
LEFT JOIN joined.adressen_park_afstand AS d ON d.buurtcode = b.buurtcode AND d.is_woning
GROUP BY b.buurtcode
