SELECT b.buurtcode,
       count(m.bronrij) AS teller,
       b.aantal_inwoners AS noemer,
       CASE WHEN b.aantal_inwoners >= $min_inwoners THEN 1000.0 * count(m.bronrij) / b.aantal_inwoners END AS waarde
FROM staging.buurten AS b
LEFT JOIN {partner} AS m USING (buurtcode)
GROUP BY b.buurtcode, b.aantal_inwoners
