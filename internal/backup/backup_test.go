package backup

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLibpqConn(t *testing.T) {
	tests := []struct {
		in, want string
		env      []string
	}{
		{"postgres://wanmu:s3cret@db.example:5433/wanmu?sslmode=require&pool_max_conns=4",
			"postgres://wanmu@db.example:5433/wanmu?sslmode=require", []string{"PGPASSWORD=s3cret"}},
		{"postgresql://db/wanmu", "postgresql://db/wanmu", nil},
		{"host=/run/pg port=5432 user=postgres dbname=wanmu sslmode=disable",
			"host=/run/pg port=5432 user=postgres dbname=wanmu sslmode=disable", nil},
		{`host='/tmp/a dir' password='it\'s' dbname = wanmu statement_cache_capacity=0`,
			`host='/tmp/a dir' dbname=wanmu`, []string{"PGPASSWORD=it's"}},
	}
	for _, tt := range tests {
		got, env, err := libpqConn(tt.in)
		if err != nil || got != tt.want || !slices.Equal(env, tt.env) {
			t.Errorf("libpqConn(%q) = %q, %q, %v; want %q, %q", tt.in, got, env, err, tt.want, tt.env)
		}
	}
	if _, _, err := libpqConn("host='unterminated"); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}

func TestFilterTOC(t *testing.T) {
	toc := `;
; Archive created at 2026-12-06 08:13:31 UTC
;
3; 3079 17646 EXTENSION - btree_gist 
4711; 0 0 COMMENT - EXTENSION btree_gist 
2; 3079 16385 EXTENSION - postgis 
4712; 0 0 COMMENT - EXTENSION postgis 
977; 1255 17619 FUNCTION public ellipsoidal_area(public.geometry) postgres
222; 1259 17430 TABLE public zone postgres
4418; 0 16698 TABLE DATA public spatial_ref_sys postgres
4685; 0 17430 TABLE DATA public zone postgres
`
	list, exts, refSys := filterTOC(toc, false)
	if !slices.Equal(exts, []string{"btree_gist", "postgis"}) || !refSys {
		t.Errorf("extensions %q, spatial_ref_sys data %v", exts, refSys)
	}
	joined := strings.Join(list, "\n")
	for _, gone := range []string{"EXTENSION", "spatial_ref_sys"} {
		if strings.Contains(joined, gone) {
			t.Errorf("%s left in the list:\n%s", gone, joined)
		}
	}
	for _, kept := range []string{"FUNCTION public ellipsoidal_area", "TABLE public zone", "TABLE DATA public zone", "; Archive created"} {
		if !strings.Contains(joined, kept) {
			t.Errorf("%s dropped from the list:\n%s", kept, joined)
		}
	}
	list, _, _ = filterTOC(toc, true)
	if i := slices.IndexFunc(list, func(l string) bool { return strings.Contains(l, "spatial_ref_sys") }); i < 0 || !strings.Contains(list[i+1], "TABLE DATA public zone") {
		t.Errorf("spatial_ref_sys data not kept in its place: %q", list)
	}
}

// TestArchiveRoundTrip writes an archive as Create does, without a
// database, and reads it back.
func TestArchiveRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.wanmu")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := newArchiveWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	dump := []byte(strings.Repeat("PGDMP not really a dump ", 100))
	w.Write(dump)
	m := Manifest{Format: Format, FormatVersion: FormatVersion, Schema: 8, CreatedAt: time.Now().UTC(),
		PgDump: "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"}
	if err := w.finish(&m); err != nil {
		t.Fatal(err)
	}
	f.Close()

	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest.Dump.Size != int64(len(dump)) || a.Manifest.Schema != 8 || a.Manifest.PgDumpMajor() != 15 {
		t.Errorf("manifest read back: %+v", a.Manifest)
	}
	out := filepath.Join(dir, "out.dump")
	if err := a.Extract(out); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != string(dump) {
		t.Error("extracted dump differs")
	}

	b, _ := os.ReadFile(path)
	b[block+10] ^= 1
	os.WriteFile(path, b, 0o600)
	if err := a.Verify(); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Verify of a changed dump: %v", err)
	}
}
