// Command wanmu is the 万亩 service: a PostGIS-backed web GIS for planners
// who consolidate industrial platforms, and its command-line tools.
//
//	wanmu serve     run the service (embedded PostGIS unless DATABASE_URL is set)
//	wanmu migrate   apply the database migrations and exit
//	wanmu user      manage users and roles
//	wanmu token     manage API tokens for scripts
//	wanmu import    import a GIS file (preview, then all or nothing)
//	wanmu export    export a layer, or the handover package
//	wanmu gen       generate the seeded scale dataset
//	wanmu backup    write a consistent backup of the database to a file
//	wanmu restore   restore a backup into an empty data directory or database
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the service and the map at http://localhost:8080", runServe},
		{"migrate", "apply the database migrations and exit", runMigrate},
		{"user", "manage users: add, passwd, role, disable, enable, list", runUser},
		{"token", "manage API tokens: create, list, revoke", runToken},
		{"import", "import a GIS file into zones or a constraint layer (preview, then all or nothing)", runImport},
		{"export", "export a layer in a land-use planner's format, or the handover package", runExport},
		{"gen", "generate the seeded scale dataset (200,000 parcels) into a directory or the database", runGen},
		{"backup", "write a consistent backup of the whole database to a file, also while serving", runBackup},
		{"restore", "restore a backup into an empty data directory or database, then migrate", runRestore},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			if err != nil {
				fmt.Fprintf(stderr, "wanmu %s: %v\n", c.name, err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "wanmu: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wanmu <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'wanmu <command> -h' for the flags of a command.")
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
