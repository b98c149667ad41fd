package exchange

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// Text a planner typed comes back as typed: a backslash (not read as an
// AutoCAD \U+ escape), TEXT control codes (%%d), a value longer than a
// group holds (cut at a character, never past 255 bytes), and a feature
// with more fields than XDATA holds still writes a valid drawing.
func TestDXFTextLimits(t *testing.T) {
	requireGDAL(t)
	props := map[string]any{"name": `甲\U+4E2D区%%d`, "note": strings.Repeat("长", 200)}
	fields := []Field{{Name: "name", Type: FieldString}, {Name: "note", Type: FieldString}}
	for i := range 300 {
		k := fmt.Sprintf("f%03d", i)
		props[k] = strings.Repeat("x", 100)
		fields = append(fields, Field{Name: k, Type: FieldString})
	}
	l := ExportLayer{Name: "zones", Fields: fields, Features: []Feature{{
		Geometry: orb.Polygon{rect(119.90, 28.40, 119.91, 28.41)}, Properties: props}}}
	p := exportFile(t, t.TempDir(), []ExportLayer{l}, ExportOptions{Format: FormatDXF})
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if len(strings.TrimRight(line, "\r")) > 255 {
			t.Fatalf("a value of %d bytes: %.40q…", len(line), line)
		}
	}
	ds, err := Inspect(context.Background(), p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Features) != 1 {
		t.Fatalf("%d features", len(ds.Features))
	}
	got := ds.Features[0].Properties
	if got["name"] != props["name"] {
		t.Errorf("name %q came back as %q", props["name"], got["name"])
	}
	if note, _ := got["note"].(string); !strings.HasPrefix(strings.Repeat("长", 200), note) || len(note) < 200 {
		t.Errorf("note cut to %d bytes, not at a character or far too short", len(note))
	}
}

// A layer of more than dxfMaxFilled features is outlines and names only: no
// fill and no area label per parcel (the areas stay in XDATA); a smaller one
// has both.
func TestDXFLargeLayerOutlines(t *testing.T) {
	for _, c := range []struct {
		n      int
		filled bool
	}{{10, true}, {dxfMaxFilled + 1, false}} {
		p := exportFile(t, t.TempDir(), []ExportLayer{parcelLayer(c.n)}, ExportOptions{Format: FormatDXF})
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		figures, err := gbkBytes(dxfFiguresPrefix) // the drawing is GBK
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(s, "\nHATCH\n") && strings.Contains(s, string(figures)); got != c.filled {
			t.Errorf("%d features: fills and area labels %v, want %v", c.n, got, c.filled)
		}
		if !strings.Contains(s, "area_mu") {
			t.Errorf("%d features: the areas are not in XDATA", c.n)
		}
	}
}
