package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/auth"
	"wanmu/internal/change"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// SessionCookie names the session cookie.
const SessionCookie = "wanmu_session"

// DeviceCookie names the cookie that marks a browser where a user signed
// in before (see auth.Throttle): it grants nothing but a count of failed
// sign-ins of its own.
const DeviceCookie = "wanmu_device"

const (
	sessionTTL = 12 * time.Hour
	deviceTTL  = 180 * 24 * time.Hour
	// credentialTTL is how long a session or token found valid is trusted
	// without asking the database again. Revocations reach every instance
	// at once over the change bus; this only bounds how long a credential
	// is trusted should a notification be lost while the bus stays
	// connected (a reconnection drops everything anyway).
	credentialTTL = 30 * time.Second
	// maxCredentials bounds the credentials cached.
	maxCredentials = 10_000
)

// signin is the state of sign-in and of credential checks.
type signin struct {
	throttle *auth.Throttle
	checker  *auth.Checker
	// bus carries revocations from every instance; without it (or while
	// it is not listening) every request's credential is read from the
	// database.
	bus   *change.Bus
	creds *auth.Cache[credential]

	mu      sync.Mutex
	devices *auth.Devices // loaded on first use
}

// credential is what the cache keeps of a session or a token.
type credential struct {
	user User
	csrf string // sessions only
}

func newSignin(bus *change.Bus) *signin {
	si := &signin{throttle: auth.NewThrottle(auth.DefaultLimits), checker: auth.DefaultChecker(), bus: bus,
		creds: auth.NewCache[credential](credentialTTL, maxCredentials)}
	if bus != nil {
		bus.SubscribeUsers(si.creds.Drop)
	}
	return si
}

// caching reports whether cached credentials may be trusted now.
func (si *signin) caching() bool { return si.bus != nil && si.bus.Connected() }

// deviceKeys returns the device cookie checker, loading its key once.
func (s *Server) deviceKeys(ctx context.Context) (*auth.Devices, error) {
	s.signin.mu.Lock()
	defer s.signin.mu.Unlock()
	if s.signin.devices == nil {
		key, err := s.store.DeviceKey(ctx, auth.NewDeviceKey())
		if err != nil {
			return nil, err
		}
		s.signin.devices = auth.NewDevices(key)
	}
	return s.signin.devices, nil
}

// Authenticate identifies the user of a request from a bearer token or the
// session cookie. A bad bearer token is refused outright rather than
// treated as anonymous, so a script learns its token was revoked.
func (s *Server) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri, r := withInfo(r)
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || token == "" || len(token) > 200 {
				s.writeProblem(w, r, problem.New(http.StatusUnauthorized, "unauthenticated", "the Authorization header must be \"Bearer <token>\""))
				return
			}
			c, err := s.credential(r.Context(), "t", token)
			if err != nil {
				if errors.Is(err, store.ErrNotFound) {
					err = problem.New(http.StatusUnauthorized, "unauthenticated", "the API token is unknown, revoked, or its user is disabled: create a new one with wanmu token create")
				}
				s.writeProblem(w, r, err)
				return
			}
			ri.user = &c.user
		} else if cookie, err := r.Cookie(SessionCookie); err == nil && cookie.Value != "" && len(cookie.Value) < 200 {
			c, err := s.credential(r.Context(), "s", cookie.Value)
			if err == nil {
				ri.user, ri.csrf, ri.cookie = &c.user, c.csrf, true
			} else if !errors.Is(err, store.ErrNotFound) {
				s.writeProblem(w, r, err)
				return
			}
		}
		// A county-limited editor's writes are limited in the database
		// (store/counties.go), whatever route they come through.
		if u := ri.user; u != nil && u.Role == auth.Editor {
			r = r.WithContext(store.WithCountyLimit(r.Context(), u.Counties))
		}
		next.ServeHTTP(w, r)
	})
}

// credential returns the credential of a token (kind "t") or session
// ("s") secret: from the cache while the change bus listens, else from
// the database (and then cached).
func (s *Server) credential(ctx context.Context, kind, secret string) (credential, error) {
	hash := auth.HashSecret(secret)
	key := kind + string(hash)
	caching := s.signin.caching()
	if caching {
		if c, ok := s.signin.creds.Get(key); ok {
			return c, nil
		}
	}
	gen := s.signin.creds.Begin()
	var c credential
	var expires time.Time
	if kind == "t" {
		u, err := s.store.TokenUser(ctx, hash)
		if err != nil {
			return c, err
		}
		c.user = userOf(u)
	} else {
		se, err := s.store.SessionByHash(ctx, hash)
		if err != nil {
			return c, err
		}
		c.user, c.csrf, expires = userOf(se.User), se.CSRF, se.Expires
	}
	if caching {
		s.signin.creds.Put(gen, key, c.user.ID, c, expires)
	}
	return c, nil
}

// Require lets a request through only for a user of at least role. Reads
// (GET, HEAD) by anonymous visitors pass when the server allows public
// reading and role is viewer. Cookie-authenticated writes must carry the
// session's CSRF token in X-CSRF-Token.
func (s *Server) Require(role string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ri := info(r.Context())
			read := r.Method == http.MethodGet || r.Method == http.MethodHead
			if ri.user == nil {
				if read && role == auth.Viewer && s.publicRead {
					next.ServeHTTP(w, r)
					return
				}
				s.writeProblem(w, r, problem.New(http.StatusUnauthorized, "unauthenticated", "sign in first (POST /api/v1/auth/login) or send an API token"))
				return
			}
			if auth.Rank(ri.user.Role) < auth.Rank(role) {
				s.writeProblem(w, r, problem.New(http.StatusForbidden, "forbidden", "this needs the %s role; you are signed in as %s (%s)", role, ri.user.Name, ri.user.Role))
				return
			}
			if !read && ri.cookie && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(ri.csrf)) != 1 {
				s.writeProblem(w, r, problem.New(http.StatusForbidden, "csrf", "the X-CSRF-Token header is missing or wrong: reload the page and try again"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Label    string `json:"label"`
}

// checkLogin verifies a username and password under the sign-in throttle:
// the attempt is reserved before the password is checked, so attempts sent
// in parallel cannot get past the limits, and the check itself waits for
// one of a few slots (see auth.Throttle and auth.Checker). On success the
// browser gets (or keeps) a device cookie for the user.
func (s *Server) checkLogin(w http.ResponseWriter, r *http.Request) (store.User, error) {
	var b loginBody
	if err := decodeJSON(w, r, &b); err != nil {
		return store.User{}, err
	}
	switch {
	case b.Username == "" || b.Password == "":
		return store.User{}, fieldProblem("username", "and password are required")
	case len(b.Username) > 64:
		return store.User{}, fieldProblem("username", "is too long: user names have at most 64 characters")
	case len(b.Password) > 200:
		return store.User{}, fieldProblem("password", "is too long: at most 200 bytes are accepted")
	}
	ctx := r.Context()
	devices, err := s.deviceKeys(ctx)
	if err != nil {
		return store.User{}, err
	}
	attempt := auth.Attempt{User: b.Username, Addr: s.clientAddr(r)}
	deviceOK := false
	if c, err := r.Cookie(DeviceCookie); err == nil {
		attempt.Device, deviceOK = devices.Check(b.Username, c.Value)
	}
	res, wait := s.signin.throttle.Reserve(attempt)
	if res == nil {
		secs := int((wait + time.Second - 1) / time.Second)
		p := problem.New(http.StatusTooManyRequests, "slow-down",
			"too many failed sign-ins for this account from here: wait %d seconds (a browser where you signed in before is not held up)", secs)
		p.RetryAfter = secs
		return store.User{}, p
	}
	settled := false
	defer func() {
		if !settled {
			res.Release() // not checked: the database, the server or the client failed
		}
	}()
	// A name no user can have (e.g. with a NUL, which PostgreSQL refuses)
	// is an unknown user, not a database error.
	var c store.Credentials
	err = fmt.Errorf("user %q: %w", truncate(b.Username, 64), store.ErrNotFound)
	if auth.ValidName(b.Username) {
		c, err = s.store.UserByName(ctx, b.Username)
	}
	var hash []byte // nil: no such user, checked at the same cost
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return store.User{}, err
	default:
		hash = c.PasswordHash
	}
	ok, err := s.signin.checker.Check(ctx, hash, b.Password)
	if errors.Is(err, auth.ErrBusy) {
		p := problem.New(http.StatusServiceUnavailable, "busy", "the server is checking too many sign-ins at once: try again in a moment")
		p.RetryAfter = 1
		return store.User{}, p
	}
	if err != nil {
		return store.User{}, err
	}
	settled = true
	if !ok || c.Disabled {
		res.Fail()
		s.log.WarnContext(ctx, "failed sign-in", "user", truncate(b.Username, 64), "addr", attempt.Addr, "source", res.Source(),
			"request_id", problem.RequestID(ctx))
		return store.User{}, problem.New(http.StatusUnauthorized, "bad-credentials", "wrong user name or password (or the account is disabled)")
	}
	res.Succeed()
	if !deviceOK {
		http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: devices.Mint(c.Name), Path: "/api/v1/auth/",
			MaxAge: int(deviceTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	}
	return c.User, nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	u, err := s.checkLogin(w, r)
	if err != nil {
		return err
	}
	sid, csrf := auth.NewSecret(), auth.NewSecret()
	expires := time.Now().Add(sessionTTL)
	if err := s.store.CreateSession(r.Context(), auth.HashSecret(sid), u.ID, csrf, expires); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sid, Path: "/", Expires: expires, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	me := userOf(u)
	info(r.Context()).user = &me
	writeJSON(w, http.StatusOK, map[string]any{"user": me, "csrf_token": csrf})
	return nil
}

// logout ends the session of the cookie, on every instance. A signed-in
// cookie session must send its CSRF token, as for every other write, so
// that another site cannot sign the user out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	ri := info(r.Context())
	if ri.cookie && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(ri.csrf)) != 1 {
		return problem.New(http.StatusForbidden, "csrf", "the X-CSRF-Token header is missing or wrong: reload the page and try again")
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && len(c.Value) < 200 {
		if err := s.store.DeleteSession(r.Context(), auth.HashSecret(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	ri := info(r.Context())
	if ri.user == nil {
		return problem.New(http.StatusUnauthorized, "unauthenticated", "not signed in")
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": ri.user, "csrf_token": ri.csrf})
	return nil
}

// issueToken trades a username and password for a bearer token for scripts.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) error {
	u, err := s.checkLogin(w, r)
	if err != nil {
		return err
	}
	secret := auth.NewSecret()
	t, err := s.store.CreateToken(r.Context(), u.Name, auth.HashSecret(secret), "api "+time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": secret, "id": t.ID, "user": u.Name, "role": u.Role,
		"note": "send it as Authorization: Bearer <token>; it is shown only once"})
	return nil
}

func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.trustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// clientAddr is the address a request came from: behind a trusted proxy
// (--trust-proxy) the last address the proxy appended to X-Forwarded-For,
// else the peer's.
func (s *Server) clientAddr(r *http.Request) string {
	if s.trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if a := strings.TrimSpace(last); a != "" && len(a) <= 64 {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type userBody struct {
	Name     string    `json:"name"`
	Role     *string   `json:"role"`
	Counties *[]string `json:"counties"` // an editor's counties; [] every county
	Password *string   `json:"password"`
	Disabled *bool     `json:"disabled"`
}

// checkUserCounties validates an editor's counties against the region:
// known codes, each once, and only for editors (administrators and viewers
// are not limited). It returns the counties to store (none for the other
// roles; nil: unchanged).
func (s *Server) checkUserCounties(role string, counties *[]string) (*[]string, error) {
	if counties == nil {
		if role != auth.Editor {
			return &[]string{}, nil
		}
		return nil, nil
	}
	if len(*counties) > 0 && role != auth.Editor {
		return nil, fieldProblem("counties", "only an editor can be limited to counties (this user is %s)", role)
	}
	if err := s.checkCounties(*counties); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range *counties {
		if seen[c] {
			return nil, fieldProblem("counties", "lists %s twice", c)
		}
		seen[c] = true
	}
	return counties, nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": us})
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var b userBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if !auth.ValidName(b.Name) {
		return fieldProblem("name", "must be 1–64 letters, digits or _ . @ -")
	}
	if b.Role == nil || !auth.ValidRole(*b.Role) {
		return fieldProblem("role", "must be viewer, editor or admin")
	}
	if b.Password == nil {
		return fieldProblem("password", "is required")
	}
	counties, err := s.checkUserCounties(*b.Role, b.Counties)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(*b.Password)
	if err != nil {
		return fieldProblem("password", "%v", err)
	}
	var cs []string
	if counties != nil {
		cs = *counties
	}
	u, err := s.store.CreateUser(r.Context(), b.Name, *b.Role, cs, hash)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "name")
	if !auth.ValidName(name) {
		return problem.New(http.StatusBadRequest, "bad-id", "%q is not a user name", truncate(name, 40))
	}
	var b userBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if b.Name != "" && b.Name != name {
		return fieldProblem("name", "cannot be changed")
	}
	if b.Role != nil && !auth.ValidRole(*b.Role) {
		return fieldProblem("role", "must be viewer, editor or admin")
	}
	var hash []byte
	if b.Password != nil {
		var err error
		if hash, err = auth.HashPassword(*b.Password); err != nil {
			return fieldProblem("password", "%v", err)
		}
	}
	if me := currentUser(r.Context()); me != nil && me.Name == name && ((b.Role != nil && *b.Role != auth.Admin) || (b.Disabled != nil && *b.Disabled)) {
		return fieldProblem("role", "you cannot demote or disable yourself; ask another administrator")
	}
	role := ""
	if b.Role != nil {
		role = *b.Role
	} else if b.Counties != nil {
		old, err := s.store.UserByName(r.Context(), name)
		if err != nil {
			return err
		}
		role = old.Role
	}
	var counties *[]string
	if role != "" {
		var err error
		if counties, err = s.checkUserCounties(role, b.Counties); err != nil {
			return err
		}
	}
	u, err := s.store.UpdateUser(r.Context(), name, b.Role, counties, b.Disabled, hash)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.store.ListTokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.store.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
