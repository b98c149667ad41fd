-- Facts about each constraint piece, fixed when its layer is imported, that
-- let the developable-area report add areas instead of unioning geometry:
--   area_m2      its ellipsoidal area (a piece inside the platform is
--                taken whole, so its area needs no ST_Area at report time);
--                NULL means "compute it".
--   overlapping  whether its interior meets the interior of a piece of
--                another feature in a layer of the same kind. Pieces that
--                overlap nothing are disjoint from every other, so their
--                areas add up; only the others are unioned. True is always
--                safe (it costs a union, never a wrong figure), hence the
--                default for rows written by any other path than the layer
--                import, which sets it for the pieces it adds and for the
--                older pieces they overlap. Changing a layer's kind must set
--                it true for the layer's pieces and for those they overlap.
ALTER TABLE constraint_piece
    ADD COLUMN area_m2 double precision,
    ADD COLUMN overlapping boolean NOT NULL DEFAULT true;

UPDATE constraint_piece p SET
    area_m2 = ST_Area(p.geom::geography),
    overlapping = EXISTS (
        SELECT 1 FROM constraint_piece o
        JOIN constraint_layer lo ON lo.id = o.layer_id
        JOIN constraint_layer lp ON lp.id = p.layer_id
        WHERE o.geom && p.geom AND o.feature_id <> p.feature_id AND lo.kind = lp.kind
          AND ST_Relate(o.geom, p.geom, '2********'));
