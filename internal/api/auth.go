package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/auth"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// SessionCookie names the session cookie.
const SessionCookie = "wanmu_session"

const sessionTTL = 12 * time.Hour

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
			u, err := s.store.TokenUser(r.Context(), auth.HashSecret(token))
			if err != nil {
				if errors.Is(err, store.ErrNotFound) {
					err = problem.New(http.StatusUnauthorized, "unauthenticated", "the API token is unknown, revoked, or its user is disabled: create a new one with wanmu token create")
				}
				s.writeProblem(w, r, err)
				return
			}
			ri.user = &User{ID: u.ID, Name: u.Name, Role: u.Role}
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" && len(c.Value) < 200 {
			u, csrf, err := s.store.SessionUser(r.Context(), auth.HashSecret(c.Value))
			if err == nil {
				ri.user, ri.csrf, ri.cookie = &User{ID: u.ID, Name: u.Name, Role: u.Role}, csrf, true
			} else if !errors.Is(err, store.ErrNotFound) {
				s.writeProblem(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
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

// checkLogin verifies a username and password, slowing down repeated failures
// per user and per address.
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
	addr := clientAddr(r)
	userKey, addrKey := "user:"+strings.ToLower(b.Username), "addr:"+addr
	if wait := max(s.throttle.Wait(userKey), s.throttle.Wait(addrKey)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		return store.User{}, problem.New(http.StatusTooManyRequests, "slow-down", "too many failed sign-ins: wait %d seconds", int(wait.Seconds()+0.999))
	}
	// A name no user can have (e.g. with a NUL, which PostgreSQL refuses)
	// is an unknown user, not a database error.
	var c store.Credentials
	err := fmt.Errorf("user %q: %w", truncate(b.Username, 64), store.ErrNotFound)
	if auth.ValidName(b.Username) {
		c, err = s.store.UserByName(r.Context(), b.Username)
	}
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		auth.CheckMissing(b.Password)
	case err != nil:
		return store.User{}, err
	default:
		ok = auth.CheckPassword(c.PasswordHash, b.Password) && !c.Disabled
	}
	if !ok {
		s.throttle.Fail(userKey)
		s.throttle.Fail(addrKey)
		s.log.WarnContext(r.Context(), "failed sign-in", "user", truncate(b.Username, 64), "addr", addr, "request_id", problem.RequestID(r.Context()))
		return store.User{}, problem.New(http.StatusUnauthorized, "bad-credentials", "wrong user name or password (or the account is disabled)")
	}
	s.throttle.Succeed(userKey)
	s.throttle.Succeed(addrKey)
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
	info(r.Context()).user = &User{ID: u.ID, Name: u.Name, Role: u.Role}
	writeJSON(w, http.StatusOK, map[string]any{"user": User{ID: u.ID, Name: u.Name, Role: u.Role}, "csrf_token": csrf})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
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

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type userBody struct {
	Name     string  `json:"name"`
	Role     *string `json:"role"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
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
	hash, err := auth.HashPassword(*b.Password)
	if err != nil {
		return fieldProblem("password", "%v", err)
	}
	u, err := s.store.CreateUser(r.Context(), b.Name, *b.Role, hash)
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
	u, err := s.store.UpdateUser(r.Context(), name, b.Role, b.Disabled, hash)
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
