// Package querytext is how the stores keep a saved query's chart and a
// run's parameters in text columns: JSON, and "" for none. Both store
// engines use it, so a record moves between them unchanged.
package querytext

import (
	"encoding/json"

	"github.com/lyceum/lyceum"
)

// EncodeChart returns the chart as JSON text, "" for none.
func EncodeChart(c *lyceum.Chart) (string, error) {
	if c == nil {
		return "", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

func DecodeChart(s string) (*lyceum.Chart, error) {
	if s == "" {
		return nil, nil
	}
	var c lyceum.Chart
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// EncodeParams returns the parameters as JSON text, "" for none (nil).
func EncodeParams(p map[string]string) (string, error) {
	if p == nil {
		return "", nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

func DecodeParams(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var p map[string]string
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, err
	}
	return p, nil
}
