-- A report asks the index for one layer's pieces near each probe. With one
-- index over the pieces of every layer, a probe of the small urban boundary
-- (a hundred pieces) walked past every farmland parcel near it (some 140
-- entries per probe, 3 of them the layer's) and threw the others away one by
-- one, so the cost of one layer grew with the density of the others. Keyed
-- on (layer_id, geom), the index answers "this layer's pieces that meet this
-- box" directly; queries by box alone still use it.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX constraint_piece_layer_geom_idx ON constraint_piece USING gist (layer_id, geom);
DROP INDEX constraint_piece_geom_idx;
