package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// The map's page lists some sixty scripts and a dozen style sheets. Over
// HTTP/1.1 a browser fetches six files at a time, so a new visitor waited
// most of a second on localhost before the first script ran (issue 15's
// sign-in benchmark). bundle joins each run of consecutive local <script
// src> tags of a page, and of its own style sheets (css/, so that their
// relative url()s still resolve), into one file named by its content hash,
// cached by the browser for a year; the page itself is revalidated on
// every visit (no-cache with an ETag), so a new version is seen at once.
// The files stay served one by one as well.

var (
	scriptRun = regexp.MustCompile(`(?m)(?:^<script src="([^":]+\.js)"></script>\n)+`)
	scriptTag = regexp.MustCompile(`<script src="([^":]+\.js)"></script>`)
	styleRun  = regexp.MustCompile(`(?m)(?:^<link rel="stylesheet" href="(css/[^":]+\.css)">\n)+`)
	styleTag  = regexp.MustCompile(`<link rel="stylesheet" href="(css/[^":]+\.css)">`)
)

// bundled is what the handler serves besides the plain files: the pages
// rewritten and the bundles, by name.
type bundled struct {
	files map[string][]byte
	etags map[string]string
}

// bundle rewrites the HTML pages at the root of static.
func bundle(static fs.FS) (*bundled, error) {
	b := &bundled{files: map[string][]byte{}, etags: map[string]string{}}
	pages, err := fs.Glob(static, "*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range pages {
		html, err := fs.ReadFile(static, name)
		if err != nil {
			return nil, err
		}
		html = b.join(static, html, scriptRun, scriptTag, "", "bundle-%s.js", `<script src="%s"></script>`+"\n")
		html = b.join(static, html, styleRun, styleTag, "css/", "css/bundle-%s.css", `<link rel="stylesheet" href="%s">`+"\n")
		b.add(name, html)
	}
	// While a visitor types their password, the sign-in page fetches the
	// map's bundles, so that the map starts from the cache.
	if login, ok := b.files["login.html"]; ok {
		var links strings.Builder
		for name := range b.files {
			if strings.Contains(name, "bundle-") && strings.Contains(string(b.files["index.html"]), `"`+name+`"`) {
				fmt.Fprintf(&links, `<link rel="prefetch" href="%s">`+"\n", name)
			}
		}
		b.add("login.html", bytes.Replace(login, []byte("</head>"), []byte(links.String()+"</head>"), 1))
	}
	return b, nil
}

// join replaces each run of tags matched by run with one tag of a bundle
// of their files, in order.
func (b *bundled) join(static fs.FS, html []byte, run, tag *regexp.Regexp, dir, nameFmt, tagFmt string) []byte {
	return run.ReplaceAllFunc(html, func(block []byte) []byte {
		tags := tag.FindAllSubmatch(block, -1)
		if len(tags) < 2 {
			return block
		}
		var buf bytes.Buffer
		for _, m := range tags {
			src, e := fs.ReadFile(static, path.Clean(string(m[1])))
			if e != nil {
				// A page naming a missing file is served as it is: the
				// browser reports the missing file, as it would without
				// bundles.
				return block
			}
			// A comment names the file; a line end and a semicolon keep a
			// file without a final newline or semicolon from running into
			// the next one.
			fmt.Fprintf(&buf, "/* %s */\n", strings.TrimPrefix(string(m[1]), dir))
			buf.Write(src)
			if strings.HasSuffix(nameFmt, ".js") {
				buf.WriteString("\n;\n")
			} else {
				buf.WriteString("\n")
			}
		}
		sum := sha256.Sum256(buf.Bytes())
		name := fmt.Sprintf(nameFmt, hex.EncodeToString(sum[:6]))
		b.add(name, buf.Bytes())
		return []byte(fmt.Sprintf(tagFmt, name))
	})
}

func (b *bundled) add(name string, content []byte) {
	sum := sha256.Sum256(content)
	b.files[name] = content
	b.etags[name] = `"` + hex.EncodeToString(sum[:8]) + `"`
}

// serve answers name if it is a page or a bundle.
func (b *bundled) serve(w http.ResponseWriter, r *http.Request, name string) bool {
	content, ok := b.files[name]
	if !ok {
		return false
	}
	if strings.HasSuffix(name, ".html") {
		w.Header().Set("Cache-Control", "no-cache")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	w.Header().Set("ETag", b.etags[name])
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(content))
	return true
}
