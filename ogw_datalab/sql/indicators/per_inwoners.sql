-- Points of a layer per $per inhabitants; none below $min_inwoners inhabitants.
SELECT b.buurtcode, count(p.bronrij) AS teller, b.aantal_inwoners AS noemer,
       CASE WHEN b.aantal_inwoners >= $min_inwoners THEN $per * count(p.bronrij) / b.aantal_inwoners END AS waarde
FROM staging.buurten AS b
LEFT JOIN {layer} AS p USING (buurtcode)
GROUP BY b.buurtcode, b.aantal_inwoners
