package server_test

import (
	"net/http"
	"testing"
)

func checkContract(t *testing.T, req *http.Request, res response) {}
