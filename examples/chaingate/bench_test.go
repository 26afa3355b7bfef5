package main

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/chaingate/chaingate/risk"
	"github.com/chaingate/chaingate/risk/vulndb"
	"github.com/chaingate/chaingate/sbom"
	"github.com/chaingate/chaingate/verify"
)

// The CLI's cost over calling the SDK directly for the same work, in the
// same run: what a team pays for the wrapper (flag parsing, cobra, output).

func BenchmarkRiskScan(b *testing.B) {
	b.Run("cli", func(b *testing.B) {
		for b.Loop() {
			if code := run([]string{"risk", "scan", shopAPISBOM, "--db", vulnIndex, "--kev", kevGo, "-o", "json"}, io.Discard, io.Discard); code != exitDenied {
				b.Fatalf("exit code %d", code)
			}
		}
	})
	b.Run("sdk", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(shopAPISBOM)
			if err != nil {
				b.Fatal(err)
			}
			doc, err := sbom.Decode(f)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			db, err := vulndb.Load(vulnIndex)
			if err != nil {
				b.Fatal(err)
			}
			kf, err := os.Open(kevGo)
			if err != nil {
				b.Fatal(err)
			}
			kev, err := risk.ReadKEV(kf)
			kf.Close()
			if err != nil {
				b.Fatal(err)
			}
			rep, err := risk.Scan(context.Background(), doc, db, risk.WithKEV(kev))
			if err != nil {
				b.Fatal(err)
			}
			if err := rep.WriteJSON(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyBundle(b *testing.B) {
	b.Run("cli", func(b *testing.B) {
		for b.Loop() {
			if code := run(append(bundleArgs("bundle"), "-o", "json"), io.Discard, io.Discard); code != exitOK {
				b.Fatalf("exit code %d", code)
			}
		}
	})
	b.Run("sdk", func(b *testing.B) {
		for b.Loop() {
			trust, err := verify.LoadTrustedRoot(trustedRoot)
			if err != nil {
				b.Fatal(err)
			}
			v, err := verify.New(trust)
			if err != nil {
				b.Fatal(err)
			}
			bundle, err := os.ReadFile(bundlePath)
			if err != nil {
				b.Fatal(err)
			}
			res, err := v.VerifyBundle(context.Background(), bundle, verify.Requirements{
				Artifact: verify.ArtifactDigest("sha512", sigstoreJSDigest[len("sha512:"):]),
				Identity: &verify.Identity{Issuer: sigstoreJSIssuer, SubjectAlternativeName: sigstoreJSSAN},
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := writeJSON(io.Discard, res); err != nil {
				b.Fatal(err)
			}
		}
	})
}
