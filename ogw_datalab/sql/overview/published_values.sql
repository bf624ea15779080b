-- Published buurt values of one gemeente's database, for the regional or national overview:
-- every indicator as published (suppressed values keep their status, never their number) and
-- every opgave score as layer 'score_<opgave>'.
SELECT p.buurtcode, p.indicator AS laag,
       CASE WHEN p.status = 'gepubliceerd' THEN p.waarde END AS waarde,
       p.status
FROM indicators.publicatie_buurt AS p
UNION ALL
SELECT s.buurtcode, 'score_' || s.opgave AS laag, s.score AS waarde,
       CASE WHEN s.score IS NULL THEN 'geen waarde' ELSE 'gepubliceerd' END AS status
FROM indicators.opgave_scores AS s
ORDER BY laag, buurtcode
