// A registry that serves the OCI 1.1 referrers API (GET /v2/<name>/referrers/<digest>), which the
// Debian distribution registry the other tests use does not: the tests need both, to cover the
// referrer and the tag-scheme fallback. go-containerregistry's test registry has the API behind an
// option; this only turns it on and listens on loopback. Manifests live in memory (a restart empties
// the registry, which the tests do not rely on); blobs go to a folder so big layers do not.
//
//	referrers-registry ADDR BLOB_DIR     e.g. 127.0.0.1:5114 /var/lib/dagship-infra/referrers-registry
package main

import (
	"log"
	"net/http"
	"os"
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
		Handler: registry.New(
			registry.WithReferrersSupport(true),
			registry.WithBlobHandler(registry.NewDiskBlobHandler(os.Args[2])),
		),
	}
	log.Printf("serving on %s", os.Args[1])
	log.Fatal(s.ListenAndServe())
}
