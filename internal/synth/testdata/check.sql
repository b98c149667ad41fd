-- check.sql: verifies the committed sample (geodata/) in PostGIS: validity of every polygon and,
-- per platform, gross and developable area in mu (ellipsoidal, CGCS2000, 1 mu = 2000/3 m²):
--   gross       = area(P), P = union of the platform's zones
--   overlap     = Σ area(zone) − area(P)   (land drawn twice inside the platform)
--   developable = area((P ∩ ∪include) − ∪exclude)
-- Run as a superuser (pg_read_file) on a scratch database with PostGIS 3:
--   psql -X -v dir="$PWD/geodata" -f internal/synth/testdata/check.sql
\set ON_ERROR_STOP on
create extension if not exists postgis;

create temp table platform as
select p->>'name' as name, n as ord, (p->>'threshold_mu')::float8 as threshold_mu
from jsonb_array_elements(pg_read_file(:'dir' || '/platforms.json')::jsonb) with ordinality as t(p, n);

create temp table zone as
select f->'properties'->>'name' as name, f->'properties'->>'kind' as kind,
       f->'properties'->>'platform' as platform,
       ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4490) as geom
from jsonb_array_elements(pg_read_file(:'dir' || '/zones.geojson')::jsonb->'features') as f;

create temp table layer as
select e->>'name' as name, e->>'kind' as kind, e->>'file' as file
from jsonb_array_elements(pg_read_file(:'dir' || '/layers.json')::jsonb) as e;

create temp table feature as
select l.name as layer, l.kind, ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4490) as geom
from layer l, jsonb_array_elements(pg_read_file(:'dir' || '/' || l.file)::jsonb->'features') as f;
create index on feature using gist (geom);

\echo '== counts'
select 'zone' as what, kind, count(*) from zone group by kind
union all
select 'layer', layer, count(*) from feature group by layer
order by 1, 2;

\echo '== sizes in mu (township zones 30–600, farmland parcels 2–200)'
select 'zone ' || kind as what, round(min(ST_Area(geom::geography) * 0.0015)::numeric, 2) as min_mu,
       round(max(ST_Area(geom::geography) * 0.0015)::numeric, 2) as max_mu
from zone group by kind
union all
select layer, round(min(ST_Area(geom::geography) * 0.0015)::numeric, 2),
       round(max(ST_Area(geom::geography) * 0.0015)::numeric, 2)
from feature group by layer
order by 1;

\echo '== invalid geometries (expect none)'
select 'zone' as what, name, ST_IsValidReason(geom) from zone where not ST_IsValid(geom)
union all
select 'feature', layer, ST_IsValidReason(geom) from feature where not ST_IsValid(geom);

\echo '== zones overlapping another zone (expect only the deliberate 空港园 / 丽景民族工业园 pair)'
select a.name, b.name, round((ST_Area(ST_Intersection(a.geom, b.geom)::geography) * 0.0015)::numeric, 2) as overlap_mu
from zone a join zone b on a.name < b.name and ST_Intersects(a.geom, b.geom);

\echo '== platforms'
with p as (
  select platform as name, ST_Union(geom) as geom, sum(ST_Area(geom::geography)) as sum_m2
  from zone where platform is not null group by platform
), inc as (
  select ST_Union(geom) as geom from feature where kind = 'include'
), d as (
  select p.name, p.sum_m2, ST_Area(p.geom::geography) as gross_m2,
         ST_Difference(ST_Intersection(p.geom, inc.geom),
           coalesce((select ST_Union(f.geom) from feature f where f.kind = 'exclude' and f.geom && p.geom),
                    ST_GeomFromText('POLYGON EMPTY', 4490))) as dev
  from p, inc
)
select d.name as platform,
       round((d.gross_m2 * 0.0015)::numeric, 2) as gross_mu,
       round(((d.sum_m2 - d.gross_m2) * 0.0015)::numeric, 2) as overlap_mu,
       round((ST_Area(d.dev::geography) * 0.0015)::numeric, 2) as developable_mu,
       ST_Area(d.dev::geography) * 0.0015 >= pl.threshold_mu as meets
from d join platform pl on pl.name = d.name
order by pl.ord;
