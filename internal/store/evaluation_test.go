package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestSaveSchemeRace: two administrators saving on the same version at once:
// exactly one is stored, the other is told the version changed.
func TestSaveSchemeRace(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.SaveScheme(ctx, store.SchemeEnterprise, 1, nil, []byte(`{"name":"x"}`), store.Change{Actor: "admin"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("not a conflict: %v", err)
		}
	}
	vs, err := st.SchemeVersions(ctx, store.SchemeEnterprise)
	if ok != 1 || err != nil || len(vs) != 1 || vs[0].Version != 2 || vs[0].CreatedBy != "admin" {
		t.Fatalf("%d saved; stored %+v %v", ok, vs, err)
	}
	if other, _ := st.SchemeVersions(ctx, store.SchemeAssessment); len(other) != 0 {
		t.Fatalf("the assessment scheme changed too: %+v", other)
	}
}

// TestEnterpriseDataVersion: the token changes with an import of the year
// and not with one of another year.
func TestEnterpriseDataVersion(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	v0, err := st.EnterpriseDataVersion(ctx, 2024, 2023)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReplaceEnterprises(ctx, 2024, []store.EnterpriseRecord{enterprise(2024, codeA, "甲", 10)}, "j1", "ann"); err != nil {
		t.Fatal(err)
	}
	v1, _ := st.EnterpriseDataVersion(ctx, 2024, 2023)
	if _, err := st.ReplaceEnterprises(ctx, 2020, []store.EnterpriseRecord{enterprise(2020, codeA, "甲", 10)}, "j2", "ann"); err != nil {
		t.Fatal(err)
	}
	v2, _ := st.EnterpriseDataVersion(ctx, 2024, 2023)
	// The same row again (same count): a new id.
	if _, err := st.ReplaceEnterprises(ctx, 2024, []store.EnterpriseRecord{enterprise(2024, codeA, "甲", 12)}, "j3", "ann"); err != nil {
		t.Fatal(err)
	}
	v3, _ := st.EnterpriseDataVersion(ctx, 2024, 2023)
	if v0 == v1 || v1 != v2 || v2 == v3 {
		t.Fatalf("versions %q %q %q %q", v0, v1, v2, v3)
	}
}
