package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// Each app lists its client-side routes in public/routes.json (built into
// dist/<app>/routes.json), from which the server answers 200 for a page
// of the app and 404 for any other path. The list must be the routes its
// App.tsx actually has.
func TestRoutesJSONListsTheAppsRoutes(t *testing.T) {
	apps, err := filepath.Glob("apps/*/src/App.tsx")
	if err != nil || len(apps) == 0 {
		t.Fatalf("no apps: %v", err)
	}
	literal := regexp.MustCompile(`(?:matchPath\(\s*|path === )"(/[^"]*)"`)
	for _, app := range apps {
		dir := filepath.Dir(filepath.Dir(app))
		src, err := os.ReadFile(app)
		if err != nil {
			t.Fatal(err)
		}
		var inApp []string
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(inApp, m[1]) {
				inApp = append(inApp, m[1])
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, "public", "routes.json"))
		if err != nil {
			t.Errorf("%s: %v (list the app's routes there)", dir, err)
			continue
		}
		var listed []string
		if err := json.Unmarshal(b, &listed); err != nil {
			t.Errorf("%s/public/routes.json: %v", dir, err)
			continue
		}
		slices.Sort(inApp)
		slices.Sort(listed)
		if !slices.Equal(inApp, listed) {
			t.Errorf("%s: App.tsx routes %q, public/routes.json lists %q", dir, inApp, listed)
		}
	}
}
