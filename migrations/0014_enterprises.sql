-- 亩均论英雄 (issue 18): the figures of the county's industrial enterprises,
-- one row per enterprise and year, as the 经信局 sends them every year.
-- Several years are kept side by side; an import of a year replaces that
-- year's rows of the same credit codes. Money is in 万元, land in 亩 as
-- reported (the evaluation divides by it; the parcel's own area is not used
-- as land because the county's figure is the one the policy counts).
CREATE TABLE enterprise_year (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    -- 统一社会信用代码 (GB 32100-2015): the check digit is verified by the
    -- application (internal/uscc); the form is checked here too.
    credit_code     text NOT NULL CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    county_adcode   text NOT NULL CHECK (county_adcode ~ '^[0-9]{6}$'),
    scale           text NOT NULL CHECK (scale IN ('规上', '规下')),
    land_mu         double precision NOT NULL CHECK (land_mu >= 0),
    tax             double precision,          -- 税收 / 实缴税金, 万元
    value_added     double precision,          -- 工业增加值, 万元
    revenue         double precision,          -- 营业收入 / 主营业务收入, 万元
    energy_tce      double precision CHECK (energy_tce >= 0),      -- 能耗, 吨标准煤
    emissions       double precision CHECK (emissions >= 0),       -- 排放当量, 吨
    electricity     double precision CHECK (electricity >= 0),     -- 用电量, 万千瓦时
    rd              double precision CHECK (rd >= 0),              -- 研发经费, 万元
    employees       double precision CHECK (employees >= 0),       -- 年平均职工人数
    investment      double precision CHECK (investment >= 0),      -- 固定资产投资, 万元
    high_tech       boolean,                   -- 高新技术企业
    exempt_reason   text NOT NULL DEFAULT '' CHECK (char_length(exempt_reason) <= 200), -- 不参评原因 (class T)
    location        geometry(Point, 4490),
    parcel          geometry(MultiPolygon, 4490) CHECK (parcel IS NULL OR (NOT ST_IsEmpty(parcel) AND ST_IsValid(parcel))),
    import_id       text NOT NULL DEFAULT '',  -- the job of the import that wrote it
    source_row      integer,                   -- its row in that file (1-based, the header is row 1)
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text,
    UNIQUE (year, credit_code)
);
CREATE INDEX enterprise_year_county_idx ON enterprise_year (year, county_adcode);
CREATE INDEX enterprise_year_location_idx ON enterprise_year USING gist (location);
CREATE INDEX enterprise_year_parcel_idx ON enterprise_year USING gist (parcel);

-- Where each enterprise-year's land lies among the live official zones: a
-- parcel by its ellipsoidal area inside each zone over the parcel's area
-- (a parcel straddling two zones gets two rows, the shares adding to 1 when
-- it lies wholly inside them); a point by the zone containing it, share 1.
-- A parcel wins over a point. Enterprises with no row are outside every zone.
-- Computed when read, so that an edit of a zone moves its enterprises.
CREATE VIEW enterprise_placement AS
SELECT e.id AS enterprise_id, e.year, e.credit_code, z.id AS zone_id, pm.platform_id,
       ST_Area(ST_Intersection(e.parcel, z.geom)::geography) / NULLIF(ST_Area(e.parcel::geography), 0) AS share
FROM enterprise_year e
JOIN zone z ON z.scenario_id = 0 AND z.retired_at IS NULL AND ST_Intersects(e.parcel, z.geom)
            AND NOT ST_Touches(e.parcel, z.geom)
LEFT JOIN platform_member pm ON pm.zone_id = z.id
WHERE e.parcel IS NOT NULL
UNION ALL
SELECT e.id, e.year, e.credit_code, z.id, pm.platform_id, 1.0
FROM enterprise_year e
JOIN LATERAL (SELECT z.id FROM zone z
              WHERE z.scenario_id = 0 AND z.retired_at IS NULL AND ST_Covers(z.geom, e.location)
              ORDER BY z.id LIMIT 1) z ON true
LEFT JOIN platform_member pm ON pm.zone_id = z.id
WHERE e.parcel IS NULL AND e.location IS NOT NULL;
