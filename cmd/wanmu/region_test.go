package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/region"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestStoredCountiesOutsideRegion: started with another city's region over
// 丽水's data, wanmu says at start which counties are not the region's and
// how many zones and platforms name them; with 丽水's it says nothing.
func TestStoredCountiesOutsideRegion(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	sq := orb.MultiPolygon{{{{119.86, 28.40}, {119.88, 28.40}, {119.88, 28.42}, {119.86, 28.42}, {119.86, 28.40}}}}
	county, kind, name := "331102", "park", "甲园区"
	if _, err := st.CreateZone(ctx, store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county, Geom: sq}, store.Change{}); err != nil {
		t.Fatal(err)
	}
	pname := "片区"
	if _, err := st.CreatePlatform(ctx, store.PlatformFields{Name: &pname, Counties: []string{"331102", "331123"}}, nil, store.Change{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "wenzhou.json")
	if err := os.WriteFile(file, []byte(`{"adcode":"330300","name":"温州市","short":"温州",
		"extent":{"min_lon":119.6,"min_lat":27.0,"max_lon":121.7,"max_lat":28.4},
		"counties":[{"adcode":"330302","name":"鹿城区","lon":120.65,"lat":28.0}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	rg, err := loadRegion(file)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	if err := checkStoredCounties(ctx, st, rg, &out, quiet); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"WARNING: 1 zones and 2 platforms name counties that are not counties of 温州 (330300)",
		"331102 (1 zones in the official data, 0 in plans, 1 platforms); 331123 (0 zones in the official data, 0 in plans, 1 platforms)",
		"one of the region's counties (330302 鹿城区)", "--region"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("warning lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := checkStoredCounties(ctx, st, region.Default(), &out, quiet); err != nil || out.Len() != 0 {
		t.Errorf("丽水's region over 丽水's data: %v %q", err, out.String())
	}
	if _, err := loadRegion(filepath.Join(t.TempDir(), "none.json")); err == nil || !strings.Contains(err.Error(), "--region") {
		t.Errorf("missing region file: %v", err)
	}
}
