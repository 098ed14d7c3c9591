// A registry that serves the OCI 1.1 referrers API (GET /v2/<name>/referrers/<digest>), which the
// Debian distribution registry the other tests use does not: the tests need both, to cover the
// referrer and the tag-scheme fallback. go-containerregistry's test registry has the API behind an
// option; this turns it on, fills in the spec's referrers details it lacks (see spec) and listens on
// loopback. Manifests live in memory (a restart empties
// the registry, which the tests do not rely on); blobs go to a folder so big layers do not.
//
//	referrers-registry ADDR BLOB_DIR     e.g. 127.0.0.1:5114 /var/lib/dagship-infra/referrers-registry
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatalf("usage: %s ADDR BLOB_DIR", os.Args[0])
	}
	if err := os.MkdirAll(os.Args[2], 0o755); err != nil {
		log.Fatal(err)
	}
	s := &http.Server{
		Addr:              os.Args[1],
		ReadHeaderTimeout: 10 * time.Second,
		Handler: spec(registry.New(
			registry.WithReferrersSupport(true),
			registry.WithBlobHandler(registry.NewDiskBlobHandler(os.Args[2])),
		)),
	}
	log.Printf("serving on %s", os.Args[1])
	log.Fatal(s.ListenAndServe())
}

// spec fills in what go-containerregistry's registry leaves out of the distribution spec's referrers
// part, so clients are tested against the spec rather than its gaps: the OCI-Subject header on a
// manifest PUT that names a subject (clients read it to know they need not maintain the
// sha256-<hex> fallback tag), a referrer's artifactType taken from the manifest's own artifactType
// field (the registry reports the config's media type even when the manifest has one), and the
// artifactType query filter.
func spec(next http.Handler) http.Handler {
	var mu sync.Mutex
	artifactTypes := map[string]string{} // manifest digest -> its artifactType field
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/"):
			body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			var m struct {
				ArtifactType string `json:"artifactType"`
				Subject      *struct {
					Digest string `json:"digest"`
				} `json:"subject"`
			}
			if json.Unmarshal(body, &m) == nil {
				if m.ArtifactType != "" {
					mu.Lock()
					artifactTypes[fmt.Sprintf("sha256:%x", sha256.Sum256(body))] = m.ArtifactType
					mu.Unlock()
				}
				if m.Subject != nil && m.Subject.Digest != "" {
					w.Header().Set("OCI-Subject", m.Subject.Digest)
				}
			}
			next.ServeHTTP(w, r)
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/referrers/"):
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var index struct {
				SchemaVersion int              `json:"schemaVersion"`
				MediaType     string           `json:"mediaType"`
				Manifests     []map[string]any `json:"manifests"`
			}
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &index) != nil {
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			want := r.URL.Query().Get("artifactType")
			kept := []map[string]any{}
			mu.Lock()
			for _, d := range index.Manifests {
				if at, ok := artifactTypes[fmt.Sprint(d["digest"])]; ok {
					d["artifactType"] = at
				}
				if want == "" || d["artifactType"] == want {
					kept = append(kept, d)
				}
			}
			mu.Unlock()
			index.Manifests = kept
			out, _ := json.Marshal(index)
			w.Header().Set("Content-Type", index.MediaType)
			if want != "" {
				w.Header().Set("OCI-Filters-Applied", "artifactType")
			}
			_, _ = w.Write(out)
		default:
			next.ServeHTTP(w, r)
		}
	})
}
