SELECT buurtcode, aantal_inwoners AS teller, NULL::DOUBLE AS noemer, aantal_inwoners AS waarde
FROM staging.buurten
