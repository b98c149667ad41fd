-- Counties come from the region definition (internal/region), not the
-- schema: a zone's county is any 6-digit code, and the server checks it
-- against the region it was started with (and says at start which stored
-- zones lie in counties the region does not have).
ALTER TABLE zone DROP CONSTRAINT zone_county_adcode_check;
ALTER TABLE zone ADD CONSTRAINT zone_county_adcode_check CHECK (county_adcode ~ '^[0-9]{6}$');
