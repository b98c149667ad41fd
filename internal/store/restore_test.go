package store_test

import (
	"errors"
	"testing"

	"wanmu/internal/store"
)

func TestRestoreZoneAndPlatform(t *testing.T) {
	st, ctx := newStore(t)
	first := rect(119.86, 28.40, 119.88, 28.42)
	z := mustZone(t, st, "原状", first)
	p := mustPlatform(t, st, "P", z.ID)
	z, _ = st.GetZone(ctx, z.ID)
	moved, err := st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Name: ptr("改后"), Geom: rect(119.90, 28.40, 119.95, 28.45)}, store.Change{Actor: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RetireZone(ctx, z.ID, moved.Version, store.Change{Actor: "ann", Reason: "误删"}); err != nil {
		t.Fatal(err)
	}
	// Back to the state after the edit (when it was in P): live again, in P.
	h, _ := st.History(ctx, "zone", z.ID)
	// A restore decided on an older version is refused: it would undo a
	// change its author has not seen.
	if _, err := st.RestoreZone(ctx, z.ID, moved.Version, h[1].ID, store.Change{Actor: "admin"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("restore based on version %d of a zone now at %d: %v, want a conflict", moved.Version, moved.Version+1, err)
	}
	restored, err := st.RestoreZone(ctx, z.ID, moved.Version+1, h[1].ID, store.Change{Actor: "admin", Reason: "恢复"})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Name != "改后" || restored.RetiredAt != nil || restored.AreaM2 != moved.AreaM2 {
		t.Fatalf("restored zone = %q retired %v area %.2f, want 改后, live, %.2f", restored.Name, restored.RetiredAt, restored.AreaM2, moved.AreaM2)
	}
	if restored.PlatformID == nil || *restored.PlatformID != p.ID {
		t.Errorf("restored zone did not rejoin its platform: %v", restored.PlatformID)
	}
	// Back to its first boundary and name.
	restored, err = st.RestoreZone(ctx, z.ID, restored.Version, h[0].ID, store.Change{Actor: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if restored.Name != "原状" || restored.AreaM2 != z.AreaM2 {
		t.Fatalf("restored zone = %q %.2f m², want 原状 %.2f m²", restored.Name, restored.AreaM2, z.AreaM2)
	}
	h, _ = st.History(ctx, "zone", z.ID)
	last := h[len(h)-1]
	if last.Action != "restore" || last.Actor != "admin" || len(h) != 5 {
		t.Errorf("history = %d entries, last %s by %s", len(h), last.Action, last.Actor)
	}

	// A platform back to its first state: name and members.
	p, _ = st.GetPlatform(ctx, p.ID)
	other := mustZone(t, st, "新成员", rect(119.70, 28.40, 119.71, 28.41))
	p2, err := st.UpdatePlatform(ctx, p.ID, p.Version, store.PlatformFields{Name: ptr("改名平台")}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	p3, err := st.SetMembers(ctx, p.ID, p2.Version, []int64{other.ID}, store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	ph, _ := st.History(ctx, "platform", p.ID)
	if _, err := st.RestorePlatform(ctx, p.ID, p2.Version, ph[0].ID, store.Change{Actor: "admin"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("platform restore based on version %d of %d: %v, want a conflict", p2.Version, p3.Version, err)
	}
	back, err := st.RestorePlatform(ctx, p.ID, p3.Version, ph[0].ID, store.Change{Actor: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != "P" || len(back.ZoneIDs) != 1 || back.ZoneIDs[0] != z.ID {
		t.Fatalf("restored platform = %q members %v, want P with [%d]", back.Name, back.ZoneIDs, z.ID)
	}
	if _, err := st.RestoreZone(ctx, z.ID, restored.Version, 999999, store.Change{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("restore of a missing revision: %v", err)
	}
}
