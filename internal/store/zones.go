package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"wanmu/internal/change"
	"wanmu/internal/policy"
)

// Zone is a park (开发区/园区) or a township industrial zone (乡镇工业功能区).
type Zone struct {
	ID             int64
	Kind           string // park | township
	Name           string
	CountyAdcode   string
	Disposition    string // 保留 并 提 撤 转 待定
	ApprovedAreaHa *float64
	DocumentNo     string
	Attributes     map[string]any
	Geom           orb.MultiPolygon
	AreaM2         float64 // ellipsoidal, CGCS2000
	PlatformID     *int64
	PlatformName   string
	Version        int
	MergedInto     *int64
	CreatedAt      time.Time
	CreatedBy      string
	UpdatedAt      time.Time
	UpdatedBy      string
	RetiredAt      *time.Time
	ScenarioID     int64  // 0: the official data
	OriginID       *int64 // in a scenario: the official zone this one is a copy of
}

// ZoneFields are the writable fields of a zone. Nil pointers mean "unchanged"
// in an update and "default" in a create.
type ZoneFields struct {
	Kind           *string
	Name           *string
	CountyAdcode   *string
	Disposition    *string
	ApprovedAreaHa **float64
	DocumentNo     *string
	Attributes     map[string]any // replaced whole when non-nil
	Geom           orb.MultiPolygon
}

// ZoneFilter selects zones in ListZones.
type ZoneFilter struct {
	Kind        string
	County      string
	PlatformID  int64 // 0: any; -1: zones in no platform
	BBox        *orb.Bound
	Retired     bool   // include retired zones
	RetiredOnly bool   // only retired zones
	Text        string // part of the name or document number, any case
	Disposition string // 保留, 并, 提, 撤, 转 or 待定
	Sort        string // one of ZoneSortKeys; "": by id
	Desc        bool   // the sort descending
	After       int64  // the next page: zones after this one in the sort order
	AfterKey    string // with After and a Sort other than id: that zone's ZoneSortValue when its page was read
	Limit       int    // at most this many; 0: all
}

// zoneSortKeys are the SQL of the keys a zone list sorts by, with the type a
// next link's after_key is read as. Names, platforms and document numbers
// sort in Chinese order (pinyin) by collation wanmu_zh (migration 0018: ICU
// where the server has it, byte order otherwise), as a planner reads them;
// the database's own collation is byte order. The id breaks ties, so the
// order is total and a page can continue after its last zone. ZoneSortValue
// below gives a zone's value of each key: keep the two in step.
var zoneSortKeys = map[string]struct{ expr, typ string }{
	"id":          {"z.id", "bigint"},
	"name":        {"z.name COLLATE wanmu_zh", "text COLLATE wanmu_zh"},
	"kind":        {"z.kind", "text"},
	"county":      {"z.county_adcode", "text"},
	"disposition": {"coalesce(z.disposition, '')", "text"},
	"platform":    {"coalesce(p.name, '') COLLATE wanmu_zh", "text COLLATE wanmu_zh"},
	"document":    {"coalesce(z.document_no, '') COLLATE wanmu_zh", "text COLLATE wanmu_zh"},
	"area":        {"z.area_m2", "double precision"},
}

// ZoneSortKeys are the keys a zone list can be sorted by.
var ZoneSortKeys = []string{"id", "name", "kind", "county", "disposition", "platform", "document", "area"}

// ZoneSortValue is z's value of sort key sort as the list compares it: a
// next link carries the last zone's (after_key), so the next page starts
// where this one ended even if that zone changes in between. The area is
// printed so that it reads back exactly; "" for the id, which after carries.
func ZoneSortValue(z Zone, sort string) string {
	switch sort {
	case "name":
		return z.Name
	case "kind":
		return z.Kind
	case "county":
		return z.CountyAdcode
	case "disposition":
		return z.Disposition
	case "platform":
		return z.PlatformName
	case "document":
		return z.DocumentNo
	case "area":
		return strconv.FormatFloat(z.AreaM2, 'g', -1, 64)
	}
	return ""
}

// ParseZoneSortValue reads an after_key of sort key sort (not the id) as the
// SQL parameter it is compared as, or says why it cannot be one.
func ParseZoneSortValue(sort, v string) (any, error) {
	switch sort {
	case "", "id":
		return nil, errors.New("the id sort has no key value")
	case "area":
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%q is not a finite number", v)
		}
		return x, nil
	}
	if _, ok := zoneSortKeys[sort]; !ok {
		return nil, fmt.Errorf("unknown sort key %q", sort)
	}
	// Text that PostgreSQL can hold: valid UTF-8 without NUL.
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		return nil, errors.New("not valid UTF-8 text")
	}
	return v, nil
}

// Change records who makes a change and why.
type Change struct {
	Actor  string
	Reason string
}

const zoneColumns = `z.id, z.kind, z.name, z.county_adcode, z.disposition, z.approved_area_ha,
	coalesce(z.document_no, ''), z.attributes, ST_AsBinary(z.geom), z.area_m2,
	m.platform_id, coalesce(p.name, ''), z.version, z.merged_into, z.created_at, coalesce(z.created_by, ''),
	z.updated_at, coalesce(z.updated_by, ''), z.retired_at, z.scenario_id, z.origin_id`

const zoneFrom = ` FROM zone z LEFT JOIN platform_member m ON m.zone_id = z.id LEFT JOIN platform p ON p.id = m.platform_id`

func scanZone(row pgx.Row) (Zone, error) {
	var z Zone
	var attrs []byte
	var g []byte
	err := row.Scan(&z.ID, &z.Kind, &z.Name, &z.CountyAdcode, &z.Disposition, &z.ApprovedAreaHa,
		&z.DocumentNo, &attrs, &g, &z.AreaM2, &z.PlatformID, &z.PlatformName, &z.Version, &z.MergedInto,
		&z.CreatedAt, &z.CreatedBy, &z.UpdatedAt, &z.UpdatedBy, &z.RetiredAt, &z.ScenarioID, &z.OriginID)
	if err != nil {
		return z, err
	}
	if z.Attributes, err = decodeAttributes(attrs); err != nil {
		return z, fmt.Errorf("decode attributes: %w", err)
	}
	z.Geom, err = decodeMulti(g)
	return z, err
}

// ListZones returns the zones matching f, in f's order (by id by default).
func (s *Store) ListZones(ctx context.Context, f ZoneFilter) ([]Zone, error) {
	var zs []Zone
	err := s.EachZone(ctx, f, func(z Zone) error { zs = append(zs, z); return nil })
	return zs, err
}

// EachZone calls fn with each zone matching f, in f's order, as the rows
// arrive: a caller that encodes them one by one holds one zone at a time.
// fn's error stops the walk and is returned.
func (s *Store) EachZone(ctx context.Context, f ZoneFilter, fn func(Zone) error) error {
	q, args, err := zoneQuery(s.scenario, f, false)
	if err != nil {
		return err
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list zones: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		z, err := scanZone(rows)
		if err != nil {
			return fmt.Errorf("list zones: %w", err)
		}
		if err := fn(z); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list zones: %w", err)
	}
	return nil
}

// zoneQuery is the SQL of a zone filter in a scenario, with its arguments:
// the zones in order, or with totals their count and area (the same rows,
// no order, no page).
func zoneQuery(scenario int64, f ZoneFilter, totals bool) (string, []any, error) {
	if totals {
		f.After, f.Limit = 0, 0
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where = append(where, "z.scenario_id = "+arg(scenario))
	switch {
	case f.RetiredOnly:
		where = append(where, "z.retired_at IS NOT NULL")
	case !f.Retired:
		where = append(where, "z.retired_at IS NULL")
	}
	if f.Text != "" {
		pattern := "%" + likeEscaper.Replace(f.Text) + "%"
		where = append(where, fmt.Sprintf("(z.name ILIKE %s OR z.document_no ILIKE %[1]s)", arg(pattern)))
	}
	if f.Kind != "" {
		where = append(where, "z.kind = "+arg(f.Kind))
	}
	if f.County != "" {
		where = append(where, "z.county_adcode = "+arg(f.County))
	}
	if f.Disposition != "" {
		where = append(where, "z.disposition = "+arg(f.Disposition))
	}
	switch {
	case f.PlatformID > 0:
		where = append(where, "m.platform_id = "+arg(f.PlatformID))
	case f.PlatformID < 0:
		where = append(where, "m.platform_id IS NULL")
	}
	key, cmp, dir := zoneSortKeys[f.Sort], ">", ""
	if key.expr == "" || f.Sort == "id" {
		key.expr, f.Sort = "z.id", ""
	}
	if f.Desc {
		cmp, dir = "<", " DESC"
	}
	if f.After > 0 {
		if f.Sort == "" {
			where = append(where, "z.id "+cmp+" "+arg(f.After))
		} else {
			// After the key value the page before ended on, as its next
			// link carries it: not the zone's key now, which may have
			// changed since (a page would skip or repeat zones).
			v, err := ParseZoneSortValue(f.Sort, f.AfterKey)
			if err != nil {
				return "", nil, fmt.Errorf("%w: after_key: %v", ErrInvalid, err)
			}
			where = append(where, fmt.Sprintf("(%s, z.id) %s (%s::%s, %s)", key.expr, cmp, arg(v), key.typ, arg(f.After)))
		}
	}
	if f.BBox != nil {
		where = append(where, fmt.Sprintf("z.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490)",
			arg(f.BBox.Min[0]), arg(f.BBox.Min[1]), arg(f.BBox.Max[0]), arg(f.BBox.Max[1])))
	}
	columns := zoneColumns
	if totals {
		columns = "count(*), coalesce(sum(z.area_m2), 0)"
	}
	q := "SELECT " + columns + zoneFrom + " WHERE " + strings.Join(where, " AND ")
	if totals {
		return q, args, nil
	}
	if f.Sort == "" {
		q += " ORDER BY z.id" + dir
	} else {
		q += " ORDER BY " + key.expr + dir + ", z.id" + dir
	}
	if f.Limit > 0 {
		q += " LIMIT " + arg(f.Limit)
	}
	return q, args, nil
}

// likeEscaper makes text match itself in ILIKE, whose escape character is a backslash.
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// GetZone returns one zone, retired or not.
func (s *Store) GetZone(ctx context.Context, id int64) (Zone, error) {
	return getZone(ctx, s.db, id, false)
}

func getZone(ctx context.Context, q querier, id int64, lock bool) (Zone, error) {
	sql := "SELECT " + zoneColumns + zoneFrom + " WHERE z.id = $1"
	if lock {
		sql += " FOR UPDATE OF z"
	}
	z, err := scanZone(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return z, fmt.Errorf("zone %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return z, fmt.Errorf("get zone %d: %w", id, err)
	}
	return z, nil
}

// CreateZone stores a new zone. Kind, name, county and geometry are required.
func (s *Store) CreateZone(ctx context.Context, f ZoneFields, c Change) (Zone, error) {
	var z Zone
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		z, err = createZone(ctx, tx, s.scenario, f, c, "create")
		return err
	})
	return z, err
}

// createZone stores a new zone in a scenario (0: the official data).
func createZone(ctx context.Context, tx pgx.Tx, scenario int64, f ZoneFields, c Change, action string) (Zone, error) {
	if f.Kind == nil || f.Name == nil || f.CountyAdcode == nil || f.Geom == nil {
		return Zone{}, fmt.Errorf("create zone: kind, name, county_adcode and geometry are required: %w", ErrInvalid)
	}
	g, err := encodeGeom(f.Geom)
	if err != nil {
		return Zone{}, err
	}
	if err := checkValid(ctx, tx, g); err != nil {
		return Zone{}, err
	}
	disp := "待定"
	if f.Disposition != nil {
		disp = *f.Disposition
	}
	var approved *float64
	if f.ApprovedAreaHa != nil {
		approved = *f.ApprovedAreaHa
	}
	var doc *string
	if f.DocumentNo != nil && *f.DocumentNo != "" {
		doc = f.DocumentNo
	}
	attrs := encodeAttributes(f.Attributes)
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO zone (kind, name, county_adcode, disposition, approved_area_ha, document_no, attributes, geom, created_by, updated_by, scenario_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, ST_Multi(ST_GeomFromWKB($8, 4490)), $9, $9, $10)
		RETURNING id`,
		*f.Kind, *f.Name, *f.CountyAdcode, disp, approved, doc, attrs, g, nullable(c.Actor), scenario).Scan(&id)
	if err != nil {
		return Zone{}, fmt.Errorf("create zone: %w", classify(err))
	}
	z, err := getZone(ctx, tx, id, false)
	if err != nil {
		return z, err
	}
	if err := addRevision(ctx, tx, "zone", id, z.Version, action, c, nil, zoneSnapshot(z)); err != nil {
		return z, err
	}
	return z, publishZones(ctx, tx, z.ScenarioID, nil, z.Geom.Bound())
}

// touch runs the row's update triggers without changing it, so that a
// change that changes nothing is still refused to whom the county guards
// (migration 0013) refuse the change itself: "saved" is never said of a
// write its author may not make. table is "zone" or "platform".
func touch(ctx context.Context, tx pgx.Tx, table string, id int64) error {
	sql := `UPDATE zone SET version = version WHERE id = $1`
	if table == "platform" {
		sql = `UPDATE platform SET version = version WHERE id = $1`
	}
	if _, err := tx.Exec(ctx, sql, id); err != nil {
		return fmt.Errorf("update %s %d: %w", table, id, classify(err))
	}
	return nil
}

// UpdateZone changes a live zone whose version is still version. A change
// that changes nothing (the same geometry, bit for bit, and the same fields)
// writes nothing: the zone keeps its version and no revision is recorded.
func (s *Store) UpdateZone(ctx context.Context, id int64, version int, f ZoneFields, c Change) (Zone, error) {
	var z Zone
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockLiveZone(ctx, tx, id, version)
		if err != nil {
			return err
		}
		z, err = updateLockedZone(ctx, tx, before, f, c)
		return err
	})
	return z, err
}

// updateLockedZone applies f to zone before, locked and checked live at
// the writer's version, in transaction tx (UpdateZone, UpdateZoneSharing).
func updateLockedZone(ctx context.Context, tx pgx.Tx, before Zone, f ZoneFields, c Change) (Zone, error) {
	id := before.ID
	if !f.changes(before) {
		return before, touch(ctx, tx, "zone", id)
	}
	var z Zone
	var g []byte
	var err error
	if f.Geom != nil {
		if g, err = encodeGeom(f.Geom); err != nil {
			return z, err
		}
		if err := checkValid(ctx, tx, g); err != nil {
			return z, err
		}
	}
	var approvedSet bool
	var approved *float64
	if f.ApprovedAreaHa != nil {
		approvedSet, approved = true, *f.ApprovedAreaHa
	}
	var attrs any
	if f.Attributes != nil {
		attrs = encodeAttributes(f.Attributes)
	}
	_, err = tx.Exec(ctx, `
		UPDATE zone SET
			kind = coalesce($2, kind),
			name = coalesce($3, name),
			county_adcode = coalesce($4, county_adcode),
			disposition = coalesce($5, disposition),
			approved_area_ha = CASE WHEN $6 THEN $7 ELSE approved_area_ha END,
			document_no = coalesce($8, document_no),
			attributes = coalesce($9::jsonb, attributes),
			geom = coalesce(ST_Multi(ST_GeomFromWKB($10, 4490)), geom),
			version = version + 1, updated_at = now(), updated_by = $11
		WHERE id = $1`,
		id, f.Kind, f.Name, f.CountyAdcode, f.Disposition, approvedSet, approved, f.DocumentNo, attrs, g, nullable(c.Actor))
	if err != nil {
		return z, fmt.Errorf("update zone %d: %w", id, classify(err))
	}
	z, err = getZone(ctx, tx, id, false)
	if err != nil {
		return z, err
	}
	if err := addRevision(ctx, tx, "zone", id, z.Version, "update", c, zoneSnapshot(before), zoneSnapshot(z)); err != nil {
		return z, err
	}
	return z, publishZones(ctx, tx, z.ScenarioID, platformsOf(before, z), before.Geom.Bound(), z.Geom.Bound())
}

// changes reports whether applying f to z would change anything. Geometry is
// compared exactly, coordinate by coordinate.
func (f ZoneFields) changes(z Zone) bool {
	differs := func(p *string, v string) bool { return p != nil && *p != v }
	if differs(f.Kind, z.Kind) || differs(f.Name, z.Name) || differs(f.CountyAdcode, z.CountyAdcode) ||
		differs(f.Disposition, z.Disposition) || differs(f.DocumentNo, z.DocumentNo) {
		return true
	}
	if f.ApprovedAreaHa != nil && !sameFloat(*f.ApprovedAreaHa, z.ApprovedAreaHa) {
		return true
	}
	if f.Attributes != nil && !sameJSON(f.Attributes, z.Attributes) {
		return true
	}
	return f.Geom != nil && !orb.Equal(f.Geom, z.Geom)
}

func sameFloat(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// sameJSON compares two attribute maps as the database stores them (jsonb).
func sameJSON(a, b map[string]any) bool {
	norm := func(m map[string]any) any {
		if m == nil {
			m = map[string]any{}
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return nil
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return nil
		}
		return v
	}
	na, nb := norm(a), norm(b)
	return na != nil && reflect.DeepEqual(na, nb)
}

// RetireZone retires a live zone (kept in history) and removes it from its platform.
func (s *Store) RetireZone(ctx context.Context, id int64, version int, c Change) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockLiveZone(ctx, tx, id, version)
		if err != nil {
			return err
		}
		platforms, err := lockPlatforms(ctx, tx, platformsOf(before))
		if err != nil {
			return err
		}
		if err := retireZone(ctx, tx, before, nil, c, "retire"); err != nil {
			return err
		}
		if err := recordMembership(ctx, tx, platforms, "member_retired", c); err != nil {
			return err
		}
		return publishZones(ctx, tx, before.ScenarioID, platformsOf(before), before.Geom.Bound())
	})
}

// retireZone retires a locked zone and ends its membership; the caller
// holds its platform's lock and records the platform's revision.
func retireZone(ctx context.Context, tx pgx.Tx, before Zone, mergedInto *int64, c Change, action string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM platform_member WHERE zone_id = $1`, before.ID); err != nil {
		return fmt.Errorf("retire zone %d: %w", before.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE zone SET retired_at = now(), merged_into = $2, version = version + 1,
		updated_at = now(), updated_by = $3 WHERE id = $1`, before.ID, mergedInto, nullable(c.Actor)); err != nil {
		return fmt.Errorf("retire zone %d: %w", before.ID, err)
	}
	after, err := getZone(ctx, tx, before.ID, false)
	if err != nil {
		return err
	}
	return addRevision(ctx, tx, "zone", before.ID, after.Version, action, c, zoneSnapshot(before), zoneSnapshot(after))
}

// lockLiveZone locks a zone for writing and checks that it is live and at version.
func lockLiveZone(ctx context.Context, tx pgx.Tx, id int64, version int) (Zone, error) {
	zs, err := lockZones(ctx, tx, []int64{id})
	if err != nil {
		return Zone{}, err
	}
	z, ok := zs[id]
	if !ok {
		return z, fmt.Errorf("zone %d: %w", id, ErrNotFound)
	}
	if z.RetiredAt != nil {
		return z, fmt.Errorf("zone %d is retired: %w", id, ErrGone)
	}
	if version != z.Version {
		return z, &ConflictError{Entity: "zone", ID: id, Expected: version, Current: z.Version}
	}
	return z, nil
}

// SplitZone cuts a live zone in two (or more) along a line and returns the
// new zones; the source is retired with a link to the first piece (all the
// pieces: SplitInto), and the pieces keep its fields (name suffixed -1, -2 …)
// and its platform, and share its approved area (apportion).
func (s *Store) SplitZone(ctx context.Context, id int64, version int, line orb.LineString, c Change) ([]Zone, error) {
	var pieces []Zone
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		pieces = nil
		src, err := lockLiveZone(ctx, tx, id, version)
		if err != nil {
			return err
		}
		platforms, err := lockPlatforms(ctx, tx, platformsOf(src))
		if err != nil {
			return err
		}
		lb, err := encodeGeom(line)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT ST_AsBinary(ST_Multi(d.geom)), ellipsoidal_area(ST_Multi(d.geom)) FROM (
				SELECT (ST_Dump(ST_Split(z.geom, ST_GeomFromWKB($2, 4490)))).geom FROM zone z WHERE z.id = $1
			) d WHERE ST_Area(d.geom) > 0`, id, lb)
		if err != nil {
			return fmt.Errorf("split zone %d: %w", id, err)
		}
		var parts []orb.MultiPolygon
		var areas []float64
		for rows.Next() {
			var b []byte
			var a float64
			if err := rows.Scan(&b, &a); err != nil {
				rows.Close()
				return err
			}
			mp, err := decodeMulti(b)
			if err != nil {
				rows.Close()
				return err
			}
			parts = append(parts, mp)
			areas = append(areas, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("split zone %d: %w", id, err)
		}
		if len(parts) < 2 {
			return fmt.Errorf("split zone %d: the line does not cut the zone in two; draw it across the whole zone, from outside to outside: %w", id, ErrInvalid)
		}
		approved := apportion(src.ApprovedAreaHa, areas)
		for i, p := range parts {
			name := fmt.Sprintf("%s-%d", src.Name, i+1)
			attrs := provenanceFree(src.Attributes)
			attrs["split_from"] = src.ID
			z, err := createZone(ctx, tx, src.ScenarioID, ZoneFields{Kind: &src.Kind, Name: &name, CountyAdcode: &src.CountyAdcode,
				Disposition: &src.Disposition, DocumentNo: &src.DocumentNo, ApprovedAreaHa: &approved[i], Attributes: attrs, Geom: p}, c, "split")
			if err != nil {
				return err
			}
			if src.PlatformID != nil {
				if err := addMembership(ctx, tx, z.ID, *src.PlatformID, c); err != nil {
					return err
				}
				z.PlatformID, z.PlatformName = src.PlatformID, src.PlatformName
			}
			pieces = append(pieces, z)
		}
		if err := retireZone(ctx, tx, src, &pieces[0].ID, c, "split"); err != nil {
			return err
		}
		if err := recordMembership(ctx, tx, platforms, "member_split", c); err != nil {
			return err
		}
		return publishZones(ctx, tx, src.ScenarioID, platformsOf(src), src.Geom.Bound())
	})
	return pieces, err
}

// apportion shares a split source's approved area (核准面积, ha) among its
// pieces by their share of the ellipsoidal area: each piece but the last
// gets its share rounded to 0.0001 ha (1 m²), the last what remains, so the
// pieces add up to the source's figure (and none is below 0: a piece's
// rounded share is capped by what is left). No approved area: none for any.
func apportion(approved *float64, areas []float64) []*float64 {
	out := make([]*float64, len(areas))
	if approved == nil {
		return out
	}
	total := 0.0
	for _, a := range areas {
		total += a
	}
	// The remainder is rounded to the same 0.0001 ha when the source's
	// figure is itself in 0.0001 ha (4.9383 − 2.4691 is 2.4692000000000003
	// in floating point, and that would be stored and exported).
	whole := math.Abs(*approved*1e4-math.Round(*approved*1e4)) < 1e-6
	given := 0.0
	for i, a := range areas {
		v := *approved - given
		if whole {
			v = math.Round(v*1e4) / 1e4
		}
		if i < len(areas)-1 {
			share := 0.0
			if total > 0 {
				share = math.Round(*approved*a/total*1e4) / 1e4
			}
			v = max(0, min(share, *approved-given)) // rounding up never leaves the last piece below 0
			given += v
		}
		out[i] = &v
	}
	return out
}

// SplitInto returns the pieces a retired zone was split into, all of them,
// read from the operation that split it (the revisions that created the
// pieces); nil when the zone was not split or has since been brought back
// (merged_into then names the zone it was merged into, or nothing).
func (s *Store) SplitInto(ctx context.Context, z Zone) ([]int64, error) {
	return splitInto(ctx, s.db, z)
}

func splitInto(ctx context.Context, q querier, z Zone) ([]int64, error) {
	if z.RetiredAt == nil || z.MergedInto == nil {
		return nil, nil
	}
	var op int64
	var actor *string
	err := q.QueryRow(ctx, `SELECT op, actor FROM revision WHERE entity = 'zone' AND entity_id = $1
		AND action = 'split' AND before IS NOT NULL AND op IS NOT NULL ORDER BY id DESC LIMIT 1`, z.ID).Scan(&op, &actor)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pieces of zone %d: %w", z.ID, err)
	}
	// actor and op: the index revision_actor_op_idx finds the operation.
	sql := `SELECT coalesce(array_agg(entity_id ORDER BY entity_id), '{}') FROM revision
		WHERE actor = $1 AND op = $2 AND entity = 'zone' AND action = 'split' AND before IS NULL`
	args := []any{actor, op}
	if actor == nil {
		sql = strings.Replace(sql, "actor = $1", "actor IS NULL AND $1::text IS NULL", 1)
	}
	var ids []int64
	if err := q.QueryRow(ctx, sql, args...).Scan(&ids); err != nil {
		return nil, fmt.Errorf("pieces of zone %d: %w", z.ID, err)
	}
	if !slices.Contains(ids, *z.MergedInto) {
		return nil, nil // merged since, not split
	}
	return ids, nil
}

// addMembership puts a zone in a platform; both must be locked.
func addMembership(ctx context.Context, tx pgx.Tx, zoneID, platformID int64, c Change) error {
	if _, err := tx.Exec(ctx, `INSERT INTO platform_member (zone_id, platform_id, added_by) VALUES ($1, $2, $3)`,
		zoneID, platformID, nullable(c.Actor)); err != nil {
		return fmt.Errorf("add zone %d to platform %d: %w", zoneID, platformID, classify(err))
	}
	return nil
}

// publishZones announces a change to the zones of one scenario (0: the
// official data), the scenario of the rows written: the tiles of the
// other scenarios stay cached.
func publishZones(ctx context.Context, tx pgx.Tx, scenario int64, platforms []int64, bounds ...orb.Bound) error {
	c := change.Change{Layer: "zones", Bounds: bounds, Platforms: platforms, Scenarios: []int64{scenario}}
	if err := change.Publish(ctx, tx, c); err != nil {
		return err
	}
	if len(platforms) > 0 {
		c.Layer = "platforms"
		return change.Publish(ctx, tx, c)
	}
	return nil
}

func platformsOf(zs ...Zone) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, z := range zs {
		if z.PlatformID != nil && !seen[*z.PlatformID] {
			seen[*z.PlatformID] = true
			ids = append(ids, *z.PlatformID)
		}
	}
	return ids
}

func sameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// zoneSnapshot is the JSON kept in a revision: the zone's fields and its
// geometry as GeoJSON.
func zoneSnapshot(z Zone) map[string]any {
	return map[string]any{
		"id": z.ID, "kind": z.Kind, "name": z.Name, "county_adcode": z.CountyAdcode,
		"disposition": z.Disposition, "approved_area_ha": z.ApprovedAreaHa, "document_no": z.DocumentNo,
		"attributes": encodeAttributes(z.Attributes), "platform_id": z.PlatformID, "version": z.Version,
		"merged_into": z.MergedInto, "retired": z.RetiredAt != nil, "area_m2": z.AreaM2,
		"geometry": geometryJSON(z.Geom),
	}
}

// ZoneSummary is what the map shows of all live zones without loading
// them: how many of each kind and disposition, their area, the box around
// them.
type ZoneSummary struct {
	Count         int            `json:"count"`
	ByKind        map[string]int `json:"by_kind"`
	ByDisposition map[string]int `json:"by_disposition"` // township zones
	AreaM2        float64        `json:"area_m2"`
	BBox          *[4]float64    `json:"bbox"` // nil without zones
}

// SummarizeZones counts the live zones; the map opens on their box before
// it loads the ones in view.
func (s *Store) SummarizeZones(ctx context.Context) (ZoneSummary, error) {
	sum := ZoneSummary{ByKind: map[string]int{}, ByDisposition: map[string]int{}}
	rows, err := s.db.Query(ctx, `SELECT kind, disposition, count(*), sum(area_m2) FROM zone WHERE retired_at IS NULL AND scenario_id = $1 GROUP BY 1, 2`, s.scenario)
	if err != nil {
		return sum, fmt.Errorf("zone summary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, disp string
		var n int
		var area float64
		if err := rows.Scan(&kind, &disp, &n, &area); err != nil {
			return sum, fmt.Errorf("zone summary: %w", err)
		}
		sum.Count += n
		sum.ByKind[kind] += n
		if kind == policy.KindTownship {
			sum.ByDisposition[disp] += n
		}
		sum.AreaM2 += area
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("zone summary: %w", err)
	}
	var w, so, e, n *float64
	err = s.db.QueryRow(ctx, `SELECT ST_XMin(ext), ST_YMin(ext), ST_XMax(ext), ST_YMax(ext)
		FROM (SELECT ST_Extent(geom)::box3d AS ext FROM zone WHERE retired_at IS NULL AND scenario_id = $1) x`, s.scenario).Scan(&w, &so, &e, &n)
	if err != nil {
		return sum, fmt.Errorf("zone summary: %w", err)
	}
	if w != nil {
		sum.BBox = &[4]float64{*w, *so, *e, *n}
	}
	return sum, nil
}
