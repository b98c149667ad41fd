// Package backup writes and restores wanmu backups: one file holding a
// consistent pg_dump of the whole wanmu database and a manifest saying what
// it is.
//
// A backup is a tar archive with two members, in this order:
//
//	wanmu.dump     pg_dump's custom-format archive of the database
//	manifest.json  what the backup holds (Manifest): format version, the
//	               schema (highest migration applied), PostgreSQL, PostGIS
//	               and pg_dump versions, when it was made, row counts, and
//	               the size and SHA-256 of the dump
//
// The dump streams from pg_dump straight into the file and the manifest,
// which holds its checksum, follows it; readers seek past the dump to it.
// so `tar -xOf FILE manifest.json` shows what a backup is and
// `tar -xf FILE wanmu.dump` gives a dump pg_restore reads directly.
//
// Create takes the dump while the service runs: it opens a REPEATABLE READ
// transaction, reads the manifest's facts in it, exports its snapshot and
// has pg_dump use that snapshot, so the manifest and the dump describe the
// same instant and every committed transaction is in the dump whole or not
// at all. The archive is written to a hidden temporary file beside the
// target and renamed into place only when complete and synced, so a failed
// or interrupted backup never leaves a file that looks like a backup.
//
// Restore checks the checksum before anything is written, refuses a backup
// whose schema is newer than the binary's migrations and a database that is
// not empty, restores in one transaction (a failure leaves the target
// empty), then applies the migrations the backup predates.
package backup

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"
)

// Format is the Manifest.Format of every wanmu backup.
const Format = "wanmu-backup"

// FormatVersion is the archive layout this package writes and the newest
// it reads.
const FormatVersion = 1

const (
	manifestName = "manifest.json"
	dumpName     = "wanmu.dump"
	block        = 512
)

// Errors wrapped by what Open, Verify, Extract, CheckSchema and Restore
// return; the messages say which file and what to do.
var (
	ErrNotBackup   = errors.New("not a wanmu backup")
	ErrChecksum    = errors.New("backup damaged")
	ErrNewerSchema = errors.New("backup newer than this wanmu")
	ErrNotEmpty    = errors.New("restore refused")
	ErrExists      = errors.New("backup refused")
)

// Manifest describes a backup; it is manifest.json in the archive.
type Manifest struct {
	Format        string    `json:"format"`         // always "wanmu-backup"
	FormatVersion int       `json:"format_version"` // archive layout, 1
	CreatedAt     time.Time `json:"created_at"`     // when the snapshot was taken
	// Schema is the highest migration applied to the database (its
	// schema_migration table), Migrations their file names in order.
	Schema     int      `json:"schema"`
	Migrations []string `json:"migrations"`
	Database   string   `json:"database"`   // name of the database dumped
	PostgreSQL string   `json:"postgresql"` // server_version of the server dumped
	PostGIS    string   `json:"postgis"`    // version of its postgis extension
	PgDump     string   `json:"pg_dump"`    // pg_dump --version
	Wanmu      string   `json:"wanmu,omitempty"`
	// Counts are the rows of the main tables at the snapshot.
	Counts map[string]int64 `json:"counts"`
	// LastRevision is the highest revision id at the snapshot (0: none).
	LastRevision int64 `json:"last_revision"`
	// Snapshot is the dump's transaction snapshot (pg_current_snapshot):
	// which transactions the backup shows.
	Snapshot string `json:"snapshot"`
	Dump     Dump   `json:"dump"`
}

// Dump describes the wanmu.dump member.
type Dump struct {
	Name   string `json:"name"`   // "wanmu.dump"
	Format string `json:"format"` // "pg_dump custom"
	Size   int64  `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // hex
}

// PgDumpMajor returns the major version of the pg_dump that wrote the dump,
// or 0 if the manifest does not say.
func (m Manifest) PgDumpMajor() int {
	var major int
	if i := strings.Index(m.PgDump, "(PostgreSQL) "); i >= 0 {
		fmt.Sscanf(m.PgDump[i+len("(PostgreSQL) "):], "%d", &major)
	}
	return major
}

// archiveWriter lays out the archive in a file: the dump's header is
// written last, at the start, once the dump's size is known, so the dump
// streams from pg_dump straight into the file.
type archiveWriter struct {
	f    *os.File
	sum  hash.Hash
	size int64
	err  error // the first failed write (a full disk), which pg_dump sees only as a broken pipe
}

// dumpOffset is where the dump's bytes start in the archive.
const dumpOffset = block

func newArchiveWriter(f *os.File) (*archiveWriter, error) {
	if _, err := f.Seek(dumpOffset, io.SeekStart); err != nil {
		return nil, err
	}
	return &archiveWriter{f: f, sum: sha256.New()}, nil
}

// Write appends dump bytes.
func (w *archiveWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.sum.Write(p[:n])
	w.size += int64(n)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// finish pads the dump, appends the manifest (with the dump's size and
// checksum filled in), ends the archive and writes the dump's header.
func (w *archiveWriter) finish(m *Manifest) error {
	m.Dump = Dump{Name: dumpName, Format: "pg_dump custom", Size: w.size, SHA256: hex.EncodeToString(w.sum.Sum(nil))}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	mh, err := header(manifestName, int64(len(body)), m.CreatedAt)
	if err != nil {
		return err
	}
	var tail []byte
	tail = append(tail, make([]byte, padding(w.size))...)
	tail = append(tail, mh...)
	tail = append(tail, body...)
	tail = append(tail, make([]byte, padding(int64(len(body)))+2*block)...) // two zero blocks end a tar
	if _, err := w.f.Write(tail); err != nil {
		return err
	}
	dh, err := header(dumpName, w.size, m.CreatedAt)
	if err != nil {
		return err
	}
	_, err = w.f.WriteAt(dh, 0)
	return err
}

// padding is the number of zero bytes that fill n bytes up to whole blocks.
func padding(n int64) int64 { return (block - n%block) % block }

// header returns the 512-byte tar header of a regular file. The GNU format
// keeps any size in one block (base-256 beyond 8 GiB).
func header(name string, size int64, mtime time.Time) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600,
		ModTime: mtime.Truncate(time.Second), Format: tar.FormatGNU})
	if err != nil {
		return nil, err
	}
	if b.Len() != block {
		return nil, fmt.Errorf("tar header of %s: %d bytes, want %d", name, b.Len(), block)
	}
	return b.Bytes(), nil
}

// Archive is an opened backup file whose manifest has been read.
type Archive struct {
	Path     string
	Manifest Manifest
}

// Open reads and checks the manifest of the backup at path.
func Open(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	a := &Archive{Path: path}
	// The tar reader seeks past the dump: reading the manifest is quick.
	tr := tar.NewReader(f)
	var hdr *tar.Header
	for i := 0; ; i++ {
		if hdr, err = tr.Next(); err != nil || i == 0 && hdr.Name != dumpName {
			return nil, a.notBackup(f, i, err)
		}
		if hdr.Name == manifestName {
			break
		}
	}
	if hdr.Size > 1<<20 {
		return nil, fmt.Errorf("%w: %s: manifest.json is %d bytes", ErrNotBackup, path, hdr.Size)
	}
	body, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: read manifest.json: %v; the file was truncated or changed after wanmu backup wrote it: use another backup", ErrChecksum, path, err)
	}
	m := &a.Manifest
	if err := json.Unmarshal(body, m); err != nil {
		return nil, fmt.Errorf("%w: %s: manifest.json is not valid JSON (%v): the file is damaged; use another backup", ErrChecksum, path, err)
	}
	switch {
	case m.Format != Format:
		return nil, fmt.Errorf("%w: %s: its manifest.json says format %q, not %q", ErrNotBackup, path, m.Format, Format)
	case m.FormatVersion > FormatVersion:
		return nil, fmt.Errorf("%w: %s is a backup of format version %d, this wanmu reads up to %d: restore it with the newer wanmu that made it (%s)",
			ErrNewerSchema, path, m.FormatVersion, FormatVersion, orUnknown(m.Wanmu))
	case m.FormatVersion < 1, m.Schema < 1, m.Dump.Name != dumpName, m.Dump.Size <= 0, len(m.Dump.SHA256) != 64:
		return nil, fmt.Errorf("%w: %s: manifest.json lacks the schema, or the dump's name, size or checksum: the file is damaged; use another backup", ErrChecksum, path)
	}
	return a, nil
}

// notBackup explains why the file at a.Path, whose member i could not be
// read (err) or was not the expected one, is not a usable backup.
func (a *Archive) notBackup(f *os.File, i int, err error) error {
	if i > 0 {
		if errors.Is(err, io.EOF) {
			err = errors.New("no manifest.json after " + dumpName)
		} else {
			err = fmt.Errorf("it ends before its manifest.json (%v)", err)
		}
		return fmt.Errorf("%w: %s: %v; the file was truncated or changed after wanmu backup wrote it: use another backup", ErrChecksum, a.Path, err)
	}
	magic := make([]byte, 5)
	if _, rerr := f.ReadAt(magic, 0); rerr == nil && string(magic) == "PGDMP" {
		return fmt.Errorf("%w: %s is a bare pg_dump archive, not a backup made by wanmu backup: restore it with pg_restore into an empty database", ErrNotBackup, a.Path)
	}
	if fi, serr := f.Stat(); serr == nil && fi.Size() == 0 {
		return fmt.Errorf("%w: %s is empty", ErrNotBackup, a.Path)
	}
	if err == nil {
		err = errors.New("it does not start with " + dumpName)
	}
	return fmt.Errorf("%w: %s is not a tar archive of %s and manifest.json, as wanmu backup writes (%v)", ErrNotBackup, a.Path, dumpName, err)
}

// Verify reads the whole dump and checks its size and SHA-256 against the
// manifest.
func (a *Archive) Verify() error {
	return a.copyDump(io.Discard)
}

// Extract writes the dump to a new file at dst, checking it as Verify does;
// on any error dst is removed.
func (a *Archive) Extract(dst string) (err error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("extract the dump of %s: %w", a.Path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("extract the dump of %s to %s: %w", a.Path, dst, cerr)
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	return a.copyDump(&markWrites{f, dst})
}

// copyDump copies the dump member to w and checks it against the manifest.
func (a *Archive) copyDump(w io.Writer) error {
	f, err := os.Open(a.Path)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var hdr *tar.Header
	for {
		if hdr, err = tr.Next(); err != nil {
			return a.damaged(fmt.Sprintf("no %s in it (%v)", dumpName, err))
		}
		if hdr.Name == dumpName {
			break
		}
	}
	if hdr.Size != a.Manifest.Dump.Size {
		return a.damaged(fmt.Sprintf("%s is %d bytes, the manifest says %d", dumpName, hdr.Size, a.Manifest.Dump.Size))
	}
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, sum), tr)
	var we *writeError
	switch {
	case errors.As(err, &we):
		return we.err
	case err != nil:
		return a.damaged(fmt.Sprintf("%s ends after %d of its %d bytes (%v)", dumpName, n, hdr.Size, err))
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != a.Manifest.Dump.SHA256 {
		return a.damaged(fmt.Sprintf("checksum mismatch: the SHA-256 of %s is %s, the manifest says %s", dumpName, got, a.Manifest.Dump.SHA256))
	}
	return nil
}

// writeError marks a failure writing the extracted dump (a full disk, say),
// as opposed to one reading the backup.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// markWrites wraps the errors of writes to the file at path in writeError.
type markWrites struct {
	w    io.Writer
	path string
}

func (m *markWrites) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	if err != nil {
		err = &writeError{fmt.Errorf("extract the dump to %s: %w (set TMPDIR to a directory with room for it)", m.path, err)}
	}
	return n, err
}

func (a *Archive) damaged(what string) error {
	return fmt.Errorf("%w: %s: %s; the file was truncated or changed after wanmu backup wrote it: nothing was restored; use another backup",
		ErrChecksum, a.Path, what)
}

func orUnknown(s string) string {
	if s == "" {
		return "version not recorded"
	}
	return s
}
