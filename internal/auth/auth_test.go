package auth

import (
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "wrong horse battery") {
		t.Fatal("password check is wrong")
	}
	h2, _ := HashPassword("correct horse battery")
	if string(h) == string(h2) {
		t.Fatal("hashes are not salted")
	}
	if _, err := HashPassword("short"); err != ErrWeakPassword {
		t.Fatalf("short password: %v", err)
	}
}

func TestRoles(t *testing.T) {
	if !(Rank(Viewer) < Rank(Editor) && Rank(Editor) < Rank(Admin)) || Rank("root") != 0 || ValidRole("") {
		t.Fatal("role order is wrong")
	}
}

func TestThrottle(t *testing.T) {
	now := time.Unix(0, 0)
	th := NewThrottle(3, time.Minute)
	th.now = func() time.Time { return now }
	for range 3 {
		th.Fail("u")
	}
	if d := th.Wait("u"); d != 0 {
		t.Fatalf("wait after free failures = %v", d)
	}
	th.Fail("u")
	if d := th.Wait("u"); d != time.Second {
		t.Fatalf("wait after 4 failures = %v, want 1s", d)
	}
	th.Fail("u")
	if d := th.Wait("u"); d != 2*time.Second {
		t.Fatalf("wait after 5 failures = %v, want 2s", d)
	}
	for range 20 {
		th.Fail("u")
	}
	if d := th.Wait("u"); d != time.Minute {
		t.Fatalf("wait is not capped: %v", d)
	}
	if d := th.Wait("other"); d != 0 {
		t.Fatalf("other key waits %v", d)
	}
	th.Succeed("u")
	if d := th.Wait("u"); d != 0 {
		t.Fatalf("wait after success = %v", d)
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b || len(a) < 40 || string(HashSecret(a)) == string(HashSecret(b)) {
		t.Fatal("secrets are not random")
	}
}
