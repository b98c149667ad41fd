package api

// SigninChecks returns how many password checks may run at once on s and
// the most that were seen running at once.
func SigninChecks(s *Server) (slots, peak int) {
	return s.signin.checker.Slots(), s.signin.checker.Peak()
}

// CachedCredentials returns how many sessions and tokens s holds in memory.
func CachedCredentials(s *Server) int { return s.signin.creds.Len() }
