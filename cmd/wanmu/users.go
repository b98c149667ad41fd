package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"wanmu/internal/auth"
	"wanmu/internal/store"
)

// ensureAdmin creates the first administrator when there is no user: with
// WANMU_ADMIN_PASSWORD, or a random password printed once and written to a
// 0600 file in the data directory. There is never a fixed default password.
func ensureAdmin(ctx context.Context, st *store.Store, dataDir string, stdout io.Writer, log *slog.Logger) error {
	return st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.Lock(ctx, adminLockKey); err != nil {
			return err
		}
		return createFirstAdmin(ctx, tx, dataDir, stdout, log)
	})
}

// adminLockKey serialises the first-administrator check between instances.
const adminLockKey = 7_202_057

func createFirstAdmin(ctx context.Context, st *store.Store, dataDir string, stdout io.Writer, log *slog.Logger) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	password, fromEnv := os.LookupEnv("WANMU_ADMIN_PASSWORD")
	if !fromEnv || password == "" {
		password = auth.NewPassword()
		fromEnv = false
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("WANMU_ADMIN_PASSWORD: %w", err)
	}
	if _, err := st.CreateUser(ctx, "admin", auth.Admin, nil, hash); err != nil {
		return err
	}
	if fromEnv {
		log.Info("created user admin with the password from WANMU_ADMIN_PASSWORD")
		return nil
	}
	file := filepath.Join(dataDir, "admin-password.txt")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(file, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	fmt.Fprintf(stdout, "created user admin with password %s (also in %s; change it with wanmu user passwd admin)\n", password, file)
	return nil
}

// withStore opens the database for a command-line tool.
func withStore(ctx context.Context, c *config, stderr io.Writer, fn func(*store.Store) error) error {
	db, err := openDatabase(ctx, *c, newLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer db.close()
	return fn(store.New(db.pool))
}

// readPassword takes a new password from WANMU_PASSWORD or the first line of stdin.
func readPassword(stderr io.Writer) (string, error) {
	if p := os.Getenv("WANMU_PASSWORD"); p != "" {
		return p, nil
	}
	fmt.Fprint(stderr, "new password (10–72 bytes): ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: wanmu user add NAME --role viewer|editor|admin [--counties 331121,…] | passwd NAME | role NAME ROLE | counties NAME [331121,…] | disable NAME | enable NAME | list"
	if len(args) == 0 {
		return errors.New(usage)
	}
	var c config
	var role, counties string
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	regionFlag(fs, &c.Region)
	fs.StringVar(&role, "role", auth.Viewer, "role of a new user: viewer, editor or admin")
	fs.StringVar(&counties, "counties", "", "an editor limited to these counties (adcodes, comma-separated); none: every county")
	sub, rest := args[0], reorder(args[1:])
	if err := fs.Parse(rest); err != nil {
		return err
	}
	pos := fs.Args()
	need := map[string]int{"add": 1, "passwd": 1, "role": 2, "counties": 1, "disable": 1, "enable": 1, "list": 0}
	n, ok := need[sub]
	if sub == "counties" && len(pos) == 2 { // counties NAME LIST; without LIST: every county
		counties, pos = pos[1], pos[:1]
	}
	if !ok || len(pos) != n {
		return errors.New(usage)
	}
	limit, err := userCounties(c.Region, counties)
	if err != nil {
		return err
	}
	if len(limit) > 0 && sub == "add" && role != auth.Editor {
		return errors.New("--counties limits an editor; this user would be " + role)
	}
	return withStore(ctx, &c, stderr, func(st *store.Store) error {
		switch sub {
		case "add":
			if !auth.ValidName(pos[0]) || !auth.ValidRole(role) {
				return errors.New("the name must be 1–64 letters, digits or _ . @ - and the role viewer, editor or admin")
			}
			p, err := readPassword(stderr)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(p)
			if err != nil {
				return err
			}
			u, err := st.CreateUser(ctx, pos[0], role, limit, hash)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "added %s (%s)\n", u.Name, u.Role)
		case "passwd":
			p, err := readPassword(stderr)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(p)
			if err != nil {
				return err
			}
			if _, err := st.UpdateUser(ctx, pos[0], nil, nil, nil, hash); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "password of %s changed; their sessions are signed out and their API tokens revoked\n", pos[0])
		case "role":
			if !auth.ValidRole(pos[1]) {
				return errors.New("role must be viewer, editor or admin")
			}
			var clear *[]string
			if pos[1] != auth.Editor { // only editors are limited to counties
				clear = &[]string{}
			}
			u, err := st.UpdateUser(ctx, pos[0], &pos[1], clear, nil, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s is now %s\n", u.Name, u.Role)
		case "counties":
			old, err := st.UserByName(ctx, pos[0])
			if err != nil {
				return err
			}
			if len(limit) > 0 && old.Role != auth.Editor {
				return fmt.Errorf("%s is %s: only an editor is limited to counties", pos[0], old.Role)
			}
			u, err := st.UpdateUser(ctx, pos[0], nil, &limit, nil, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s edits %s\n", u.Name, countiesText(u.Counties))
		case "disable", "enable":
			d := sub == "disable"
			if _, err := st.UpdateUser(ctx, pos[0], nil, nil, &d, nil); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s %sd\n", pos[0], sub)
		case "list":
			us, err := st.ListUsers(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tCOUNTIES\tDISABLED\tCREATED")
			for _, u := range us {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", u.Name, u.Role, countiesText(u.Counties), u.Disabled, u.CreatedAt.Format("2006-01-02"))
			}
			return tw.Flush()
		}
		return nil
	})
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: wanmu token create --user NAME [--label TEXT] | list | revoke ID"
	if len(args) == 0 {
		return errors.New(usage)
	}
	var c config
	var user, label string
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.StringVar(&user, "user", "", "user the token acts as")
	fs.StringVar(&label, "label", "", "what the token is for")
	sub := args[0]
	if err := fs.Parse(reorder(args[1:])); err != nil {
		return err
	}
	return withStore(ctx, &c, stderr, func(st *store.Store) error {
		switch {
		case sub == "create" && user != "" && fs.NArg() == 0:
			secret := auth.NewSecret()
			t, err := st.CreateToken(ctx, user, auth.HashSecret(secret), label)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "token %d for %s (shown once; send it as Authorization: Bearer <token>):\n", t.ID, user)
			fmt.Fprintln(stdout, secret)
		case sub == "list" && fs.NArg() == 0:
			ts, err := st.ListTokens(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tLABEL\tCREATED\tREVOKED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", t.ID, t.User, t.Label, t.CreatedAt.Format("2006-01-02"), t.RevokedAt != nil)
			}
			return tw.Flush()
		case sub == "revoke" && fs.NArg() == 1:
			var id int64
			if _, err := fmt.Sscan(fs.Arg(0), &id); err != nil {
				return errors.New(usage)
			}
			if err := st.RevokeToken(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "token %d revoked\n", id)
		default:
			return errors.New(usage)
		}
		return nil
	})
}

// reorder moves flags before positional arguments, so "add NAME --role x"
// parses like "add --role x NAME".
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// userCounties reads --counties: the region's adcodes, each once.
func userCounties(regionFile, list string) ([]string, error) {
	out := []string{}
	if strings.TrimSpace(list) == "" {
		return out, nil
	}
	rg, err := loadRegion(regionFile)
	if err != nil {
		return nil, err
	}
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if !rg.Has(c) {
			return nil, errors.New(rg.NotACounty(c))
		}
		if slices.Contains(out, c) {
			return nil, fmt.Errorf("--counties lists %s twice", c)
		}
		out = append(out, c)
	}
	return out, nil
}

func countiesText(cs []string) string {
	if len(cs) == 0 {
		return "every county"
	}
	return strings.Join(cs, ",")
}
