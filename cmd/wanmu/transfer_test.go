package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestImportExportCommands exports zones to a GeoPackage in EPSG:4528 and
// imports the file back: a dry run writes nothing, the import writes all.
func TestImportExportCommands(t *testing.T) {
	url := testdb.ConnString(t)
	t.Setenv("DATABASE_URL", url)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	name, kind, county := "白桥园区", "park", "331102"
	g := orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
	if _, err := st.CreateZone(ctx, store.ZoneFields{Name: &name, Kind: &kind, CountyAdcode: &county, Geom: g}, store.Change{}); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		return out.String() + errb.String(), code
	}
	file := filepath.Join(t.TempDir(), "zones.gpkg")
	if out, code := cli("export", "--layer", "zones", "--format", "gpkg", "--crs", "EPSG:4528", "--out", file); code != 0 {
		t.Fatalf("export: %d %s", code, out)
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() < 1000 {
		t.Fatalf("exported file: %v", err)
	}
	out, code := cli("import", file, "--layer", "zones", "--dry-run")
	if code != 0 || !strings.Contains(out, "1 features") || !strings.Contains(out, "4528") || !strings.Contains(out, "overlaps zone 1") || !strings.Contains(out, "nothing written") {
		t.Fatalf("dry run: %d %s", code, out)
	}
	if zs, _ := st.ListZones(ctx, store.ZoneFilter{}); len(zs) != 1 {
		t.Fatalf("the dry run wrote zones: %d", len(zs))
	}
	if out, code := cli("import", file, "--layer", "zones", "--zone-kind", "park", "--reason", "回读"); code != 0 || !strings.Contains(out, "wrote 1 features") {
		t.Fatalf("import: %d %s", code, out)
	}
	zs, _ := st.ListZones(ctx, store.ZoneFilter{})
	if len(zs) != 2 || zs[1].Name != name || zs[1].CountyAdcode != county {
		t.Fatalf("zones after the import: %+v", zs)
	}
	if d := zs[1].AreaM2 - zs[0].AreaM2; d > 1 || d < -1 {
		t.Errorf("area changed in the round trip by %.3f m²", d)
	}
	if out, code := cli("import", filepath.Join(t.TempDir(), "missing.shp")); code == 0 {
		t.Fatalf("import of a missing file succeeded: %s", out)
	}
}

// TestTransferCommandsScratch: the commands work in their own scratch
// directory, remove what a crashed process left in the shared root and their
// own at exit; an export is written under a temporary name and renamed, so a
// failed one leaves nothing; a layer name with a control character is
// refused before anything is read.
func TestTransferCommandsScratch(t *testing.T) {
	url := testdb.ConnString(t)
	t.Setenv("DATABASE_URL", url)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx := context.Background()
	root := filepath.Join(tmp, "wanmu-uploads-"+strconv.Itoa(os.Getuid()))
	crashed := filepath.Join(root, "999999-123")
	if err := os.MkdirAll(crashed, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"lock", "upload.zip"} { // a lock nobody holds: its process is gone
		if err := os.WriteFile(filepath.Join(crashed, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cli := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		return out.String() + errb.String(), code
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "zones.csv")
	if out, code := cli("export", "--layer", "zones", "--format", "csv", "--out", file); code != 0 || !strings.Contains(out, "wrote "+file) {
		t.Fatalf("export: %d %s", code, out)
	}
	if out, code := cli("export", "--layer", "layer-424242", "--format", "csv", "--out", filepath.Join(dir, "missing.csv")); code == 0 {
		t.Fatalf("export of a missing layer succeeded: %s", out)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 1 || m[0] != file {
		t.Errorf("files beside the export: %v, want only %s", m, file)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) != 0 {
		t.Errorf("temporary files left beside the export: %v", m)
	}
	out, code := cli("import", file, "--layer", "constraint:农\x00田", "--dry-run")
	if code == 0 || !strings.Contains(out, "control character (U+0000)") {
		t.Errorf("import into a layer name with NUL: %d %s", code, out)
	}
	if _, err := os.Stat(crashed); !os.IsNotExist(err) {
		t.Errorf("what the crashed process left is still there: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(root, "*")); len(m) != 0 {
		t.Errorf("the commands left their scratch directories: %v", m)
	}
}
