package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// config is the whole configuration of wanmu, read once at start-up:
// flags override environment variables, which override defaults.
type config struct {
	Addr        string // HTTP listen address
	DataDir     string // embedded cluster and files
	DatabaseURL string // external PostgreSQL; empty = embedded cluster
	TileCacheMB int
	MemoryMB    int // soft memory limit of the Go runtime
	BasemapURL  string
	PublicRead  bool
	TrustProxy  bool
	NoSample    bool
	Region      string // region file; "" = 丽水
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if v := os.Getenv(key); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envBool(key string) bool {
	v := strings.ToLower(os.Getenv(key))
	return v == "1" || v == "true" || v == "yes"
}

// dbFlags registers the flags shared by every command that opens the database.
func dbFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.DataDir, "data", envOr("WANMU_DATA", defaultDataDir()), "data directory of the embedded PostgreSQL cluster (env WANMU_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "use this PostgreSQL server instead of the embedded cluster (env DATABASE_URL)")
}

func parseServe(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.StringVar(&c.Addr, "addr", envOr("WANMU_ADDR", "127.0.0.1:8080"), "HTTP listen address (env WANMU_ADDR)")
	fs.IntVar(&c.TileCacheMB, "tile-cache-mb", envInt("WANMU_TILE_CACHE_MB", 128), "in-process tile cache size in MB, 0 for none (env WANMU_TILE_CACHE_MB)")
	fs.IntVar(&c.MemoryMB, "memory-limit-mb", envInt("WANMU_MEMORY_LIMIT_MB", 768), "soft memory limit in MB: above it the garbage collector works harder and returns memory sooner; 0 for none (env WANMU_MEMORY_LIMIT_MB)")
	fs.StringVar(&c.BasemapURL, "basemap", os.Getenv("WANMU_BASEMAP"), "optional basemap URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (env WANMU_BASEMAP)")
	fs.BoolVar(&c.PublicRead, "public-read", envBool("WANMU_PUBLIC_READ"), "let anonymous visitors read (env WANMU_PUBLIC_READ)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool("WANMU_TRUST_PROXY"), "trust X-Forwarded-Proto from a TLS-terminating proxy (env WANMU_TRUST_PROXY)")
	fs.BoolVar(&c.NoSample, "no-sample", envBool("WANMU_NO_SAMPLE"), "do not load the sample data on first start (env WANMU_NO_SAMPLE)")
	regionFlag(fs, &c.Region)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.MemoryMB < 0 || c.MemoryMB > 1<<20 {
		return c, fmt.Errorf("-memory-limit-mb must be between 0 and 1048576")
	}
	if c.TileCacheMB < 0 || c.TileCacheMB > 64<<10 {
		return c, fmt.Errorf("-tile-cache-mb must be between 0 and 65536")
	}
	return c, nil
}

// defaultDataDir is where the embedded cluster lives unless told otherwise:
// a system directory for root (the postgres user must be able to enter every
// directory above it, which /root does not allow), else the user's data home.
func defaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/wanmu"
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "wanmu")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "wanmu")
	}
	return "wanmu-data"
}
