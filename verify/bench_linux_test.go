//go:build linux

package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/chaingate/chaingate/verify"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	sgverify "github.com/sigstore/sigstore-go/pkg/verify"
)

// threadCPU returns this OS thread's CPU time (RUSAGE_THREAD), which other
// processes on a loaded machine do not inflate the way wall time is.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVerifyBundleCPURatio is BenchmarkVerifyBundleRatio measured in
// thread CPU time (GC work on other threads is not counted on either side).
func BenchmarkVerifyBundleCPURatio(b *testing.B) {
	rootJSON := readFile(b, "trusted_root_public_good.json")
	tarball := readFile(b, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")
	bundleJSON := npmAttestation(b, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1")
	tr, err := verify.ParseTrustedRoot(rootJSON)
	if err != nil {
		b.Fatal(err)
	}
	v := newVerifier(b, tr)
	req := verify.Requirements{Artifact: verify.ArtifactBytes(tarball), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN}}
	rawRoot, err := root.NewTrustedRootFromJSON(rootJSON)
	if err != nil {
		b.Fatal(err)
	}
	sv, err := sgverify.NewVerifier(rawRoot, sgverify.WithTransparencyLog(1), sgverify.WithObserverTimestamps(1), sgverify.WithSignedCertificateTimestamps(1))
	if err != nil {
		b.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ours, raw time.Duration
	for b.Loop() {
		t0 := threadCPU()
		if _, err := v.VerifyBundle(context.Background(), bundleJSON, req); err != nil {
			b.Fatal(err)
		}
		t1 := threadCPU()
		var bun bundle.Bundle
		if err := bun.UnmarshalJSON(bundleJSON); err != nil {
			b.Fatal(err)
		}
		id, err := sgverify.NewShortCertificateIdentity(ghIssuer, "", gundamSAN, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sv.Verify(&bun, sgverify.NewPolicy(sgverify.WithArtifact(bytes.NewReader(tarball)), sgverify.WithCertificateIdentity(id))); err != nil {
			b.Fatal(err)
		}
		t2 := threadCPU()
		ours += t1 - t0
		raw += t2 - t1
	}
	if raw > 0 {
		b.ReportMetric(float64(ours)/float64(raw), "chaingate/raw-cpu")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVerifyAllCores reports how many cores VerifyAll kept busy
// (process CPU time over wall time) verifying 1,000 bundles, with one
// worker and with GOMAXPROCS workers. On a machine shared with other
// load, this shows the scaling more reliably than wall time alone.
func BenchmarkVerifyAllCores(b *testing.B) {
	tr := loadRoot(b, "trusted_root_public_good.json")
	tarball := readFile(b, "slsa-verifier", "gundam-visor-cli-v1-tag.tgz")
	one := npmAttestation(b, "gundam-visor-cli-v1-tag.tgz.json", "https://slsa.dev/provenance/v1")
	bundles := make([][]byte, 1000)
	for i := range bundles {
		bundles[i] = one
	}
	req := verify.Requirements{Artifact: verify.ArtifactBytes(tarball), Identity: &verify.Identity{Issuer: ghIssuer, SubjectAlternativeName: gundamSAN}}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			v := newVerifier(b, tr, verify.WithWorkers(workers))
			var cpu, wall time.Duration
			for b.Loop() {
				c0, w0 := processCPU(), time.Now()
				_, errs := v.VerifyAll(context.Background(), bundles, req)
				cpu += processCPU() - c0
				wall += time.Since(w0)
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(cpu)/float64(wall), "cores-busy")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*len(bundles)), "cpu-ns/bundle")
		})
	}
}
