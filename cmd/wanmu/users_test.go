package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"wanmu/internal/testdb"
)

// TestUserAndTokenCommands runs the user and token commands against a real
// database, as an administrator would from a shell.
func TestUserAndTokenCommands(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.ConnString(t))
	t.Setenv("WANMU_PASSWORD", "a long enough password")
	ctx := context.Background()
	cli := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		return out.String() + errb.String(), code
	}
	if out, code := cli("user", "add", "li.ming", "--role", "editor"); code != 0 || !strings.Contains(out, "added li.ming (editor)") {
		t.Fatalf("user add: %d %s", code, out)
	}
	if out, code := cli("user", "add", "li.ming", "--role", "viewer"); code == 0 {
		t.Fatalf("adding a user twice succeeded: %s", out)
	}
	// County-limited editors (issue 17).
	if out, code := cli("user", "add", "wang.qt", "--role", "editor", "--counties", "331121,331122"); code != 0 {
		t.Fatalf("user add --counties: %d %s", code, out)
	}
	if out, code := cli("user", "add", "zhao", "--role", "viewer", "--counties", "331121"); code == 0 || !strings.Contains(out, "limits an editor") {
		t.Fatalf("a viewer limited to counties: %d %s", code, out)
	}
	if out, code := cli("user", "counties", "li.ming", "331199"); code == 0 || !strings.Contains(out, "331199") {
		t.Fatalf("an unknown county: %d %s", code, out)
	}
	if out, code := cli("user", "counties", "li.ming", "331102"); code != 0 || !strings.Contains(out, "li.ming edits 331102") {
		t.Fatalf("user counties: %d %s", code, out)
	}
	if out, _ := cli("user", "list"); !strings.Contains(out, "331121,331122") || !strings.Contains(out, "331102") {
		t.Fatalf("user list without the counties:\n%s", out)
	}
	if out, code := cli("user", "role", "li.ming", "admin"); code != 0 || !strings.Contains(out, "li.ming is now admin") {
		t.Fatalf("user role: %d %s", code, out)
	}
	if out, _ := cli("user", "list"); !regexp.MustCompile(`li\.ming +admin +every county`).MatchString(out) {
		t.Fatalf("an administrator keeps a county limit:\n%s", out)
	}
	out, code := cli("token", "create", "--user", "li.ming", "--label", "nightly export")
	if code != 0 {
		t.Fatalf("token create: %d %s", code, out)
	}
	if out, _ := cli("token", "list"); !strings.Contains(out, "nightly export") || !strings.Contains(out, "false") {
		t.Fatalf("token list: %s", out)
	}
	if out, code := cli("token", "revoke", "1"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: %d %s", code, out)
	}
	if out, code := cli("token", "revoke", "1"); code == 0 {
		t.Fatalf("revoking twice succeeded: %s", out)
	}
	// A new password revokes the user's tokens: whoever had the old one
	// may have made a token with it.
	if out, code := cli("token", "create", "--user", "li.ming", "--label", "made with the old password"); code != 0 {
		t.Fatalf("token create: %d %s", code, out)
	}
	t.Setenv("WANMU_PASSWORD", "the next long password")
	if out, code := cli("user", "passwd", "li.ming"); code != 0 || !strings.Contains(out, "API tokens revoked") {
		t.Fatalf("user passwd: %d %s", code, out)
	}
	if out, _ := cli("token", "list"); strings.Contains(out, "false") {
		t.Fatalf("a token survived the password change:\n%s", out)
	}
	if out, code := cli("user", "disable", "li.ming"); code != 0 {
		t.Fatalf("user disable: %d %s", code, out)
	}
	if out, _ := cli("user", "list"); !strings.Contains(out, "li.ming") || !strings.Contains(out, "true") {
		t.Fatalf("user list: %s", out)
	}
	t.Setenv("WANMU_PASSWORD", "short")
	if out, code := cli("user", "passwd", "li.ming"); code == 0 || !strings.Contains(out, "10 to 72 bytes") {
		t.Fatalf("weak password accepted: %d %s", code, out)
	}
}
