-- 闲置土地 (issue 18): a layer kind for vacant parcels (批而未供、供而未用 from
-- the 自然资源局), shown with the low-efficiency land and summed in each
-- platform's 低效用地; like a reference layer it never enters the
-- developable-area figures.
ALTER TABLE constraint_layer DROP CONSTRAINT constraint_layer_kind_check;
ALTER TABLE constraint_layer ADD CONSTRAINT constraint_layer_kind_check
    CHECK (kind IN ('include', 'exclude', 'reference', 'vacant'));
