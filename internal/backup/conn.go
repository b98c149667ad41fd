package backup

import (
	"fmt"
	"net/url"
	"strings"
)

// pgxOnly are connection settings pgx understands and libpq refuses.
var pgxOnly = map[string]bool{
	"statement_cache_capacity": true, "description_cache_capacity": true,
	"default_query_exec_mode": true, "min_read_buffer_size": true, "servicefile": true,
}

func isPgxOnly(key string) bool { return pgxOnly[key] || strings.HasPrefix(key, "pool_") }

// libpqConn turns a connection string pgx accepts (URL or keyword/value)
// into one for pg_dump and pg_restore plus environment settings for them:
// the password moves to PGPASSWORD, so that it does not show in the process
// list, and pgx's own settings, which libpq refuses, are dropped.
func libpqConn(cs string) (string, []string, error) {
	if strings.HasPrefix(cs, "postgres://") || strings.HasPrefix(cs, "postgresql://") {
		u, err := url.Parse(cs)
		if err != nil {
			return "", nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		var env []string
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				env = append(env, "PGPASSWORD="+p)
				u.User = url.User(u.User.Username())
			}
		}
		q := u.Query()
		for k := range q {
			if isPgxOnly(k) {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
		return u.String(), env, nil
	}
	kvs, err := parseKeywords(cs)
	if err != nil {
		return "", nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	var parts, env []string
	for _, kv := range kvs {
		switch {
		case kv[0] == "password":
			env = append(env, "PGPASSWORD="+kv[1])
		case isPgxOnly(kv[0]):
		default:
			parts = append(parts, kv[0]+"="+quoteKeyword(kv[1]))
		}
	}
	return strings.Join(parts, " "), env, nil
}

// parseKeywords splits a libpq keyword/value connection string.
func parseKeywords(s string) ([][2]string, error) {
	var out [][2]string
	i := 0
	space := func() {
		for i < len(s) && strings.IndexByte(" \t\n\r\f\v", s[i]) >= 0 {
			i++
		}
	}
	for {
		space()
		if i == len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && strings.IndexByte(" \t\n\r\f\v", s[i]) < 0 {
			i++
		}
		key := s[start:i]
		space()
		if i == len(s) || s[i] != '=' || key == "" {
			return nil, fmt.Errorf("connection string: missing \"=\" after %q", key)
		}
		i++
		space()
		var v strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				v.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, fmt.Errorf("connection string: unterminated quoted value of %s", key)
			}
			i++
		} else {
			for ; i < len(s) && strings.IndexByte(" \t\n\r\f\v", s[i]) < 0; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				v.WriteByte(s[i])
			}
		}
		out = append(out, [2]string{key, v.String()})
	}
}

// quoteKeyword quotes a keyword/value connection string value.
func quoteKeyword(v string) string {
	if v != "" && !strings.ContainsAny(v, " '\\\t\n\r\f\v") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
