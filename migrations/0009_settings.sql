-- Settings an administrator enters in the page (today: the 天地图 key and,
-- for tests or an intranet proxy, the 天地图 tile server). One row a name.
CREATE TABLE setting (
    name       text PRIMARY KEY,
    value      text NOT NULL,
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
