SELECT b.buurtcode,
       count(t.bronrij) AS teller,
       b.aantal_inwoners AS noemer,
       CASE WHEN b.aantal_inwoners >= $min_inwoners THEN 1000.0 * count(t.bronrij) / b.aantal_inwoners END AS waarde
FROM staging.buurten AS b
LEFT JOIN {bomen} AS t USING (buurtcode)
GROUP BY b.buurtcode, b.aantal_inwoners
