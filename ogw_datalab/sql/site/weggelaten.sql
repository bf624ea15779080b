-- Indicators left out of an opgave's score because they cannot tell the buurten apart, with the reason.
SELECT opgave, indicator, titel, reden
FROM indicators.opgave_indicatoren_weggelaten
ORDER BY opgave, indicator
