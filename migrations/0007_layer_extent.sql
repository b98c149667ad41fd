-- A layer's features never change after its import, so their extent is
-- worked out once there rather than by every GET /ogc/collections (a scan
-- of every feature's box: 70 ms for 200,000 parcels, 0.4 s for a million).
ALTER TABLE constraint_layer ADD COLUMN extent box2d;

UPDATE constraint_layer l SET extent = (SELECT ST_Extent(f.geom) FROM constraint_feature f WHERE f.layer_id = l.id);
