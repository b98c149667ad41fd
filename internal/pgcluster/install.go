package pgcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// install is a PostgreSQL server installation with PostGIS.
type install struct {
	bindir string
	major  int
}

// path returns the path of the program name in the installation.
func (b *install) path(name string) string { return filepath.Join(b.bindir, name) }

const aptHint = `apt-get install postgresql-15 postgresql-15-postgis-3`

// findInstall locates the server binaries: $WANMU_PG_BIN, else (for an
// existing cluster) /usr/lib/postgresql/<its version>/bin, else
// `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin. It then
// checks that PostGIS is installed for that version.
func findInstall(pgdata string) (*install, error) {
	want := clusterMajor(pgdata)
	var candidates []string
	env := os.Getenv("WANMU_PG_BIN")
	if env != "" {
		if !hasServer(env) {
			return nil, fmt.Errorf("%w: WANMU_PG_BIN=%s holds no initdb, pg_ctl and postgres; install them with %q or point WANMU_PG_BIN to the directory that holds them",
				ErrNotInstalled, env, aptHint)
		}
		candidates = []string{env}
	} else {
		if want > 0 {
			candidates = append(candidates, fmt.Sprintf("/usr/lib/postgresql/%d/bin", want))
		}
		if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			candidates = append(candidates, strings.TrimSpace(string(out)))
		}
		candidates = append(candidates, debianBindirs()...)
	}
	i := slices.IndexFunc(candidates, hasServer)
	if i < 0 {
		return nil, fmt.Errorf("%w: PostgreSQL server not found (no initdb/postgres via pg_config or in /usr/lib/postgresql/*/bin); install it with %q or set WANMU_PG_BIN to the directory holding initdb and postgres",
			ErrNotInstalled, aptHint)
	}
	b := &install{bindir: candidates[i]}
	out, err := exec.Command(b.path("postgres"), "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %s --version: %w", b.path("postgres"), err)
	}
	m := regexp.MustCompile(`\(PostgreSQL\) (\d+)`).FindSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("pgcluster: %s --version: unexpected output %q", b.path("postgres"), strings.TrimSpace(string(out)))
	}
	b.major, _ = strconv.Atoi(string(m[1]))
	if want > 0 && b.major != want {
		return nil, fmt.Errorf("%w: the cluster in %s was made by PostgreSQL %d but %s is PostgreSQL %d; install postgresql-%d postgresql-%d-postgis-3, or upgrade the cluster with pg_upgrade",
			ErrNotInstalled, pgdata, want, b.bindir, b.major, want, want)
	}
	control := filepath.Join(b.sharedir(), "extension", "postgis.control")
	if _, err := os.Stat(control); err != nil {
		return nil, fmt.Errorf("%w: PostGIS is not installed for PostgreSQL %d (no %s); install it with \"apt-get install postgresql-%d-postgis-3\"",
			ErrNotInstalled, b.major, control, b.major)
	}
	return b, nil
}

// sharedir returns the installation's share directory, which holds the
// extension control files.
func (b *install) sharedir() string {
	if out, err := exec.Command(b.path("pg_config"), "--sharedir").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	// Debian layout, when pg_config is not beside the server binaries.
	if m := regexp.MustCompile(`^/usr/lib/postgresql/(\d+)/bin$`).FindStringSubmatch(b.bindir); m != nil {
		return "/usr/share/postgresql/" + m[1]
	}
	if out, err := exec.Command("pg_config", "--sharedir").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	return filepath.Join(filepath.Dir(b.bindir), "share")
}

// hasServer reports whether dir holds the programs pgcluster runs.
func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// debianBindirs returns /usr/lib/postgresql/*/bin, newest version first.
func debianBindirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	return dirs
}

// clusterMajor returns the major version recorded in pgdata/PG_VERSION, or 0.
func clusterMajor(pgdata string) int {
	b, err := os.ReadFile(filepath.Join(pgdata, "PG_VERSION"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}
