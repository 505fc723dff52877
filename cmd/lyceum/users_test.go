package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lyceum user …: the operator's account commands, on a data dir.
func TestUserCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("a good long password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lyceum := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		if len(args) >= 2 { // flags before the arguments, as flag parses them
			args = append([]string{args[0], args[1], "--data", data}, args[2:]...)
		}
		err := run(ctx, args, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	for _, u := range []struct{ email, role string }{{"boss@example.org", "admin"}, {"ann@example.org", "learner"}} {
		if out, err := lyceum("user", "create", "--email", u.email, "--password-file", pw, "--role", u.role); err != nil {
			t.Fatalf("create %s: %v\n%s", u.email, err, out)
		}
	}
	out, err := lyceum("user", "set-role", "ann@example.org", "analyst")
	if err != nil || !strings.Contains(out, "ann@example.org is now analyst") {
		t.Fatalf("set-role: %v\n%s", err, out)
	}
	out, err = lyceum("user", "list", "--role", "analyst")
	if err != nil || !strings.Contains(out, "ann@example.org") || strings.Contains(out, "boss@example.org") {
		t.Fatalf("list analysts: %v\n%s", err, out)
	}
	// The last admin stays one, from the command line too.
	if out, err = lyceum("user", "set-role", "boss@example.org", "learner"); err == nil || !strings.Contains(err.Error(), "last active admin") {
		t.Fatalf("demoting the last admin: %v\n%s", err, out)
	}
	if _, err = lyceum("user", "deactivate", "boss@example.org"); err == nil {
		t.Fatal("deactivated the last admin")
	}
	out, err = lyceum("user", "deactivate", "ann@example.org")
	if err != nil || !strings.Contains(out, "ann@example.org is deactivated") {
		t.Fatalf("deactivate: %v\n%s", err, out)
	}
	out, err = lyceum("user", "list", "--status", "deactivated")
	if err != nil || !strings.Contains(out, "ann@example.org") {
		t.Fatalf("list deactivated: %v\n%s", err, out)
	}
	if out, err = lyceum("user", "reactivate", "ann@example.org"); err != nil || !strings.Contains(out, "is active") {
		t.Fatalf("reactivate: %v\n%s", err, out)
	}
	for _, bad := range [][]string{
		{"user", "set-role", "nobody@example.org", "admin"}, {"user", "set-role", "ann@example.org", "owner"},
		{"user", "set-role", "ann@example.org"}, {"user", "deactivate"}, {"user", "list", "--role", "king"}, {"user", "frobnicate"},
	} {
		if _, err := lyceum(bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}
