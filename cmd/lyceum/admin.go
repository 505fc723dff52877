package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/server"
	"github.com/lyceum/lyceum/simulate"
)

// offline is the store a command-line tool works on: the same flags as
// serve's for choosing and reaching it.
type offline struct {
	cfg    server.Config
	finish func() error
}

func offlineFlags(fs *flag.FlagSet) *offline {
	o := &offline{cfg: server.Default()}
	o.finish = storeFlags(fs, &o.cfg)
	return o
}

// open opens the store for a command-line tool.
func (o *offline) open(ctx context.Context, stderr io.Writer) (*server.Server, error) {
	if err := o.finish(); err != nil {
		return nil, err
	}
	logger, _ := newLogger(stderr, "warn", "text")
	o.cfg.Logger = logger
	o.cfg.Warehouse = "none" // the serving process owns the warehouse file
	return server.Open(ctx, o.cfg)
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user create", stderr)
	store := offlineFlags(fs)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (default: the part of the email before @)")
	pwFile := fs.String("password-file", "", "file whose first line is the password (required; - reads stdin)")
	role := fs.String("role", "learner", "learner, instructor, analyst or admin")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *pwFile == "" {
		return errors.New("--email and --password-file are required")
	}
	r, err := lyceum.ParseRole(*role)
	if err != nil {
		return err
	}
	var raw []byte
	if *pwFile == "-" {
		raw, err = io.ReadAll(io.LimitReader(os.Stdin, 4096))
	} else {
		raw, err = os.ReadFile(*pwFile)
	}
	if err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	password, _, _ := strings.Cut(string(raw), "\n")
	password = strings.TrimRight(password, "\r")
	if *name == "" {
		*name, _, _ = strings.Cut(*email, "@")
	}
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	u, err := srv.Accounts.CreateUser(ctx, *email, password, *name, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %s)\n", u.Role, u.Email, u.ID)
	return nil
}

func courseImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("course import", stderr)
	store := offlineFlags(fs)
	owner := fs.String("owner", "", "email of the instructor or admin who owns the course (default: the built-in Lyceum account, which admins manage)")
	publish := fs.Bool("publish", false, "publish the course after importing it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: lyceum course import [--owner EMAIL] [--publish] DIR")
	}
	dir := fs.Arg(0)
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	u, err := srv.SystemOwner(ctx)
	if *owner != "" {
		u, err = srv.Store.UserByEmail(ctx, strings.ToLower(*owner))
	}
	if err != nil {
		return fmt.Errorf("--owner %s: %w (create the account with `lyceum user create` first)", *owner, err)
	}
	fsys, root, err := server.BundleDir(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	c, created, err := srv.Learning.ImportCourse(ctx, u, fsys)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if *publish {
		if c, err = srv.Learning.SetPublished(ctx, u, c.ID, true); err != nil {
			return err
		}
	}
	verb := "replaced"
	if created {
		verb = "imported"
	}
	fmt.Fprintf(stdout, "%s course %s %q (published: %v)\n", verb, c.ID, c.Title, c.Published)
	return nil
}

func courseExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("course export", stderr)
	store := offlineFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: lyceum course export ID DIR")
	}
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Learning.ExportCourseDir(ctx, fs.Arg(0), fs.Arg(1)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported course %s to %s\n", fs.Arg(0), fs.Arg(1))
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	store := offlineFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "store is up to date")
	return srv.Close()
}

func simulateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("simulate", stderr)
	store := offlineFlags(fs)
	var cfg simulate.Config
	fs.IntVar(&cfg.Learners, "learners", 100, "how many learners to simulate")
	fs.IntVar(&cfg.Days, "days", 7, "over how many days (ending now) their activity is spread")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed makes the same learners")
	fs.IntVar(&cfg.Workers, "workers", 16, "learners simulated at once")
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"learners", cfg.Learners}, {"days", cfg.Days}, {"workers", cfg.Workers}} {
		if f.v < 1 {
			return fmt.Errorf("--%s %d: want at least 1", f.name, f.v)
		}
	}
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	start := time.Now()
	last := time.Now()
	cfg.Progress = func(done int) {
		if time.Since(last) > 2*time.Second || done == cfg.Learners {
			last = time.Now()
			fmt.Fprintf(stderr, "simulated %d/%d learners\n", done, cfg.Learners)
		}
	}
	st, err := simulate.Run(ctx, cfg, srv.Store, srv.Blobs)
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(stdout, "%d learners, %d enrollments, %d completions, %d dropouts, %d actions in %s (%.0f actions/s)\n",
		st.Learners, st.Enrollments, st.Completions, st.Dropouts, st.Actions, d.Round(time.Millisecond), float64(st.Actions)/d.Seconds())
	return nil
}
