-- The partner's rows in the buurt (reports, cases) per $per inhabitants.
SELECT b.buurtcode, count(p.bronrij) AS teller, b.aantal_inwoners AS noemer,
       CASE WHEN b.aantal_inwoners > 0 THEN $per * count(p.bronrij) / b.aantal_inwoners END AS waarde
FROM staging.buurten AS b
LEFT JOIN {partner} AS p USING (buurtcode)
GROUP BY b.buurtcode, b.aantal_inwoners
