package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Devices mints and checks device cookies: proof that a browser signed in
// as a user before. A device cookie grants nothing; it only puts the
// browser's failed sign-ins in a count of their own (see Throttle), so
// that someone guessing elsewhere cannot hold the user up. It is
// "<id>.<mac>", the MAC binding the random id to the user name under the
// installation's key, so every instance can check it without a lookup.
type Devices struct{ key []byte }

// NewDevices returns Devices under key (at least 32 random bytes, the same
// on every instance).
func NewDevices(key []byte) *Devices { return &Devices{key: key} }

// NewDeviceKey returns a fresh random key for NewDevices.
func NewDeviceKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return k
}

// Mint returns a new device cookie value for user.
func (d *Devices) Mint(user string) string {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	s := base64.RawURLEncoding.EncodeToString(id[:])
	return s + "." + d.mac(user, s)
}

// Check returns the id of a device cookie value when it was minted for
// user under this key.
func (d *Devices) Check(user, value string) (id string, ok bool) {
	id, mac, found := strings.Cut(value, ".")
	if !found || len(id) != 22 || len(value) > 64 {
		return "", false
	}
	if !hmac.Equal([]byte(mac), []byte(d.mac(user, id))) {
		return "", false
	}
	return id, true
}

func (d *Devices) mac(user, id string) string {
	h := hmac.New(sha256.New, d.key)
	h.Write([]byte("wanmu device\x00" + strings.ToLower(user) + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}
