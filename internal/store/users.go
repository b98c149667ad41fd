package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"wanmu/internal/change"
)

// User is an account. Secrets never leave the store.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`     // viewer | editor | admin
	Counties  []string  `json:"counties"` // an editor limited to these counties; none: every county
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Credentials is a user with the password hash, for sign-in.
type Credentials struct {
	User
	PasswordHash []byte
}

const userColumns = `id, name, role, counties, disabled, created_at`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Name, &u.Role, &u.Counties, &u.Disabled, &u.CreatedAt)
	return u, err
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM app_user`).Scan(&n)
	return n, err
}

// CreateUser adds a user with an already hashed password, limited to
// counties when it edits (none: every county).
func (s *Store) CreateUser(ctx context.Context, name, role string, counties []string, hash []byte) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `INSERT INTO app_user (name, role, password_hash, counties) VALUES ($1, $2, $3, $4)
		RETURNING `+userColumns, name, role, string(hash), append([]string{}, counties...)))
	if err != nil {
		return u, fmt.Errorf("create user %s: %w", name, classify(err))
	}
	return u, nil
}

// ListUsers returns every user by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Query(ctx, `SELECT `+userColumns+` FROM app_user ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
}

// UserByName returns a user's credentials.
func (s *Store) UserByName(ctx context.Context, name string) (Credentials, error) {
	var c Credentials
	var hash string
	err := s.db.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM app_user WHERE name = $1`, name).
		Scan(&c.ID, &c.Name, &c.Role, &c.Counties, &c.Disabled, &c.CreatedAt, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("user %s: %w", name, ErrNotFound)
	}
	c.PasswordHash = []byte(hash)
	return c, err
}

// UpdateUser changes a user's role, counties, disabled flag or password hash
// (nil = unchanged; an empty counties: every county).
// Disabling a user or changing the password ends their sessions and
// revokes their API tokens. Every instance hears of the change on the
// change bus and drops what it cached of the user's credentials, so a new
// role applies to the user's next request.
func (s *Store) UpdateUser(ctx context.Context, name string, role *string, counties *[]string, disabled *bool, hash []byte) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var h *string
		if hash != nil {
			hs := string(hash)
			h = &hs
		}
		var err error
		var cs []string
		if counties != nil {
			cs = append([]string{}, *counties...)
		}
		u, err = scanUser(tx.QueryRow(ctx, `UPDATE app_user SET role = coalesce($2, role), disabled = coalesce($3, disabled),
			password_hash = coalesce($4, password_hash), counties = coalesce($5, counties), updated_at = now()
			WHERE name = $1 RETURNING `+userColumns, name, role, disabled, h, cs))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %s: %w", name, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("update user %s: %w", name, classify(err))
		}
		if hash != nil || (disabled != nil && *disabled) {
			if _, err := tx.Exec(ctx, `DELETE FROM user_session WHERE user_id = $1`, u.ID); err != nil {
				return fmt.Errorf("end the sessions of %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE api_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, u.ID); err != nil {
				return fmt.Errorf("revoke the tokens of %s: %w", name, err)
			}
		}
		return change.PublishUsers(ctx, tx, u.ID)
	})
	return u, err
}

// CreateSession stores a session by the hash of its id.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID int64, csrf string, expires time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO user_session (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)`,
		idHash, userID, csrf, expires)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	_, _ = s.db.Exec(ctx, `DELETE FROM user_session WHERE expires_at < now()`)
	return nil
}

// Session is a live session: its user, CSRF token and expiry.
type Session struct {
	User    User
	CSRF    string
	Expires time.Time
}

// SessionByHash returns the unexpired session of a live user by the hash
// of its id.
func (s *Store) SessionByHash(ctx context.Context, idHash []byte) (Session, error) {
	var se Session
	u := &se.User
	err := s.db.QueryRow(ctx, `SELECT u.id, u.name, u.role, u.counties, u.disabled, u.created_at, s.csrf_token, s.expires_at
		FROM user_session s JOIN app_user u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, idHash).
		Scan(&u.ID, &u.Name, &u.Role, &u.Counties, &u.Disabled, &u.CreatedAt, &se.CSRF, &se.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return se, ErrNotFound
	}
	if err != nil {
		return se, fmt.Errorf("read session: %w", err)
	}
	return se, nil
}

// DeleteSession ends a session, on every instance at once.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var user int64
		err := tx.QueryRow(ctx, `DELETE FROM user_session WHERE id_hash = $1 RETURNING user_id`, idHash).Scan(&user)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return change.PublishUsers(ctx, tx, user)
	})
}

// Token describes an API token (never its secret).
type Token struct {
	ID        int64      `json:"id"`
	User      string     `json:"user"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// CreateToken stores the hash of a new API token for a user.
func (s *Store) CreateToken(ctx context.Context, userName string, hash []byte, label string) (Token, error) {
	var t Token
	err := s.db.QueryRow(ctx, `INSERT INTO api_token (user_id, token_hash, label)
		SELECT id, $2, $3 FROM app_user WHERE name = $1 AND NOT disabled RETURNING id, created_at`, userName, hash, label).Scan(&t.ID, &t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("user %s (or disabled): %w", userName, ErrNotFound)
	}
	t.User, t.Label = userName, label
	return t, err
}

// TokenUser returns the live user of an unrevoked token and notes when it
// was used (the API checks a token here once per cache lifetime).
func (s *Store) TokenUser(ctx context.Context, hash []byte) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `UPDATE api_token t SET last_used_at = now() FROM app_user u
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND NOT u.disabled
		RETURNING u.id, u.name, u.role, u.counties, u.disabled, u.created_at`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// ListTokens returns every token.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Query(ctx, `SELECT t.id, u.name, t.label, t.created_at, t.last_used_at, t.revoked_at
		FROM api_token t JOIN app_user u ON u.id = t.user_id ORDER BY t.id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.User, &t.Label, &t.CreatedAt, &t.LastUsed, &t.RevokedAt)
		return t, err
	})
}

// RevokeToken revokes a token by id, on every instance at once.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var user int64
		err := tx.QueryRow(ctx, `UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING user_id`, id).Scan(&user)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("token %d (or already revoked): %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return change.PublishUsers(ctx, tx, user)
	})
}

// deviceKeySetting names the setting that holds the key of device cookies.
const deviceKeySetting = "signin_device_key"

// DeviceKey returns the installation's key for device cookies, storing
// fresh (a new random key) if there is none yet: instances that start
// together all end up with the first one stored.
func (s *Store) DeviceKey(ctx context.Context, fresh []byte) ([]byte, error) {
	var b64 string
	err := s.db.QueryRow(ctx, `WITH ins AS (
			INSERT INTO app_setting (key, value) VALUES ($1, to_jsonb($2::text)) ON CONFLICT (key) DO NOTHING RETURNING value)
		SELECT value #>> '{}' FROM ins UNION ALL SELECT value #>> '{}' FROM app_setting WHERE key = $1 LIMIT 1`,
		deviceKeySetting, base64.StdEncoding.EncodeToString(fresh)).Scan(&b64)
	if errors.Is(err, pgx.ErrNoRows) {
		// Another instance stored its key after this statement's snapshot.
		err = s.db.QueryRow(ctx, `SELECT value #>> '{}' FROM app_setting WHERE key = $1`, deviceKeySetting).Scan(&b64)
	}
	if err != nil {
		return nil, fmt.Errorf("device cookie key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("device cookie key: setting %s is not a base64 key of 32 bytes or more", deviceKeySetting)
	}
	return key, nil
}
