package pgcluster

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// serverUser is the system user the server runs as when wanmu runs as root.
const serverUser = "postgres"

// account is the operating-system user that owns the cluster and runs
// initdb, pg_ctl and postgres.
type account struct {
	name   string
	uid    int
	gid    int
	groups []int // supplementary groups, for permission checks
	home   string
	cred   *syscall.Credential // nil: run as this process's user
}

// serverAccount returns the postgres system user when this process is root
// (PostgreSQL refuses to run as root), else the current user.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		home := ""
		if err == nil {
			home = u.HomeDir
		}
		gids, _ := os.Getgroups()
		return &account{uid: os.Geteuid(), gid: os.Getegid(), groups: gids, home: home}, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, but there is no %q system user to run PostgreSQL as (it refuses root): install postgresql-15, which creates it, or run wanmu as an ordinary user", serverUser)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgcluster: user %s: unexpected uid/gid %q/%q", serverUser, u.Uid, u.Gid)
	}
	var groups []int
	if ids, err := u.GroupIds(); err == nil {
		for _, s := range ids {
			if g, err := strconv.Atoi(s); err == nil {
				groups = append(groups, g)
			}
		}
	}
	return &account{
		name: u.Username, uid: uid, gid: gid, groups: groups, home: u.HomeDir,
		// Only the primary group: the server needs no supplementary ones.
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)},
	}, nil
}

// command returns cmd prepared to run as the account in dir.
func (a *account) command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	return a.setup(exec.CommandContext(ctx, name, args...), dir)
}

// setup makes cmd run as the account, in dir, with an environment cleaned of
// PG* and locale variables (the cluster's locale is fixed by initdb).
func (a *account) setup(cmd *exec.Cmd, dir string) *exec.Cmd {
	cmd.Dir = dir
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	if a.home != "" {
		env = append(env, "HOME="+a.home)
	}
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: a.cred}
	return cmd
}

// chown gives path to the account when running as root.
func (a *account) chown(path string) error {
	if a.cred == nil {
		return nil
	}
	if err := os.Lchown(path, a.uid, a.gid); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}

// chownTree gives the tree at root to the account, when running as root and
// root is not already the account's (a data directory copied by root, say).
func chownTree(root string, a *account) error {
	if a.cred == nil {
		return nil
	}
	fi, err := os.Lstat(root)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == a.uid {
		return nil
	}
	err = filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, a.uid, a.gid)
	})
	if err != nil {
		return fmt.Errorf("pgcluster: give %s to user %s: %w", root, a.name, err)
	}
	return nil
}

// prepareDir creates dir and makes sure the account can reach it: dir gets
// the search bit for group and others (0711 for a fresh directory, never
// the read bit), and every ancestor must already be searchable.
func prepareDir(dir string, a *account) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("pgcluster: data directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("pgcluster: data directory %s is not a directory", dir)
	}
	if a.cred != nil && fi.Mode().Perm()&0o011 != 0o011 {
		if err := os.Chmod(dir, fi.Mode().Perm()|0o011); err != nil {
			return fmt.Errorf("pgcluster: data directory: %w", err)
		}
	}
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: data directory: %w", err)
		}
		if !a.canSearch(fi) {
			who := "user " + a.name
			if a.cred == nil {
				who = "this user"
			}
			return fmt.Errorf("pgcluster: %s cannot reach the data directory %s: %s has mode %v; make it searchable (chmod o+x %s) or choose another data directory",
				who, dir, p, fi.Mode().Perm(), p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// canSearch reports whether the account may pass through directory fi,
// following the kernel's owner → group → other rule.
func (a *account) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case a.cred == nil && os.Geteuid() == 0:
		return true
	case int(st.Uid) == a.uid:
		return perm&0o100 != 0
	case int(st.Gid) == a.gid || slices.Contains(a.groups, int(st.Gid)):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
