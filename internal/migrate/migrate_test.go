package migrate

import (
	"strings"
	"testing"
	"testing/fstest"

	"wanmu/migrations"
)

func TestEmbeddedMigrationsAreNumberedWithoutGaps(t *testing.T) {
	ms, err := Load(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
	for i, m := range ms {
		if m.Number != i+1 {
			t.Errorf("migration %s has number %d, want %d", m.Name, m.Number, i+1)
		}
		if strings.TrimSpace(m.SQL) == "" {
			t.Errorf("migration %s is empty", m.Name)
		}
	}
}

func TestLoadRejectsBadNumbering(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"gap", fstest.MapFS{"0001_a.sql": sql, "0003_c.sql": sql}, "expected number 0002"},
		{"duplicate", fstest.MapFS{"0001_a.sql": sql, "0001_b.sql": sql}, "expected number 0002"},
		{"not from one", fstest.MapFS{"0002_b.sql": sql}, "expected number 0001"},
		{"bad name", fstest.MapFS{"1_a.sql": sql}, "NNNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.fs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want error containing %q", err, tt.want)
			}
		})
	}
}
