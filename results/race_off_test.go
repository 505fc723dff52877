//go:build !race

package results_test

// raceDetector is whether the tests run under the race detector (-race).
const raceDetector = false
