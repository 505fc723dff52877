// Command lyceum runs the Lyceum learning platform and its tools.
//
//	lyceum serve                  run the platform (web UI and API)
//	lyceum user create            make an account with any role
//	lyceum user list              list accounts
//	lyceum user set-role          change an account's role
//	lyceum user deactivate        stop an account (reactivate lets it in again)
//	lyceum course import DIR      import a course bundle
//	lyceum course export ID DIR   export a course as a bundle
//	lyceum simulate               drive realistic learner activity
//	lyceum migrate                apply store migrations and exit
//
// Every flag can also be set by an environment variable: --max-upload-mb is
// LYCEUM_MAX_UPLOAD_MB. A flag on the command line wins.
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
	"strings"
	"syscall"

	"github.com/lyceum/lyceum/queryworker"
)

func main() {
	if queryworker.IsChild() { // `lyceum serve` starts itself as its query worker
		queryworker.Main()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lyceum:", err)
		os.Exit(1)
	}
}

const usage = `usage: lyceum COMMAND [flags]

commands:
  serve                     run the platform: web UI and API
  user create               create an account (--email, --password-file, --role)
  user list                 list accounts (--q, --role, --status, --limit)
  user set-role EMAIL ROLE  change an account's role (never the last admin's)
  user deactivate EMAIL     stop an account: no sign-in, sessions and tokens end
  user reactivate EMAIL     let a deactivated account in again
  course import DIR         import a course bundle directory
  course export ID DIR      write a course as a bundle directory
  simulate                  drive realistic learner activity (--learners, --days)
  migrate                   apply store migrations and exit
  version                   print the version

Run 'lyceum COMMAND -h' for a command's flags. Every flag can be set by an
environment variable instead: --data is LYCEUM_DATA, --max-upload-mb is
LYCEUM_MAX_UPLOAD_MB.
`

var version = "dev"

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "user":
		sub := ""
		if len(rest) > 0 {
			sub = rest[0]
		}
		switch sub {
		case "create":
			return userCreate(ctx, rest[1:], stdout, stderr)
		case "list":
			return userList(ctx, rest[1:], stdout, stderr)
		case "set-role", "deactivate", "reactivate":
			return userChange(ctx, sub, rest[1:], stdout, stderr)
		}
		return errors.New("usage: lyceum user create|list|set-role|deactivate|reactivate (lyceum user COMMAND -h for its flags)")
	case "course":
		if len(rest) == 0 {
			return errors.New("usage: lyceum course import DIR | lyceum course export ID DIR")
		}
		switch rest[0] {
		case "import":
			return courseImport(ctx, rest[1:], stdout, stderr)
		case "export":
			return courseExport(ctx, rest[1:], stdout, stderr)
		}
		return fmt.Errorf("unknown course command %q; want import or export", rest[0])
	case "simulate":
		return simulateCmd(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "lyceum", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// newFlags makes a flag set for a command.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lyceum "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse applies LYCEUM_* environment variables to fs's flags, then the
// command line over them.
func parse(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "LYCEUM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && err == nil {
			if serr := f.Value.Set(v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, serr)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
