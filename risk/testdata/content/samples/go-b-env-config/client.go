// Package client reads its configuration from the environment at init
// and sends the token only when its caller makes a request.
package client

import (
	"net/http"
	"os"
)

var (
	token    = os.Getenv("EXAMPLE_API_TOKEN")
	endpoint = "https://api.example-service.io/v1"
)

func init() {
	if e := os.Getenv("EXAMPLE_API_URL"); e != "" {
		endpoint = e
	}
}

// Get fetches a path of the API with the configured token.
func Get(path string) (*http.Response, error) {
	req, err := http.NewRequest("GET", endpoint+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}
