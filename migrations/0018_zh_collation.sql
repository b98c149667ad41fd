-- The zone list sorts names, platforms and document numbers in Chinese
-- (pinyin) order, as a planner reads them; the database's own collation is
-- byte order. Pinyin order needs ICU. The list names this collation rather
-- than "zh-x-icu" so that a PostgreSQL built without ICU still answers the
-- list (in byte order, i.e. by code point) instead of failing on every
-- sorted page.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i') THEN
        CREATE COLLATION wanmu_zh (provider = icu, locale = 'zh');
    ELSE
        CREATE COLLATION wanmu_zh FROM "C";
    END IF;
END $$;
