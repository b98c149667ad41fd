package transfer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Scratch is this process's own directory for uploads and for the files
// imports and exports work on, so that what a crash leaves behind can be
// found and removed, and nothing of another process is touched.
//
// Processes on one machine share a root (DefaultScratchRoot); each has its
// own subdirectory named <pid>-<random>, holding a file "lock" that the
// process keeps locked (flock) for as long as it lives. The kernel releases
// the lock when the process ends, however it ends, so a subdirectory whose
// lock can be taken belongs to no living process: OpenScratch removes those.
// A process that ends cleanly removes its own (Close). A nil *Scratch works
// in os.TempDir(), as before, with no cleaning.
type Scratch struct {
	dir     string
	lock    *os.File
	minFree int64
}

// ScratchOptions tune OpenScratch.
type ScratchOptions struct {
	// MinFree is the disk space an upload must leave free on the scratch
	// directory's file system: a write that would eat into it fails as if
	// the disk were full (ENOSPC, answered 507), so that uploads do not take
	// the last space another writer (PostgreSQL) needs. 0 means until the
	// disk is full. The conversions that follow an upload are not counted.
	MinFree int64
	// Logger, if set, is told which stale directories were removed.
	Logger *slog.Logger
}

// lockName is the lock file in each process's directory.
const lockName = "lock"

// unlockedGrace is how old a process directory without a lock file must be
// before it counts as the leftover of a process that died while creating
// it (the lock is made right after the directory).
const unlockedGrace = 10 * time.Minute

// legacyAge is how long the temporary directories of older versions
// (wanmu-import-*, wanmu-export-*, wanmu-handover-* in os.TempDir()) must
// have been untouched before OpenScratch removes them: far longer than any
// import waits (an hour) or any export takes.
const legacyAge = 24 * time.Hour

// DefaultScratchRoot is os.TempDir()/wanmu-uploads-<uid>: on the local
// disk of the machine (set TMPDIR to move it), one per user, so that the
// locks are local and no other user's files are in it.
func DefaultScratchRoot() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("wanmu-uploads-%d", os.Getuid()))
}

// OpenScratch makes this process's directory under root (created 0700 if
// missing; it must be a directory of this user that no one else can write
// to), locks it, and removes the directories of processes that are gone,
// and the leftovers of older versions in os.TempDir(). Close it at exit.
func OpenScratch(root string, opts ScratchOptions) (*Scratch, error) {
	if err := ensurePrivateDir(root); err != nil {
		return nil, fmt.Errorf("scratch directory: %w", err)
	}
	dir, err := os.MkdirTemp(root, fmt.Sprintf("%d-", os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("scratch directory: %w", err)
	}
	// The lock is taken under another name and then renamed, so that a
	// cleaner never finds a "lock" that is not locked yet.
	f, err := os.CreateTemp(dir, ".lock-")
	if err == nil {
		if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
			err = os.Rename(f.Name(), filepath.Join(dir, lockName))
		}
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("scratch directory: lock: %w", err)
	}
	s := &Scratch{dir: dir, lock: f, minFree: opts.MinFree}
	for _, d := range removeStale(root, dir) {
		if opts.Logger != nil {
			opts.Logger.Info("removed the temporary files of a process that is gone", "dir", d)
		}
	}
	for _, d := range removeLegacy(os.TempDir()) {
		if opts.Logger != nil {
			opts.Logger.Info("removed temporary files older than a day", "dir", d)
		}
	}
	return s, nil
}

// ensurePrivateDir makes dir (0700) unless it exists, and refuses one that
// is a symlink, not ours, or writable by others: in a shared /tmp another
// user could otherwise have made it to read or replace our uploads.
func ensurePrivateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory (a symlink?)", dir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s belongs to user %d, not to this process's user %d", dir, st.Uid, os.Getuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// removeStale removes the process directories under root whose lock no
// process holds (except own), and returns them.
func removeStale(root, own string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() || dir == own {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR, 0)
		if errors.Is(err, fs.ErrNotExist) {
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > unlockedGrace {
				if os.RemoveAll(dir) == nil {
					removed = append(removed, dir)
				}
			}
			continue
		}
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			// Its process is gone; holding its lock, no other cleaner
			// removes it at the same time.
			if os.RemoveAll(dir) == nil {
				removed = append(removed, dir)
			}
		}
		f.Close()
	}
	return removed
}

// removeLegacy removes this user's wanmu-import-*, wanmu-export-* and
// wanmu-handover-* directories in tmp untouched for legacyAge: what older
// versions, and callers without a Scratch, left there after a crash.
func removeLegacy(tmp string) []string {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(n, "wanmu-import-") || strings.HasPrefix(n, "wanmu-export-") || strings.HasPrefix(n, "wanmu-handover-")) {
			continue
		}
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < legacyAge {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
			continue
		}
		dir := filepath.Join(tmp, n)
		if os.RemoveAll(dir) == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// Dir is the process's directory ("" for a nil Scratch: os.TempDir()).
func (s *Scratch) Dir() string {
	if s == nil {
		return ""
	}
	return s.dir
}

// MkdirTemp makes a new directory in the scratch, as os.MkdirTemp does.
func (s *Scratch) MkdirTemp(pattern string) (string, error) {
	return os.MkdirTemp(s.Dir(), pattern)
}

// Close removes the process's directory and releases its lock.
func (s *Scratch) Close() error {
	if s == nil {
		return nil
	}
	err := os.RemoveAll(s.dir)
	if cerr := s.lock.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadError is a failure to read what WriteFile copies: the sender's side
// (a broken or oversized upload), not the server's.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "read the upload: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// WriteFile streams r into a new file at path (in a directory of the
// scratch), stopping after limit+1 bytes so that the caller can tell a file
// over its limit; it returns the bytes written. A failure to read r is a
// *ReadError; any other error is the server's (a full disk wraps
// syscall.ENOSPC) and names the path, for the log only. Nothing is held in
// memory beyond the copy buffer.
func (s *Scratch) WriteFile(path string, r io.Reader, limit int64) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	var w io.Writer = f
	if s != nil && s.minFree > 0 {
		w = &reserveWriter{f: f, minFree: s.minFree}
	}
	rr := &readSide{r: io.LimitReader(r, limit+1)}
	n, err := io.Copy(w, rr)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil && rr.err != nil && errors.Is(err, rr.err) {
		return n, &ReadError{Err: err}
	}
	return n, err
}

// readSide remembers the error of the reader, to tell it from the writer's.
type readSide struct {
	r   io.Reader
	err error
}

func (r *readSide) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// reserveWriter fails with ENOSPC rather than leave less than minFree bytes
// free on the file's disk. It asks the file system every checkEvery bytes.
type reserveWriter struct {
	f       *os.File
	minFree int64
	since   int64 // bytes written since the last look
	looked  bool
}

const checkEvery = 4 << 20

func (w *reserveWriter) Write(p []byte) (int, error) {
	if !w.looked || w.since+int64(len(p)) > checkEvery {
		var st syscall.Statfs_t
		if err := syscall.Fstatfs(int(w.f.Fd()), &st); err == nil {
			if free := int64(st.Bavail) * int64(st.Bsize); free-int64(len(p)) < w.minFree {
				return 0, &fs.PathError{Op: "write", Path: w.f.Name(), Err: syscall.ENOSPC}
			}
		}
		w.looked, w.since = true, 0
	}
	n, err := w.f.Write(p)
	w.since += int64(n)
	return n, err
}
