package exchange

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Archive limits that are not options: no sane planner's zip has more
// entries or deeper folders, and no GIS file compresses better than this
// (a DBF of blank padded text fields reaches about 100:1; deflate's ceiling
// is about 1030:1, which is what zip bombs use).
const (
	maxZipEntries  = 20000
	maxZipDepth    = 32
	maxZipNameLen  = 1024
	maxEntryRatio  = 400
	ratioMinLength = 8 << 20 // entries smaller than this are not ratio-checked
)

// zipLimits caps what an archive may unpack to.
type zipLimits struct {
	MaxUncompressed int64 // total bytes of all entries
}

// checkZipName validates one zip entry name as written in the archive and
// returns it cleaned, with "/" separators. It rejects empty names, NUL
// bytes, absolute paths (/x, \x, C:x, //host), ".." components, and names
// that are too long or too deep.
func checkZipName(name string) (string, error) {
	unsafe := func(zh, en string) error {
		return errorf(CodeUnsafeArchive, "zip 内条目 %s "+zh, "zip entry %s "+en, quoteName(name))
	}
	if name == "" {
		return "", unsafe("名称为空", "has an empty name")
	}
	if len(name) > maxZipNameLen {
		return "", unsafe("名称过长", "has an overlong name")
	}
	if strings.ContainsRune(name, 0) {
		return "", unsafe("名称含 NUL 字符", "has a NUL byte in its name")
	}
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") {
		return "", unsafe("是绝对路径", "is an absolute path")
	}
	if len(n) >= 2 && n[1] == ':' {
		return "", unsafe("含有盘符（绝对路径）", "has a drive letter (absolute path)")
	}
	var parts []string
	for _, p := range strings.Split(n, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", unsafe("含有路径穿越（..）", "climbs out of the archive with ..")
		}
		if strings.ContainsRune(p, ':') {
			// Alternate data streams and drive-relative paths on Windows.
			return "", unsafe("名称含冒号", "has a colon in its name")
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", unsafe("名称为空", "has an empty name")
	}
	if len(parts) > maxZipDepth {
		return "", unsafe("目录层级过深", "is nested too deep")
	}
	return strings.Join(parts, "/"), nil
}

// quoteName shows an entry name safely inside a message.
func quoteName(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// decodeZipName turns an entry name into UTF-8: names that are not valid
// UTF-8 come from Chinese Windows zip tools and are GBK.
func decodeZipName(f *zip.FileHeader) string {
	if utf8.ValidString(f.Name) {
		return f.Name
	}
	if s, err := simplifiedchinese.GB18030.NewDecoder().String(f.Name); err == nil && utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(f.Name, "_")
}

// ignoredZipEntry reports entries that are operating-system litter.
func ignoredZipEntry(name string) bool {
	base := name[strings.LastIndex(name, "/")+1:]
	return strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(base, "._") ||
		base == ".DS_Store" || base == "Thumbs.db" || base == "desktop.ini"
}

// extractZip checks every entry of the zip at path and unpacks it into dir
// (which must exist). It returns the extracted files relative to dir. Nothing
// is unpacked unless every name, mode and declared size passes; actual sizes
// are enforced while unpacking, since headers can lie.
func extractZip(ctx context.Context, path, dir string, lim zipLimits) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // our own checks below name the offending entry
	}
	if err != nil {
		return nil, errorf(CodeCorrupt, "%s 不是有效的 zip 压缩包，或已损坏", "%s is not a valid zip archive or is damaged", filepath.Base(path))
	}
	defer zr.Close()
	if len(zr.File) > maxZipEntries {
		return nil, errorf(CodeUnsafeArchive, "zip 内条目过多（%d 个）", "the zip has too many entries (%d)", len(zr.File))
	}
	type entry struct {
		f    *zip.File
		name string
	}
	var entries []entry
	var declared uint64
	seen := map[string]bool{}
	for _, f := range zr.File {
		name, err := checkZipName(decodeZipName(&f.FileHeader))
		if err != nil {
			return nil, err
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, errorf(CodeUnsafeArchive, "zip 内条目 %s 是符号链接，不允许", "zip entry %s is a symbolic link, which is not allowed", quoteName(name))
		}
		if mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
			return nil, errorf(CodeUnsafeArchive, "zip 内条目 %s 不是普通文件", "zip entry %s is not a regular file", quoteName(name))
		}
		if mode.IsDir() || strings.HasSuffix(f.Name, "/") || ignoredZipEntry(name) {
			continue
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, errorf(CodeUnsafeArchive, "zip 内条目 %s 重复", "zip entry %s appears twice", quoteName(name))
		}
		seen[key] = true
		declared += f.UncompressedSize64
		if lim.MaxUncompressed > 0 && declared > uint64(lim.MaxUncompressed) {
			return nil, errorf(CodeTooLarge, "zip 解压后超过 %s 的上限（可能是压缩炸弹）", "the zip unpacks to more than %s (possibly a zip bomb)", humanBytes(lim.MaxUncompressed))
		}
		if f.UncompressedSize64 >= ratioMinLength && f.UncompressedSize64 > maxEntryRatio*max(f.CompressedSize64, 1) {
			return nil, errorf(CodeUnsafeArchive, "zip 内条目 %s 压缩比异常（%d:1），疑似压缩炸弹", "zip entry %s has an abnormal compression ratio (%d:1), likely a zip bomb",
				quoteName(name), f.UncompressedSize64/max(f.CompressedSize64, 1))
		}
		entries = append(entries, entry{f, name})
	}
	var written int64
	var files []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		target := filepath.Join(dir, filepath.FromSlash(e.name))
		if rel, err := filepath.Rel(dir, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, errorf(CodeUnsafeArchive, "zip 内条目 %s 含有路径穿越", "zip entry %s escapes the archive", quoteName(e.name))
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return nil, fmt.Errorf("unpack %s: %w", e.name, err)
		}
		n, err := extractEntry(e.f, target, lim.MaxUncompressed-written)
		written += n
		if err != nil {
			if errors.Is(err, errEntryTooLarge) {
				return nil, errorf(CodeTooLarge, "zip 解压后超过 %s 的上限（可能是压缩炸弹）", "the zip unpacks to more than %s (possibly a zip bomb)", humanBytes(lim.MaxUncompressed))
			}
			if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrAlgorithm) {
				return nil, errorf(CodeCorrupt, "zip 内条目 %s 已损坏或大小与声明不符", "zip entry %s is damaged or larger than declared", quoteName(e.name))
			}
			return nil, fmt.Errorf("unpack %s: %w", e.name, err)
		}
		files = append(files, e.name)
	}
	return files, nil
}

var errEntryTooLarge = errors.New("entry over the size limit")

// extractEntry writes one entry to target, refusing to write more than
// budget bytes (≤ 0 means no limit).
func extractEntry(f *zip.File, target string, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	var r io.Reader = rc
	limited := budget > 0
	if limited {
		r = io.LimitReader(rc, budget+1)
	}
	n, err := io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if limited && n > budget {
		return n, errEntryTooLarge
	}
	return n, nil
}

// humanBytes formats a byte count as "512 MiB".
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
