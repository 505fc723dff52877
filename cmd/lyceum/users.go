package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
)

// The operator's account commands: what the admin app does, from the
// command line, as accounts.Operator (in the audit log as "operator").

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user list", stderr)
	store := offlineFlags(fs)
	q := fs.String("q", "", "part of the name or email")
	role := fs.String("role", "", "only this role: learner, instructor, analyst or admin")
	status := fs.String("status", "", "only this status: active, deactivated or deleted")
	limit := fs.Int("limit", 100, "at most this many accounts, newest sign-up first")
	if err := parse(fs, args); err != nil {
		return err
	}
	f := lyceum.UserFilter{Text: *q}
	var err error
	if *role != "" {
		if f.Role, err = lyceum.ParseRole(*role); err != nil {
			return err
		}
	}
	if *status != "" {
		if f.Status, err = lyceum.ParseUserStatus(*status); err != nil {
			return err
		}
	}
	if *limit < 1 {
		return errors.New("--limit must be at least 1")
	}
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS\tSIGNED UP\tID")
	n, cursor := 0, ""
	for n < *limit {
		page, err := srv.Accounts.ListUsers(ctx, accounts.Operator, f, cursor, min(*limit-n, 200))
		if err != nil {
			return err
		}
		for _, u := range page.Users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, u.Status, u.CreatedAt.Format(time.DateOnly), u.ID)
			n++
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	return tw.Flush()
}

func userChange(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("user "+cmd, stderr)
	store := offlineFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	want := 1
	if cmd == "set-role" {
		want = 2
	}
	if fs.NArg() != want {
		if cmd == "set-role" {
			return errors.New("usage: lyceum user set-role EMAIL ROLE")
		}
		return fmt.Errorf("usage: lyceum user %s EMAIL", cmd)
	}
	srv, err := store.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	email, err := lyceum.NormalizeEmail(fs.Arg(0))
	if err != nil {
		return err
	}
	u, err := srv.Store.UserByEmail(ctx, email)
	if errors.Is(err, lyceum.ErrNotFound) {
		return fmt.Errorf("no account has the email %s", email)
	}
	if err != nil {
		return err
	}
	switch cmd {
	case "set-role":
		role, err := lyceum.ParseRole(fs.Arg(1))
		if err != nil {
			return err
		}
		if u, err = srv.Accounts.SetRole(ctx, accounts.Operator, u.ID, role); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s\n", u.Email, u.Role)
	default:
		if u, err = srv.Accounts.SetActive(ctx, accounts.Operator, u.ID, cmd == "reactivate"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is %s\n", u.Email, u.Status)
	}
	return nil
}
