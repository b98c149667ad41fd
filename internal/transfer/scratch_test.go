package transfer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wanmu/internal/testdb"
)

// TestMain runs the tests with a PostgreSQL server for those that need
// one (see testdb), or, as a child of startChild, scratchChild.
func TestMain(m *testing.M) {
	if root := os.Getenv("WANMU_SCRATCH_ROOT"); root != "" {
		scratchChild(root)
	}
	testdb.Main(m)
}

// scratchChild opens a scratch under root, writes an upload into it, says
// where, and lives until it is killed or its parent goes (its stdin, a
// pipe the parent holds, closes).
func scratchChild(root string) {
	s, err := OpenScratch(root, ScratchOptions{})
	if err != nil {
		os.Stdout.WriteString("error " + err.Error() + "\n")
		os.Exit(1)
	}
	d, _ := s.MkdirTemp("wanmu-import-")
	_, _ = s.WriteFile(filepath.Join(d, "upload.zip"), strings.NewReader("PK"), 10)
	os.Stdout.WriteString(s.Dir() + "\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// startChild runs scratchChild in a new process and returns it with its
// scratch directory.
func startChild(t *testing.T, root string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "WANMU_SCRATCH_ROOT="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.StdinPipe(); err != nil { // held open: the child waits on it
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, root) {
		t.Fatalf("child: %q %v", line, err)
	}
	return cmd, strings.TrimSpace(line)
}

// TestScratchRemovesWhatTheDeadLeft: a process killed with uploads in its
// scratch leaves them behind; the next process to open a scratch on the
// root removes them, and leaves the files of a live process alone.
func TestScratchRemovesWhatTheDeadLeft(t *testing.T) {
	root := filepath.Join(t.TempDir(), "wanmu-uploads")
	dead, deadDir := startChild(t, root)
	_, liveDir := startChild(t, root)
	if err := dead.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = dead.Wait()
	if m, _ := filepath.Glob(filepath.Join(deadDir, "wanmu-import-*", "upload.zip")); len(m) != 1 {
		t.Fatalf("the killed process left no upload behind (%v): the test proves nothing", m)
	}

	s, err := OpenScratch(root, ScratchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(deadDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead process's directory is still there: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(liveDir, "wanmu-import-*", "upload.zip")); len(m) != 1 {
		t.Errorf("the live process's upload was removed")
	}
	if filepath.Dir(s.Dir()) != root || !strings.HasPrefix(filepath.Base(s.Dir()), strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("scratch directory %s, want %s/<pid>-…", s.Dir(), root)
	}
	// Another scratch of this very process (a second server in a test)
	// counts as alive too.
	s2, err := OpenScratch(root, ScratchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir()); err != nil {
		t.Errorf("opening a second scratch removed the first: %v", err)
	}
	for _, sc := range []*Scratch{s, s2} {
		dir := sc.Dir()
		if err := sc.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Close left %s: %v", dir, err)
		}
	}
}

// TestScratchLeftovers: a process directory without a lock is removed only
// when it is old (else it may be one being made right now); older versions'
// wanmu-import-* directories in the temporary directory only after a day.
func TestScratchLeftovers(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	root := filepath.Join(tmp, "root")
	if err := os.MkdirAll(filepath.Join(root, "1-new"), 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-25 * time.Hour)
	mk := func(p string, mtime time.Time) string {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "upload.zip"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newNoLock := mk(filepath.Join(root, "2-new"), time.Now())
	oldNoLock := mk(filepath.Join(root, "3-old"), old)
	legacyOld := mk(filepath.Join(tmp, "wanmu-import-123"), old)
	legacyNew := mk(filepath.Join(tmp, "wanmu-export-456"), time.Now())
	other := mk(filepath.Join(tmp, "not-ours-789"), old)
	s, err := OpenScratch(root, ScratchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for p, want := range map[string]bool{newNoLock: true, oldNoLock: false, legacyOld: false, legacyNew: true, other: true} {
		_, err := os.Stat(p)
		if got := err == nil; got != want {
			t.Errorf("%s kept: %v, want %v", p, got, want)
		}
	}
}

// TestScratchRoot: the root is made private; a symlink is refused.
func TestScratchRoot(t *testing.T) {
	tmp := t.TempDir()
	open := filepath.Join(tmp, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(open, 0o777)
	s, err := OpenScratch(open, ScratchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o700 {
		t.Errorf("root mode %v, want 0700", fi.Mode().Perm())
	}
	link := filepath.Join(tmp, "link")
	if err := os.Symlink(open, link); err != nil {
		t.Fatal(err)
	}
	if s, err := OpenScratch(link, ScratchOptions{}); err == nil {
		s.Close()
		t.Errorf("a symlinked root was accepted")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) {
	return 0, errors.New("connection reset by the client")
}

// TestScratchWriteFile: what WriteFile copies is capped at limit+1 bytes; a
// read failure is the sender's (*ReadError), a full disk the server's
// (ENOSPC, not a ReadError).
func TestScratchWriteFile(t *testing.T) {
	s, err := OpenScratch(filepath.Join(t.TempDir(), "root"), ScratchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir, _ := s.MkdirTemp("wanmu-import-")
	n, err := s.WriteFile(filepath.Join(dir, "a"), bytes.NewReader(make([]byte, 100)), 10)
	if err != nil || n != 11 {
		t.Errorf("over the limit: %d, %v; want 11 bytes", n, err)
	}
	n, err = s.WriteFile(filepath.Join(dir, "b"), io.MultiReader(strings.NewReader("abc"), failingReader{}), 10)
	var re *ReadError
	if !errors.As(err, &re) || n != 3 {
		t.Errorf("a failing upload: %d, %v; want a *ReadError after 3 bytes", n, err)
	}
	if _, err := s.WriteFile(filepath.Join(dir, "a"), strings.NewReader("x"), 10); err == nil || errors.As(err, &re) {
		t.Errorf("writing over an existing file: %v, want a server error", err)
	}

	full, err := OpenScratch(filepath.Join(t.TempDir(), "root"), ScratchOptions{MinFree: math.MaxInt64})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	dir, _ = full.MkdirTemp("wanmu-import-")
	_, err = full.WriteFile(filepath.Join(dir, "c"), strings.NewReader("abc"), 10)
	if !errors.Is(err, syscall.ENOSPC) || errors.As(err, &re) {
		t.Errorf("a write into the reserve: %v, want ENOSPC", err)
	}
	var nilScratch *Scratch
	if nilScratch.Dir() != "" || nilScratch.Close() != nil {
		t.Errorf("a nil Scratch is os.TempDir()")
	}
}
