-- Core model: zones, platforms, membership, constraint layers, revisions.
-- Geometry is stored in EPSG:4490 (CGCS2000 lon/lat); areas are computed on
-- the ellipsoid with ST_Area(geom::geography).
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE zone (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('park', 'township')),
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    county_adcode    text NOT NULL CHECK (county_adcode ~ '^3311[0-9]{2}$'),
    disposition      text NOT NULL DEFAULT '保留' CHECK (disposition IN ('保留', '并', '提', '撤', '转', '待定')),
    approved_area_ha double precision CHECK (approved_area_ha IS NULL OR approved_area_ha >= 0),
    document_no      text CHECK (char_length(document_no) <= 200),
    attributes       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
    geom             geometry(MultiPolygon, 4490) NOT NULL
                     CHECK (NOT ST_IsEmpty(geom) AND ST_IsValid(geom)),
    version          integer NOT NULL DEFAULT 1,
    merged_into      bigint REFERENCES zone (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text,
    retired_at       timestamptz
);
CREATE INDEX zone_geom_idx ON zone USING gist (geom) WHERE retired_at IS NULL;
CREATE INDEX zone_county_idx ON zone (county_adcode) WHERE retired_at IS NULL;

CREATE TABLE platform (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    role         text NOT NULL DEFAULT '其他' CHECK (role IN ('一心', '两翼', '三片区', '其他')),
    counties     text[] NOT NULL DEFAULT '{}',
    threshold_mu double precision NOT NULL DEFAULT 10000 CHECK (threshold_mu > 0),
    targets      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(targets) = 'object'),
    indicators   jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(indicators) = 'object'),
    note         text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text,
    retired_at   timestamptz
);
CREATE UNIQUE INDEX platform_name_live ON platform (name) WHERE retired_at IS NULL;

-- A zone belongs to at most one platform: zone_id is the key.
CREATE TABLE platform_member (
    zone_id     bigint PRIMARY KEY REFERENCES zone (id),
    platform_id bigint NOT NULL REFERENCES platform (id),
    added_at    timestamptz NOT NULL DEFAULT now(),
    added_by    text
);
CREATE INDEX platform_member_platform_idx ON platform_member (platform_id);

CREATE TABLE constraint_layer (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('include', 'exclude', 'reference')),
    enabled     boolean NOT NULL DEFAULT true,
    source      text NOT NULL DEFAULT '',
    imported_at timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);

CREATE TABLE constraint_feature (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    layer_id   bigint NOT NULL REFERENCES constraint_layer (id) ON DELETE CASCADE,
    geom       geometry(MultiPolygon, 4490) NOT NULL CHECK (NOT ST_IsEmpty(geom)),
    attributes jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX constraint_feature_layer_idx ON constraint_feature (layer_id);
CREATE INDEX constraint_feature_geom_idx ON constraint_feature USING gist (geom);

-- Subdivided copy of constraint geometry: small pieces with tight boxes make
-- the index prefilter precise and each intersection cheap, so a report costs
-- what intersects the platform rather than what the layer holds.
CREATE TABLE constraint_piece (
    feature_id bigint NOT NULL REFERENCES constraint_feature (id) ON DELETE CASCADE,
    layer_id   bigint NOT NULL REFERENCES constraint_layer (id) ON DELETE CASCADE,
    geom       geometry(Polygon, 4490) NOT NULL
);
CREATE INDEX constraint_piece_geom_idx ON constraint_piece USING gist (geom);
CREATE INDEX constraint_piece_layer_idx ON constraint_piece (layer_id);
CREATE INDEX constraint_piece_feature_idx ON constraint_piece (feature_id);

-- Append-only history of every change to zones, platforms and memberships.
CREATE TABLE revision (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity    text NOT NULL CHECK (entity IN ('zone', 'platform')),
    entity_id bigint NOT NULL,
    version   integer NOT NULL,
    action    text NOT NULL,
    actor     text,
    reason    text NOT NULL DEFAULT '',
    at        timestamptz NOT NULL DEFAULT now(),
    before    jsonb,
    after     jsonb
);
CREATE INDEX revision_entity_idx ON revision (entity, entity_id, id);

CREATE FUNCTION revision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'revision is append-only';
END $$;
CREATE TRIGGER revision_no_update BEFORE UPDATE OR DELETE ON revision
    FOR EACH ROW EXECUTE FUNCTION revision_append_only();

-- Small facts about this installation, e.g. whether the sample data was loaded.
CREATE TABLE app_setting (
    key   text PRIMARY KEY,
    value jsonb NOT NULL
);
