-- A CBS kerncijfer of the buurt as published (a count: wijk and gemeente add up).
SELECT buurtcode, {kolom} AS teller, NULL::DOUBLE AS noemer, {kolom} AS waarde
FROM staging.buurten
