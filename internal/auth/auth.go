// Package auth holds wanmu's credential primitives: slow salted password
// hashes checked a few at a time (Checker), random secrets stored only as
// hashes, roles, the throttle that slows down password guessing without
// letting a guesser lock the real user out (Throttle, Devices), and the
// in-memory cache of sessions and tokens (Cache).
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Roles in increasing order of rights.
const (
	Viewer = "viewer" // read, export
	Editor = "editor" // edit zones, platforms, memberships; import
	Admin  = "admin"  // users, constraint layers, thresholds and targets, restore
)

// Rank orders roles; unknown roles rank 0 (no rights).
func Rank(role string) int {
	switch role {
	case Viewer:
		return 1
	case Editor:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool { return Rank(role) > 0 }

var userName = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// ValidName reports whether name is an acceptable user name.
func ValidName(name string) bool { return userName.MatchString(name) }

// bcryptCost makes each hash take tens of milliseconds.
const bcryptCost = 11

// ErrWeakPassword is returned for passwords that are too short or too long.
var ErrWeakPassword = errors.New("a password needs 10 to 72 bytes")

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string) ([]byte, error) {
	if len(password) < 10 || len(password) > 72 || !utf8.ValidString(password) {
		return nil, ErrWeakPassword
	}
	return bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash []byte, password string) bool {
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// dummyHash is compared against when the user does not exist, so a missing
// user costs the same time as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user, same cost"), bcryptCost)

// CheckMissing spends the time of a password check for a missing user.
func CheckMissing(password string) { _ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password)) }

// NewSecret returns a random URL-safe secret with 256 bits of entropy.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the OS has no randomness: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret is how session ids and tokens are stored: SHA-256 suffices for
// random 256-bit secrets (no dictionary to attack).
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewPassword returns a random password for the first administrator.
func NewPassword() string { return NewSecret()[:20] }
