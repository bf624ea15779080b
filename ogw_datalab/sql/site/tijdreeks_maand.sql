-- Monthly figures of one tijdreeks at one level (buurt or wijk) for the time charts of the profiles.
-- Identifiers {code} and {table} come from an allow-list (the level) and the validated configuration, quoted.
SELECT {code} AS code, maand, grootheid, eenheid, soort, herkomst, afstand_m, sensoren, geldige_uren, uren_in_maand,
       gemiddelde, geldige_dagen, dagen_boven_richtlijn, richtlijn, status, reden
FROM {table}
ORDER BY code, grootheid, soort, maand
