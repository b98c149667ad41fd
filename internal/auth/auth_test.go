package auth

import (
	"testing"
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

func TestSecrets(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b || len(a) < 40 || string(HashSecret(a)) == string(HashSecret(b)) {
		t.Fatal("secrets are not random")
	}
}
