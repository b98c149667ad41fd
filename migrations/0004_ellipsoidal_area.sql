-- One area function for every figure wanmu computes.
--
-- An edge between two stored vertices is the straight line in longitude and
-- latitude: that is what PostGIS overlays (ST_Intersection, ST_Difference,
-- ST_Union on SRID 4490) put new vertices on, and what the survey formula
-- (国土调查办发〔2008〕32号) integrates. ST_Area(geography) instead reads an
-- edge as a geodesic, which bows poleward of the straight line: 0.26 m in the
-- middle of a 5 km east-west edge near 丽水, 0.6 mu of area. So a platform
-- whose long edge the report cuts in two would not add up (developable +
-- deductions ≠ gross) by that much. Densifying to 0.0005° (about 50 m) first
-- makes both readings agree to under 0.001 m² per edge, and costs nothing for
-- surveyed boundaries, whose edges are already shorter.
CREATE FUNCTION ellipsoidal_area(g geometry) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ST_Area(ST_Segmentize(g, 0.0005)::geography);

UPDATE constraint_piece SET area_m2 = ellipsoidal_area(geom);

-- A zone's area is read on every listing and summed in every report; it
-- changes only with the boundary.
ALTER TABLE zone ADD COLUMN area_m2 double precision GENERATED ALWAYS AS (ellipsoidal_area(geom)) STORED;
